package web_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cssRule is one rule of a stylesheet: its @media condition ("" at the top
// level), its selector and its declarations.
type cssRule struct {
	media, selector string
	decls           map[string]string
}

var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// parseCSS reads the plain CSS the pages use: rules, and @media blocks of
// rules. It is not a general parser; what it does not know fails the test.
func parseCSS(t *testing.T, src string) []cssRule {
	t.Helper()
	src = cssComment.ReplaceAllString(src, "")
	var rules []cssRule
	var read func(s, media string)
	read = func(s, media string) {
		for {
			open := strings.IndexByte(s, '{')
			if open < 0 {
				if strings.TrimSpace(s) != "" {
					t.Fatalf("css: trailing %q", s)
				}
				return
			}
			head := strings.TrimSpace(s[:open])
			end, depth := open, 0
			for ; end < len(s); end++ {
				if s[end] == '{' {
					depth++
				} else if s[end] == '}' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if end == len(s) {
				t.Fatalf("css: unbalanced block after %q", head)
			}
			body := s[open+1 : end]
			s = s[end+1:]
			if strings.HasPrefix(head, "@media") {
				read(body, strings.TrimSpace(strings.TrimPrefix(head, "@media")))
				continue
			}
			r := cssRule{media: media, selector: head, decls: map[string]string{}}
			for d := range strings.SplitSeq(body, ";") {
				if k, v, ok := strings.Cut(d, ":"); ok {
					r.decls[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
			rules = append(rules, r)
		}
	}
	read(src, "")
	return rules
}

// stylesheets are the pages' two stylesheets, as the server embeds them.
func stylesheets(t *testing.T) []cssRule {
	var rules []cssRule
	for _, name := range []string{"static/style.css", "static/sender.css"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, parseCSS(t, string(b))...)
	}
	return rules
}

// schemeVars are the custom properties of :root in the light scheme, or
// with the dark scheme's overrides.
func schemeVars(rules []cssRule, dark bool) map[string]string {
	vars := map[string]string{}
	for _, r := range rules {
		if r.selector != ":root" || (r.media != "" && !(dark && strings.Contains(r.media, "prefers-color-scheme: dark"))) {
			continue
		}
		for k, v := range r.decls {
			vars[k] = v
		}
	}
	return vars
}

var (
	cssVar = regexp.MustCompile(`var\((--[a-z0-9-]+)\)`)
	cssHex = regexp.MustCompile(`#[0-9a-fA-F]{6}\b`)
)

// colourOf resolves var() references in a declaration and returns its
// #rrggbb colour, or "".
func colourOf(v string, vars map[string]string) string {
	for range 10 {
		m := cssVar.FindStringSubmatch(v)
		if m == nil {
			break
		}
		v = strings.Replace(v, m[0], vars[m[1]], 1)
	}
	return cssHex.FindString(v)
}

// luminance is the relative luminance of #rrggbb (WCAG 2.2).
func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(n) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// adjacentBackgrounds are the backgrounds a focused control or an invalid
// field can sit on: the page, the header, facts and filters, and the
// notices that hold links.
var adjacentBackgrounds = []string{"--bg", "--soft", "--err-bg", "--warn-bg", "--ok-bg"}

// TestFocusAndInvalidContrast: the focus ring of every focusable control
// and the border of a refused field differ from every background next to
// them by 3:1 at least (WCAG 2.2, 1.4.11 non-text contrast), in the light
// and the dark scheme; and no rule paints a control's border with another
// colour than var(--field-line), which the [aria-invalid] rule switches,
// so that no later rule can hide a refused field again.
func TestFocusAndInvalidContrast(t *testing.T) {
	rules := stylesheets(t)
	focused := map[string]bool{}
	invalid := false
	for _, dark := range []bool{false, true} {
		vars := schemeVars(rules, dark)
		scheme := map[bool]string{false: "light", true: "dark"}[dark]
		check := func(what, colour string) {
			t.Helper()
			if colour == "" {
				t.Errorf("%s: %s has no #rrggbb colour", scheme, what)
				return
			}
			for _, bg := range adjacentBackgrounds {
				if c := contrast(colour, colourOf(vars[bg], vars)); c < 3 {
					t.Errorf("%s: %s %s against %s %s: contrast %.2f:1, want 3:1", scheme, what, colour, bg, vars[bg], c)
				}
			}
		}
		for _, r := range rules {
			if strings.Contains(r.selector, ":focus") {
				outline, ok := r.decls["outline"]
				if !ok {
					outline, ok = r.decls["outline-color"]
				}
				if !ok {
					continue
				}
				check("the focus ring of "+r.selector, colourOf(outline, vars))
				for sel := range strings.SplitSeq(r.selector, ",") {
					focused[strings.TrimSpace(sel)] = true
				}
			}
			if r.selector == `[aria-invalid="true"]` {
				invalid = true
				check("a refused field's border", colourOf(r.decls["--field-line"], vars))
			}
		}
		check("a field's border", colourOf("var(--field-line)", vars))
	}
	for _, el := range []string{"a", "button", "input", "select", "textarea", "summary"} {
		if !focused[el+":focus-visible"] {
			t.Errorf("no focus ring rule for %s:focus-visible", el)
		}
	}
	if !invalid {
		t.Error(`no [aria-invalid="true"] rule setting --field-line`)
	}
	controls := regexp.MustCompile(`\b(input|select|textarea)\b`)
	for _, r := range rules {
		if !controls.MatchString(r.selector) {
			continue
		}
		for _, k := range []string{"border", "border-color"} {
			if v, ok := r.decls[k]; ok && !strings.Contains(v, "var(--field-line)") && v != "0" && v != "none" {
				t.Errorf("%s { %s: %s } paints a control's border without var(--field-line): a refused field would not show", r.selector, k, v)
			}
		}
	}
}

package returned

import (
	"regexp"
	"strconv"
	"strings"
)

// enhancedRe finds an RFC 3463 code anywhere in a text: "550 5.1.1 ...",
// "(#5.5.0)", "Status: 4.4.7." but neither an IP address (192.0.2.5) nor a
// version number (1.2.3.4).
var enhancedRe = regexp.MustCompile(`(?:^|[^0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:$|[^0-9.]|\.(?:$|[^0-9]))`)

// replyRe finds a 3-digit SMTP reply code standing as a word: at the start,
// after a blank, a colon, a semicolon, a bracket or a quote, followed by a
// blank, a hyphen (multi-line replies) or the end.
var replyRe = regexp.MustCompile(`(?:^|[\s:;(\[<"'=])([245][0-9][0-9])(?:$|[\s\-\]),.;:])`)

// firstEnhanced returns the first enhanced code of text in "c.s.d" form.
func firstEnhanced(text string) string {
	m := enhancedRe.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return canonical(m[1])
}

// canonical rewrites a code without leading zeros ("5.01.001" -> "5.1.1").
func canonical(code string) string {
	c, s, d, ok := parseEnhanced(code)
	if !ok {
		return ""
	}
	return strconv.Itoa(c) + "." + strconv.Itoa(s) + "." + strconv.Itoa(d)
}

// parseEnhanced reads "c.s.d" (the whole of code, trimmed).
func parseEnhanced(code string) (class, subject, detail int, ok bool) {
	parts := strings.Split(strings.TrimSpace(code), ".")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || p == "" || len(p) > 3 || p[0] == '+' || p[0] == '-' {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	if len(parts[0]) != 1 || (n[0] != 2 && n[0] != 4 && n[0] != 5) {
		return 0, 0, 0, false
	}
	return n[0], n[1], n[2], true
}

// statusField reads a DSN Status field, which may carry a comment
// ("5.1.1 (bad destination mailbox)") or stray text around the code.
func statusField(v string) string {
	v = strings.TrimSpace(v)
	if f := strings.Fields(v); len(f) > 0 {
		if c := canonical(strings.TrimRight(f[0], ".,;")); c != "" {
			return c
		}
	}
	return firstEnhanced(v)
}

// firstReply returns the first SMTP reply code of text, 0 if none.
func firstReply(text string) int {
	m := replyRe.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// generic tells a code that names no cause (x.0.0).
func generic(code string) bool {
	_, s, d, ok := parseEnhanced(code)
	return ok && s == 0 && d == 0
}

// class returns the class digit of a code, 0 for none.
func class(code string) int {
	c, _, _, _ := parseEnhanced(code)
	return c
}

// quotedRe finds a remote server's reply quoted with its enhanced code:
// "552 5.2.2", "550-5.1.1", "550-'5.7.1", "<421 4.4.2".
var quotedRe = regexp.MustCompile(`(?:^|[^0-9.])([245])[0-9][0-9][ \-]+['"#]?([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:$|[^0-9.]|\.(?:$|[^0-9]))`)

// quotedStatus returns the enhanced code of the last reply quoted in text
// whose class agrees with its reply code ("550 4.4.7" does not: one of the
// two is wrong, so neither is believed), "" if none.
func quotedStatus(text string) string {
	found := ""
	for _, m := range quotedRe.FindAllStringSubmatch(text, -1) {
		if m[1][0] == m[2][0] {
			found = canonical(m[2])
		}
	}
	return found
}

// chooseStatus picks the enhanced status of one recipient. The remote
// server's own reply, quoted with a consistent reply code, wins: a Status
// field is often the reporting MTA's summary ("5.0.0", or "5.1.1" over a
// quoted "550 5.7.1 IP blacklisted"). Then the Status field, then any
// code the text holds.
func chooseStatus(field, quoted, inText string) string {
	switch {
	case quoted != "":
		return quoted
	case field == "" || generic(field) && class(inText) == class(field):
		if inText != "" {
			return inText
		}
	}
	return field
}

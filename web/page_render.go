package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
	_ "time/tzdata" // the configured zone exists on any host

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

// parsePages parses every page once, at start-up, each with its own copy
// of the layout so that pages can define the same blocks. The templates are
// embedded, so a parse error is a build mistake caught by any test.
func parsePages() map[string]*template.Template {
	base := template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, f))
	}
	return pages
}

// pageData is what every template receives: the common frame in the
// fields, the page's own values in Data.
type pageData struct {
	Lang     string
	Title    string // catalogue key of the page title
	Provider core.Provider
	CSRF     string
	Token    string         // the recipient link token, for the page's URLs
	Zone     *time.Location // where Date writes times: Config.Location
	// LangSwitch shows the language switch (public and recipient pages;
	// the sender pages have their own); Back is where it returns.
	LangSwitch bool
	Back       string
	Data       any
}

// page fills the common frame for c.
func (s *Server) page(c echo.Context, lang, title string, data any) pageData {
	csrf, _ := c.Get(csrfContextKey).(string)
	if lang != "en" {
		lang = "fr"
	}
	return pageData{Lang: lang, Title: title, Provider: s.svc.Letters.Provider(), CSRF: csrf, Token: c.Param("token"),
		Zone: s.cfg.Location, Back: backPath(c.Request(), c.Param("token")), Data: data}
}

// publicPage is page for the pages anyone may reach (home, verification,
// why): the reader's chosen language, else the browser's, and the switch.
func (s *Server) publicPage(c echo.Context, title string, data any) pageData {
	lang := chosenLang(c)
	if lang == "" {
		lang = acceptLanguage(c.Request())
	}
	p := s.page(c, lang, title, data)
	p.LangSwitch = true
	return p
}

// OtherLang is the language the switch offers.
func (p pageData) OtherLang() string {
	if p.Lang == "en" {
		return "fr"
	}
	return "en"
}

// render executes page name into a buffer first, so that a template error
// becomes a clean error page rather than half a page.
func (s *Server) render(c echo.Context, status int, name string, p pageData) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Response().Header().Set("Content-Language", p.Lang)
	return c.HTMLBlob(status, b.Bytes())
}

// T returns the catalogue text key in the page's language, formatted with
// args. An unknown key shows as [[key]], which the page tests look for.
func (p pageData) T(key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return "[[" + key + "]]"
	}
	f := m.fr
	if p.Lang == "en" {
		f = m.en
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Date writes t in the deadline zone in words, naming it: "8 décembre 2026
// à 23:59, heure de Paris" or "8 December 2026 at 23:59, Paris time".
func (p pageData) Date(t time.Time) string {
	l, city := t.In(p.Zone), core.ZoneCity(p.Zone)
	if p.Lang == "en" {
		return fmt.Sprintf("%d %s %d at %02d:%02d, %s time", l.Day(), l.Month(), l.Year(), l.Hour(), l.Minute(), city)
	}
	day := fmt.Sprint(l.Day())
	if l.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d à %02d:%02d, heure de %s", day, monthsFR[l.Month()-1], l.Year(), l.Hour(), l.Minute(), city)
}

// Authority writes the name a token gives its time-stamping authority for
// people: an embedded authority in the reader's words (its certificate's
// name, which is evidence, is English), any other as named.
func (p pageData) Authority(tsa string) string {
	if provider, ok := core.EmbeddedTSAProvider(tsa); ok {
		return p.T("tsa_embedded", provider)
	}
	return tsa
}

// Size writes a byte count for people, as error messages do: "834 octets",
// "12,3 ko", "25 Mo", "4.1 MB" (binary multiples, so that a limit of
// 25 << 20 bytes reads "25 Mo").
func (p pageData) Size(n int64) string { return p.bytes(core.Bytes(n)) }

func (p pageData) bytes(b core.Bytes) string {
	if p.Lang == "en" {
		return b.String()
	}
	return b.Format(",", "octets", "ko", "Mo", "Go")
}

// acceptLanguage picks fr or en for pages not tied to a letter (errors,
// the verification page): English only when the browser prefers it.
func acceptLanguage(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return "fr"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "fr"
}

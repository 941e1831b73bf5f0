package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// The sender's pages (/app/...): letters, composing, one letter. They use
// the recipient pages' layout, catalogue and CSRF, add a navigation bar
// (templates/sender_nav.html) and their own stylesheet for wider tables
// and forms, linked from the page body because the layout's head is shared.

// senderUI holds the state of the sender's pages: the drafts waiting for
// confirmation.
type senderUI struct {
	*Server
	drafts *draftStore
}

func newSenderUI(s *Server) *senderUI {
	addNav(s.pages)
	return &senderUI{Server: s, drafts: newDraftStore(s.cfg.Now, s.svc.Letters.Limits())}
}

// addNav gives the sender's and account pages the navigation partial.
// Pages are parsed at start-up and never executed before, so they can
// still take a definition.
func addNav(pages map[string]*template.Template) {
	delete(pages, "sender_nav")
	for name, t := range pages {
		if strings.HasPrefix(name, "sender_") {
			template.Must(t.ParseFS(templateFS, "templates/sender_nav.html"))
		}
	}
}

// langCookie remembers a language chosen with ?lang=, over
// Accept-Language.
const langCookie = "lre_lang"

// uiLang picks the language of a sender page: ?lang=fr|en (remembered),
// then the remembered choice, then the browser's preference.
func (s *Server) uiLang(c echo.Context) string {
	if l := c.QueryParam("lang"); l == "fr" || l == "en" {
		c.SetCookie(&http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := c.Cookie(langCookie); err == nil && (ck.Value == "fr" || ck.Value == "en") {
		return ck.Value
	}
	return acceptLanguage(c.Request())
}

// appFrame is what the navigation bar shows.
type appFrame struct {
	User    core.User
	CanSend bool
	LangFR  string // this page in French
	LangEN  string
}

// frameOf links the language switch to this page when it can be fetched
// again; an answer to a POST has no switch.
func frameOf(c echo.Context) appFrame {
	u := userOf(c)
	f := appFrame{User: u, CanSend: u.MaySend()}
	if r := c.Request(); r.Method == http.MethodGet {
		f.LangFR, f.LangEN = withLang(r.URL, "fr"), withLang(r.URL, "en")
	}
	return f
}

func withLang(u *url.URL, lang string) string {
	q := u.Query()
	q.Set("lang", lang)
	return u.Path + "?" + q.Encode()
}

// renderApp renders a sender page in the user's language.
func (s *Server) renderApp(c echo.Context, status int, name, title string, data any) error {
	return s.render(c, status, name, s.page(c, s.uiLang(c), title, data))
}

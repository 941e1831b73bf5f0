package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// langSet is POST /lang: the language switch of the public and recipient
// pages. A form with the CSRF token rather than a link, so that no other
// site can flip a reader's language, and a POST because it changes what
// every later page says. The choice lives in the same cookie as the
// sender pages' and goes back to the page the reader was on.
func (s *Server) langSet(c echo.Context) error {
	lang, err := formValue(c, "lang", 8)
	if err != nil {
		return err
	}
	if lang != "fr" && lang != "en" {
		return core.FieldError(core.EINVALID, "lang", "choose fr or en")
	}
	back, err := formValue(c, "back", 1024)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, localPath(back))
}

// chosenLang is the language the reader picked with the switch, "" when
// none: it wins over the letter's language and the browser's.
func chosenLang(c echo.Context) string {
	if ck, err := c.Cookie(langCookie); err == nil && (ck.Value == "fr" || ck.Value == "en") {
		return ck.Value
	}
	return ""
}

// localPath keeps only a path of this site: never another host ("//x",
// "/\x", "https://x"), so that the switch cannot be an open redirect.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return "/"
	}
	return p
}

// backPath is where the switch returns: the page itself after a GET; after
// a POST (which must not be replayed) the page that step came from.
func backPath(r *http.Request, token string) string {
	if r.Method == http.MethodGet {
		if len(r.URL.RequestURI()) > 1024 {
			return r.URL.Path
		}
		return r.URL.RequestURI()
	}
	switch {
	case token != "" && strings.HasSuffix(r.URL.Path, "/verify"):
		return "/r/" + token + "/identify"
	case token != "" && strings.HasSuffix(r.URL.Path, "/decide"):
		return "/r/" + token + "/choice"
	case token != "":
		return "/r/" + token
	case strings.HasPrefix(r.URL.Path, "/verify"):
		return "/verify"
	}
	return "/"
}

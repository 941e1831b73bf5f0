package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// Web sessions: the browser holds only a random session id in a cookie the
// page scripts cannot read (there are none anyway); the server keeps its
// hash and the timeouts (core.Service.SessionUser). Over HTTPS the cookie
// is __Host- prefixed and Secure, so no subdomain or plain-HTTP page can
// set or read it.

// sessionCookie is the cookie's name: __Host-lre_session over HTTPS, else
// lre_session for local development over plain HTTP.
func (s *Server) sessionCookie() string {
	if s.secure() {
		return "__Host-lre_session"
	}
	return "lre_session"
}

func (s *Server) setSession(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: s.sessionCookie(), Value: token, Path: "/",
		MaxAge:   int(s.svc.Accounts.SessionPolicy().Absolute.Seconds()),
		Secure:   s.secure(),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1, Secure: s.secure(), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) sessionToken(c echo.Context) string {
	ck, err := c.Cookie(s.sessionCookie())
	if err != nil {
		return ""
	}
	return ck.Value
}

// requireSession authenticates a page request by its session cookie and
// puts the user where requireAPIKey puts it, so that the same handlers
// serve both. Without a live session a GET goes to the login page, which
// comes back here afterwards; anything else is 401.
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, auth, err := s.svc.Accounts.SessionAuthentication(c.Request().Context(), s.sessionToken(c))
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			if s.sessionToken(c) != "" {
				s.clearSession(c)
			}
			if safeMethod(c.Request().Method) {
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			return err
		}
		if err != nil {
			return err
		}
		c.Set(ctxUser, u)
		c.Set(ctxAuth, auth)
		return next(c)
	}
}

// localNext keeps a post-login destination only when it is a page of the
// application, so that the login form is no open redirect.
func localNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/app/") || strings.Contains(next, "\\") {
		return "/app/letters"
	}
	return u.RequestURI()
}

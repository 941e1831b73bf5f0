package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

const ctxUser = "lre.user"

// requireAPIKey authenticates "Authorization: Bearer KEY".
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		key, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || key == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="lre"`)
			return core.Errorf(core.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key>")
		}
		u, err := s.svc.Accounts.Authenticate(c.Request().Context(), strings.TrimSpace(key))
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="lre", error="invalid_token"`)
			return err
		}
		c.Set(ctxUser, u)
		return next(c)
	}
}

// ctxAuth holds how the request's user authenticated (core.Authentication),
// for the evidence of what they do; an API key leaves it unset.
const ctxAuth = "lre.auth"

// authOf is how the request's user authenticated: the session's login, or
// an API key.
func authOf(c echo.Context) core.Authentication {
	if a, ok := c.Get(ctxAuth).(core.Authentication); ok {
		return a
	}
	return core.Authentication{Method: core.MethodAPIKey, Assurance: core.AssuranceLow}
}

func userOf(c echo.Context) core.User {
	u, _ := c.Get(ctxUser).(core.User)
	return u
}

// withAuth is req made by a user authenticated as a.
func withAuth(req core.DepositRequest, a core.Authentication) core.DepositRequest {
	req.Auth = a
	return req
}

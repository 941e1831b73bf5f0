package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// userPasswordLink is POST /api/v1/users/:id/password-link, for admins: a
// new one-use link (72 h) for a user of their organisation to choose a web
// password, to hand over like the one given at creation.
func (s *Server) userPasswordLink(c echo.Context) error {
	id := c.Param("id")
	if id == "" || len(id) > 64 {
		return core.Errorf(core.ENOTFOUND, "no such user")
	}
	url, expires, err := s.svc.Accounts.IssuePasswordLink(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"set_password_url":        url,
		"set_password_expires_at": rfc3339(expires),
	})
}

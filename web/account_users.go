package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// userJSON describes a user of the caller's organisation.
type userJSON struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Organisation string    `json:"organisation"`
	Role         core.Role `json:"role"`
	CreatedAt    string    `json:"created_at"`
}

func userView(u core.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Organisation: u.Organisation, Role: u.Role, CreatedAt: rfc3339(u.CreatedAt)}
}

// userCreate is POST /api/v1/users {"email", "name", "role"}, for admins:
// a user of the admin's own organisation. The answer holds, once, the
// new user's first API key and a link to choose a web password (72 h).
func (s *Server) userCreate(c echo.Context) error {
	var in struct {
		Email string    `json:"email"`
		Name  string    `json:"name"`
		Role  core.Role `json:"role"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	u, inv, err := s.svc.Accounts.CreateOrgUser(c.Request().Context(), userOf(c), in.Email, in.Name, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"user":                    userView(u),
		"api_key":                 inv.APIKey,
		"set_password_url":        inv.PasswordURL,
		"set_password_expires_at": rfc3339(inv.Expires),
	})
}

// userList is GET /api/v1/users, for admins: their organisation's users.
func (s *Server) userList(c echo.Context) error {
	users, err := s.svc.Accounts.OrgUsers(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		out = append(out, userView(u))
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

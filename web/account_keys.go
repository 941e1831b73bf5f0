package web

import (
	"encoding/json"
	"github.com/lre-project/lre/core/accounts"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// keyJSON describes an API key; Key, the secret, is set only in the
// answer that creates it.
type keyJSON struct {
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	Prefix     string `json:"prefix"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at,omitempty"`
	Key        string `json:"key,omitempty"`
}

func keyView(k accounts.APIKey) keyJSON {
	return keyJSON{ID: k.ID, Label: k.Label, Prefix: k.Prefix, CreatedAt: rfc3339(k.CreatedAt), LastUsedAt: rfc3339(k.LastUsedAt)}
}

// readJSON decodes a small JSON body into v; an empty body leaves v as is.
func readJSON(c echo.Context, v any) error {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, maxFieldBytes+1))
	if err != nil {
		return core.Errorf(core.EINVALID, "could not read the request body")
	}
	if len(b) > maxFieldBytes {
		return core.Errorf(core.ETOOLARGE, "the request body is longer than %s", core.Bytes(maxFieldBytes))
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return core.Errorf(core.EINVALID, "the body must be a JSON object: %v", err)
	}
	return nil
}

// keyCreate is POST /api/v1/keys {"label": "..."}: a new key for the
// caller, shown once in "key".
func (s *Server) keyCreate(c echo.Context) error {
	var in struct {
		Label string `json:"label"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	k, secret, err := s.svc.Accounts.CreateAPIKey(c.Request().Context(), userOf(c), in.Label)
	if err != nil {
		return err
	}
	out := keyView(k)
	out.Key = secret
	c.Response().Header().Set("Location", "/api/v1/keys/"+k.ID)
	return c.JSON(http.StatusCreated, out)
}

// keyList is GET /api/v1/keys: the caller's keys, never their secrets.
func (s *Server) keyList(c echo.Context) error {
	keys, err := s.svc.Accounts.APIKeys(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	out := make([]keyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, keyView(k))
	}
	return c.JSON(http.StatusOK, map[string]any{"keys": out})
}

// keyRevoke is DELETE /api/v1/keys/:id; another user's key is 404.
func (s *Server) keyRevoke(c echo.Context) error {
	if err := s.svc.Accounts.RevokeAPIKey(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

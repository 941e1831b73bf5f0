package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// webhookList is GET /api/v1/webhooks: the organisation's webhooks.
func (s *Server) webhookList(c echo.Context) error {
	hooks, err := s.svc.Webhooks.Webhooks(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	out := make([]webhookJSON, 0, len(hooks))
	for _, w := range hooks {
		out = append(out, webhookView(w))
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": out})
}

// webhookDelete is DELETE /api/v1/webhooks/:id; queued deliveries are
// cancelled.
func (s *Server) webhookDelete(c echo.Context) error {
	if err := s.svc.Webhooks.DeleteWebhook(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

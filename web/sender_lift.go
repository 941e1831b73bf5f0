package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// senderLift is POST /api/v1/senders/:id/lift-suspension (admins only).
func (s *Server) senderLift(c echo.Context) error {
	id := c.Param("id")
	if id == "" || len(id) > 64 {
		return core.Errorf(core.ENOTFOUND, "no such sender")
	}
	if err := s.svc.Letters.LiftSuspension(c.Request().Context(), userOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

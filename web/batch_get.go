package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// batchGet is GET /api/v1/batches/:id: progress and each letter's status.
func (s *Server) batchGet(c echo.Context) error {
	st, err := s.svc.Batches.Status(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, batchView(st))
}

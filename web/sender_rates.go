package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// senderRates is GET /api/v1/senders/me/rates: the caller's recent delivery
// statistics and whether sending is suspended.
func (s *Server) senderRates(c echo.Context) error {
	r, err := s.svc.Letters.SenderRates(c.Request().Context(), userOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

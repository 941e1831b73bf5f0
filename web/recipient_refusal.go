package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// recipientRefusal is GET /r/:token/refusal.pdf: the proof of refusal,
// for the identified recipient who refused.
func (s *Server) recipientRefusal(c echo.Context) error {
	pdf, err := s.svc.Evidence.RecipientRefusal(c.Request().Context(), c.Param("token"), s.recipientSession(c))
	if err != nil {
		return s.recipientFail(c, err)
	}
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+v.NoticeID+`-refusal.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

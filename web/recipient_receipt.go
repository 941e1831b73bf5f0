package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// recipientReceipt is GET /r/:token/receipt.pdf: the proof of receipt, for
// the identified recipient of an accepted letter.
func (s *Server) recipientReceipt(c echo.Context) error {
	pdf, err := s.svc.Evidence.RecipientReceipt(c.Request().Context(), c.Param("token"), s.recipientSession(c))
	if err != nil {
		return s.recipientFail(c, err)
	}
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+v.NoticeID+`-receipt.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

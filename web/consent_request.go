package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

type consentRequestJSON struct {
	Email    string `json:"email" form:"email"`
	Name     string `json:"name" form:"name"`
	Language string `json:"language" form:"language"`
}

type consentJSON struct {
	Email  string `json:"email"`
	Status string `json:"status"`
}

// consentRequest is POST /api/v1/consents (JSON or form fields email, name,
// language): email a consumer the link to agree (L.100).
func (s *Server) consentRequest(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBytes)
	var req consentRequestJSON
	if err := c.Bind(&req); err != nil {
		return core.Errorf(core.EINVALID, "send email, name and language as JSON or form fields (at most %s)", core.Bytes(maxFormBytes))
	}
	rec, err := s.svc.Consent.RequestConsent(c.Request().Context(), userOf(c), req.Email, req.Name, req.Language)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, consentJSON{Email: rec.Email, Status: rec.Status})
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// consentView is the Data of the consent pages.
type consentView struct {
	Record  core.ConsentRecord
	Text    string
	Version string
	Done    bool // the page answers a POST
}

// consentPage is GET /consent/:token: the exact text the consumer agrees
// to, where they stand, and the buttons. Showing it changes nothing.
func (s *Server) consentPage(c echo.Context) error {
	rec, err := s.svc.Consent.ConsentByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.renderConsent(c, rec, false)
}

func (s *Server) renderConsent(c echo.Context, rec core.ConsentRecord, done bool) error {
	v := consentView{Record: rec, Text: core.ConsentTextFor(rec.Language), Version: core.ConsentTextVersion, Done: done}
	title := "consent_title"
	if done {
		title = "consent_" + rec.Status + "_title"
	}
	return s.render(c, http.StatusOK, "consent", s.page(c, rec.Language, title, v))
}

package web

import (
	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// consentSet is POST /consent/:token with action=give or withdraw; core
// records ConsentGiven or ConsentWithdrawn with the text shown.
func (s *Server) consentSet(c echo.Context) error {
	action, _ := formValue(c, "action", 16)
	if action != "give" && action != "withdraw" {
		return core.FieldError(core.EINVALID, "action", "choose give or withdraw")
	}
	rec, err := s.svc.Consent.SetConsent(c.Request().Context(), c.Param("token"), action == "give", accessOf(c))
	if err != nil {
		return err
	}
	return s.renderConsent(c, rec, true)
}

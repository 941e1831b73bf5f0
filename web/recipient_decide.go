package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientDecide is POST /r/:token/decide. Without confirm=yes it only
// shows what the choice will do; with it, core records the decision once.
func (s *Server) recipientDecide(c echo.Context) error {
	token := c.Param("token")
	action, _ := formValue(c, "action", 16)
	if action != "accept" && action != "refuse" {
		return core.FieldError(core.EINVALID, "action", "choose accept or refuse")
	}
	if c.Request().PostFormValue("confirm") != "yes" {
		return s.confirmDecision(c, action)
	}
	_, err := s.svc.Letters.Decide(c.Request().Context(), token, s.recipientSession(c), action == "accept", accessOf(c))
	if err != nil {
		return s.recipientFail(c, err)
	}
	if action == "accept" {
		return c.Redirect(http.StatusSeeOther, "/r/"+token+"/letter")
	}
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return s.renderLetter(c, http.StatusOK, "recipient_refused", "refused_title", letterPage{View: v})
}

// confirmDecision is the page between the choice and the decision, for an
// identified recipient of an open letter.
func (s *Server) confirmDecision(c echo.Context, action string) error {
	if _, err := s.checkSession(c); err != nil {
		return s.recipientFail(c, err)
	}
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if v.Stage != core.StageOpen {
		return s.renderState(c, http.StatusConflict, v)
	}
	return s.renderLetter(c, http.StatusOK, "recipient_confirm", "confirm_title_"+action, letterPage{View: v, Action: action})
}

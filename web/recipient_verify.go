package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientVerify is POST /r/:token/verify: check the code (and the
// answer to the sender's question), then open a 30-minute session.
func (s *Server) recipientVerify(c echo.Context) error {
	token := c.Param("token")
	code, err := formValue(c, "code", 32)
	if err != nil {
		return s.wrongCode(c, err)
	}
	answer, err := formValue(c, "knowledge_answer", 400)
	if err != nil {
		return s.wrongCode(c, err)
	}
	session, err := s.svc.Letters.VerifyCode(c.Request().Context(), token, code, answer, accessOf(c))
	if core.ErrorCode(err) == core.EINVALID {
		return s.wrongCode(c, err)
	}
	if err != nil {
		return s.recipientFail(c, err)
	}
	s.setRecipientSession(c, session)
	return c.Redirect(http.StatusSeeOther, "/r/"+token+"/choice")
}

// wrongCode shows the code form again with what was wrong.
func (s *Server) wrongCode(c echo.Context, cause error) error {
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	lp := letterPage{View: v, Error: "err_code", Field: "code", Cause: cause}
	var ce *core.Error
	if errors.As(cause, &ce) && ce.Field == "knowledge_answer" {
		lp.Error, lp.Field = "err_knowledge", "knowledge_answer"
	}
	return s.renderLetter(c, http.StatusUnprocessableEntity, "recipient_identify", "identify_title", lp)
}

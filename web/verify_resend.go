package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// verifyResend is POST /verify/resend: after a genuine answer on /verify,
// mail a fresh link to the address the letter was sent to. The letter id
// and verification code are checked again (the page keeps no state), the
// answer never shows the address, and core spaces and caps the links;
// the pages' per-IP limits come on top.
func (s *Server) verifyResend(c echo.Context) error {
	id, err := formValue(c, "notice_id", 64)
	if err != nil {
		return err
	}
	code, err := formValue(c, "code", 64)
	if err != nil {
		return err
	}
	v := verifyView{NoticeID: id, Checked: true}
	status := http.StatusOK
	err = s.svc.Letters.ResendLink(c.Request().Context(), id, code)
	switch {
	case err == nil:
		v.Found, v.Resent = true, "resend_done"
	case core.ErrorCode(err) == core.ENOTFOUND:
	case core.ErrorCode(err) == core.ECONFLICT:
		v.Found, v.Resent = true, "resend_closed"
	case core.ErrorCode(err) == core.EUNAVAILABLE:
		v.Found, v.Resent, status = true, "resend_wait", http.StatusTooManyRequests
	default:
		return err
	}
	v.Check.NoticeID = id
	return s.render(c, status, "verify", s.publicPage(c, "verify_title", v))
}

package web

import (
	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// verifyCheck is POST /verify. A wrong id and a wrong code get the same
// answer, so the page tells nothing but "genuine" or "no match".
func (s *Server) verifyCheck(c echo.Context) error {
	id, err := formValue(c, "notice_id", 64)
	if err != nil {
		return err
	}
	code, err := formValue(c, "code", 64)
	if err != nil {
		return err
	}
	v := verifyView{NoticeID: id, Checked: true}
	chk, err := s.svc.Letters.CheckNotification(c.Request().Context(), id, code)
	switch {
	case err == nil:
		v.Found, v.Check, v.Code = true, chk, code
		v.Open = chk.Stage == core.StageOpen
	case core.ErrorCode(err) != core.ENOTFOUND:
		return err
	}
	return s.renderVerify(c, v)
}

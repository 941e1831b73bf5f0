package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// verifyView is the Data of the verification page. It holds a
// NotificationCheck, which names neither the sender nor the subject.
type verifyView struct {
	NoticeID string
	Checked  bool
	Found    bool
	Open     bool
	Check    core.NotificationCheck
}

// verifyForm is GET /verify: the form, in the browser's language.
func (s *Server) verifyForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "verify", s.page(c, acceptLanguage(c.Request()), "verify_title", verifyView{}))
}

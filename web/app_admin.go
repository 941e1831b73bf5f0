package web

import (
	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// appAdmin serves the pages of the application that manage the account
// and the organisation (API keys, users, webhooks, consent requests,
// settings). They hold no rule: each asks the domain, which refuses with
// the error the page shows, and a secret made by a POST is shown once
// through a flash (app_flash.go).
type appAdmin struct {
	*Server
	flashes *flashStore
}

func newAppAdmin(s *Server) *appAdmin {
	return &appAdmin{Server: s, flashes: newFlashStore(s.cfg.Now)}
}

// formProblem is why a form of these pages was refused: a catalogue key,
// the input at fault and core's message in the reader's language.
type formProblem struct {
	Error  string
	Field  string
	Detail string
}

// problemOf turns the errors a person can fix into a formProblem shown on
// the form, with the status of the one table; ok is false for the others,
// which go to the error page.
func (a *appAdmin) problemOf(c echo.Context, err error) (formProblem, int, bool) {
	code := core.ErrorCode(err)
	switch code {
	case core.EINVALID, core.ETOOLARGE, core.ECONFLICT, core.EREFUSED:
		return formProblem{Error: "app_err_" + code, Field: fieldOf(err), Detail: a.localError(err, a.uiLang(c))}, statusOf[code], true
	}
	return formProblem{}, 0, false
}

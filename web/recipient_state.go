package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// recipientSessionMaxAge matches core's recipient session validity (30 minutes).
const recipientSessionMaxAge = 30 * 60

// letterPage is the Data of every recipient page. It holds a LetterView,
// which by construction has no sender, subject nor content.
type letterPage struct {
	View   core.LetterView
	State  string // View.Stage, for the templates
	Error  string // catalogue key of the message to show, if any
	Field  string // the input at fault
	Detail string // Cause in the page's language (localError)
	Cause  error
	Action string // accept or refuse, on the confirmation page
	Until  time.Time
	// Means are the ways to identify this letter allows (oidc_means.go);
	// Refusal why an identity provider's sign-in was refused.
	Means   means
	Refusal *core.IdentityRefusal
}

// renderLetter renders a recipient page for v in the letter's language.
func (s *Server) renderLetter(c echo.Context, status int, name, title string, lp letterPage) error {
	lp.State = string(lp.View.Stage)
	lp.Means = s.meansFor(lp.View)
	lang := cmpOr(chosenLang(c), lp.View.Language)
	if lp.Cause != nil {
		lp.Detail = s.localError(lp.Cause, lang)
	}
	p := s.page(c, lang, title, lp)
	p.LangSwitch = true
	return s.render(c, status, name, p)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// renderState shows a letter that is no longer open: accepted, refused,
// not claimed or closed.
func (s *Server) renderState(c echo.Context, status int, v core.LetterView) error {
	return s.renderLetter(c, status, "recipient_state", "state_"+string(v.Stage), letterPage{View: v})
}

// recipientFail turns core's refusals into recipient pages in the letter's
// language: the letter's state once it is no longer open (whatever else
// is wrong, that is what the recipient needs to know), a wait page when
// locked or asked too soon, a way back when not identified. Other errors
// go to pageError.
func (s *Server) recipientFail(c echo.Context, err error) error {
	code := core.ErrorCode(err)
	if code != core.ECONFLICT && code != core.EUNAVAILABLE && code != core.EUNAUTHORIZED && code != core.EFORBIDDEN {
		return err
	}
	v, verr := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if verr != nil {
		return verr
	}
	lp := letterPage{View: v, Cause: err}
	// A refused or expired letter answers with its state page whatever was
	// asked; only an accepted one keeps the error (its content stays
	// reachable after identifying again).
	if v.Stage != core.StageOpen && (code != core.EFORBIDDEN || v.Status != core.StatusAccepted) {
		return s.renderState(c, http.StatusConflict, v)
	}
	if r := refusalOf(err); r != nil {
		return s.renderRefusal(c, v, err, r)
	}
	switch code {
	case core.ECONFLICT:
		return s.renderLetter(c, http.StatusConflict, "recipient_problem", "err_conflict", lp)
	case core.EUNAVAILABLE:
		lp.Error, lp.Until = "err_wait", v.NextCodeAt
		if v.LockedUntil.After(s.cfg.Now()) {
			lp.Error, lp.Until = "err_locked", v.LockedUntil
		}
		c.Response().Header().Set("Retry-After", retryAfter(lp.Until, s.cfg.Now()))
		return s.renderLetter(c, http.StatusTooManyRequests, "recipient_problem", "err_too_many", lp)
	case core.EUNAUTHORIZED:
		lp.Error = "identify_first"
		return s.renderLetter(c, http.StatusUnauthorized, "recipient_problem", "err_unauthorized", lp)
	}
	lp.Error = "content_after_accept"
	return s.renderLetter(c, http.StatusForbidden, "recipient_problem", "err_forbidden", lp)
}

func (s *Server) recipientCookie() string {
	if s.secure() {
		return "__Host-lre_rs"
	}
	return "lre_rs"
}

// setRecipientSession keeps the recipient's session secret in a cookie scripts
// cannot read and other sites cannot send.
func (s *Server) setRecipientSession(c echo.Context, session string) {
	c.SetCookie(&http.Cookie{
		Name: s.recipientCookie(), Value: session, Path: "/", MaxAge: recipientSessionMaxAge,
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) recipientSession(c echo.Context) string {
	ck, err := c.Cookie(s.recipientCookie())
	if err != nil || len(ck.Value) > 200 {
		return ""
	}
	return ck.Value
}

// checkSession tells whether the request carries a session for this
// letter. Core has no such query, so it asks AcceptedLetter and reads the
// error: EFORBIDDEN means identified but not yet accepted. The letter it
// may return is dropped unseen.
func (s *Server) checkSession(c echo.Context) (accepted bool, err error) {
	_, err = s.svc.Letters.AcceptedLetter(c.Request().Context(), c.Param("token"), s.recipientSession(c))
	if err == nil {
		return true, nil
	}
	if core.ErrorCode(err) == core.EFORBIDDEN {
		return false, nil
	}
	return false, err
}

// retryAfter is the Retry-After value until t: whole seconds, at least 1
// (60 when t is unknown).
func retryAfter(t, now time.Time) string {
	if t.IsZero() {
		return "60"
	}
	return strconv.Itoa(max(1, int(t.Sub(now).Seconds()+0.999)))
}

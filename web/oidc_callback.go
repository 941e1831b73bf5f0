package web

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// oidcCallback is GET /oidc/callback, where the provider sends the browser
// back with a code. It is a GET because providers redirect so: it may open
// an identification session (a recipient) or a login session (a sender),
// never decide anything, so a mail scanner replaying it changes no letter.
// The sign-in cookie is spent at once, and the state must equal the one
// it carries, so a callback that this browser did not ask for is refused.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	si, ok := s.takeSignIn(c)
	q := c.Request().URL.Query()
	state, code := q.Get("state"), q.Get("code")
	if !ok || len(state) > 512 || len(code) > 4096 || subtle.ConstantTimeCompare([]byte(state), []byte(si.State)) != 1 {
		return s.signInLost(c)
	}
	if si.Purpose == purposeRecipient {
		c.SetParamNames("token")
		c.SetParamValues(si.Token)
	}
	var ident core.ProvidedIdentity
	var err error
	if q.Get("error") != "" || code == "" {
		err = &core.Error{Code: core.EUNAUTHORIZED, Message: "the sign-in was cancelled or refused at the identity provider", Err: &core.IdentityRefusal{Reason: core.ReasonCancelled}}
	} else {
		ident, err = s.oidc.cfg.Provider.Exchange(c.Request().Context(), code, si.Verifier, si.Nonce)
	}
	if si.Purpose == purposeSender {
		return s.senderSignedIn(c, si, ident, err)
	}
	return s.recipientSignedIn(c, si, ident, err)
}

// recipientSignedIn opens the recipient's session when the provider's
// identity satisfies the letter; otherwise it records why (for a token the
// adapter refused, or a person core refused) and says what to do.
func (s *Server) recipientSignedIn(c echo.Context, si signIn, ident core.ProvidedIdentity, err error) error {
	ctx := c.Request().Context()
	if err == nil {
		var session string
		session, err = s.svc.Letters.IdentifyWithProvider(ctx, si.Token, ident, si.Answer, accessOf(c))
		if err == nil {
			s.setRecipientSession(c, session)
			return c.Redirect(http.StatusSeeOther, "/r/"+si.Token+"/choice")
		}
		if core.ErrorCode(err) == core.EINVALID {
			return s.wrongAnswer(c, err)
		}
	} else if r := refusalOf(err); r != nil && r.Reason != core.ReasonCancelled && core.ErrorCode(err) != core.EUNAVAILABLE {
		// The cause (the library's words: no personal data) is what an
		// operator needs to mend a provider's configuration.
		s.log.Warn("identity provider answer refused", "reason", r.Reason, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
		if ferr := s.svc.Letters.ProviderFailed(ctx, si.Token, s.oidc.cfg.Provider.Issuer(), r.Reason, accessOf(c)); ferr != nil && core.ErrorCode(ferr) != core.EINVALID {
			return ferr
		}
	}
	return s.recipientFail(c, err)
}

// renderRefusal says why an identification was refused and what to do:
// 401 when the provider's answer was not trusted, 403 when the person it
// identified does not satisfy the letter, 503 when it could not be asked.
func (s *Server) renderRefusal(c echo.Context, v core.LetterView, err error, r *core.IdentityRefusal) error {
	status := http.StatusForbidden
	switch core.ErrorCode(err) {
	case core.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case core.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
		c.Response().Header().Set("Retry-After", "60")
	}
	return s.renderLetter(c, status, "recipient_signin_refused", "oidc_refused_title", letterPage{View: v, Refusal: r, Cause: err})
}

func refusalOf(err error) *core.IdentityRefusal {
	var r *core.IdentityRefusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// signInLost answers a callback without its sign-in (expired, spent, from
// another browser, or forged): nothing is known about whose it is, so
// nothing is recorded.
func (s *Server) signInLost(c echo.Context) error {
	return s.render(c, http.StatusBadRequest, "signin_lost", s.page(c, acceptLanguage(c.Request()), "oidc_lost_title", nil))
}

// wrongAnswer shows the landing page again when the identity was right but
// the answer to the sender's question was not.
func (s *Server) wrongAnswer(c echo.Context, cause error) error {
	v, err := s.svc.Letters.ViewLink(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	lp := letterPage{View: v, Error: "err_knowledge", Field: "knowledge_answer", Cause: cause}
	return s.renderLetter(c, http.StatusUnprocessableEntity, "recipient_open", "open_title", lp)
}

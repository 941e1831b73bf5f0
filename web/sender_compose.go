package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// composeView is the Data of the compose form, also shown again with the
// sender's values and the error when a preview is refused.
type composeView struct {
	Frame  appFrame
	Limits core.Limits
	Form   map[string]string
	Error  string // catalogue key
	Field  string // the input at fault
	Detail string // core's message
	// ConsentLink, for a consumer who has not consented, leads to the
	// consent request for them, filled in.
	ConsentLink string
	keptFiles   // the files a refused preview kept (sender_kept.go)
}

// previewView is the Data of the confirmation page: exactly what will be
// sent, with each part's SHA-256, and the letters it would repeat.
type previewView struct {
	Frame      appFrame
	DraftID    string
	Req        core.DepositRequest
	BodySize   int64
	BodySHA256 string
	Total      int64
	Duplicates []core.Notice // sent to the same recipient with the same files lately
}

// fileCheck is what the file input's data- attributes give
// static/compose.js: the limits the server enforces and the files a
// refused preview kept, which count against them.
type fileCheck struct {
	Limits    core.Limits
	Invalid   bool // the server refused the attachments
	KeptFiles int
	KeptBytes int64
}

// FileCheck is the compose form's file check (partials/file_check.html).
func (v composeView) FileCheck() fileCheck {
	return fileCheck{Limits: v.Limits, Invalid: v.Field == "attachments", KeptFiles: len(v.KeptFiles), KeptBytes: v.KeptBytes}
}

// compose is GET /app/letters/new.
func (ui *senderUI) compose(c echo.Context) error {
	if err := core.CheckSender(userOf(c)); err != nil {
		return err
	}
	form := map[string]string{"recipient_type": core.RecipientProfessional, "language": ui.uiLang(c)}
	return ui.renderCompose(c, http.StatusOK, composeView{Form: form})
}

func (ui *senderUI) renderCompose(c echo.Context, status int, v composeView) error {
	v.Frame, v.Limits = frameOf(c), ui.svc.Letters.Limits()
	return ui.renderApp(c, status, "sender_compose", "snd_compose_title", v)
}

// refuseCompose shows the form again with what the sender typed, the
// files already uploaded (kept as a draft of the session, so that they
// need not be chosen again) and why it was refused; failures the sender
// cannot fix go to the error page.
func (ui *senderUI) refuseCompose(c echo.Context, req core.DepositRequest, form map[string]string, err error) error {
	code := core.ErrorCode(err)
	if code != core.EINVALID && code != core.ETOOLARGE && code != core.EREFUSED {
		return err
	}
	v := composeView{Form: form, Error: "snd_err_" + code, Field: fieldOf(err), Detail: ui.localError(err, ui.uiLang(c))}
	if errors.Is(err, core.ErrNoConsent) {
		v.ConsentLink = consentLink(form)
	}
	kept, kerr := ui.keep(c, req.Attachments)
	if kerr != nil {
		return kerr
	}
	v.keptFiles = kept
	return ui.renderCompose(c, statusOf[code], v)
}

// preview is POST /app/letters/preview (multipart): it reads and hashes
// the files once, keeps the letter as a draft of this session, and
// redirects to the draft's page (sender_draft_page.go), so that Back and
// reload never post the form again.
func (ui *senderUI) preview(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckSender(u); err != nil {
		return err
	}
	ui.keepCSRF(c)
	req, form, err := ui.readCompose(c)
	if err != nil {
		return ui.refuseCompose(c, req, form, err)
	}
	req.Sender = u
	if err := ui.svc.Letters.CheckDeposit(c.Request().Context(), req); err != nil {
		return ui.refuseCompose(c, req, form, err)
	}
	req.Sender = core.User{}
	id, err := ui.drafts.put(ui.draftOwner(c), req)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/letters/drafts/"+id)
}

// draftOwner ties drafts to the session, not only to the user.
func (ui *senderUI) draftOwner(c echo.Context) string {
	return hex.EncodeToString(core.HashSecret(ui.sessionToken(c)))
}

func hexDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

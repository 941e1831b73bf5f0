package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// send is POST /app/letters: the confirmation of a previewed draft. The
// deposit's Idempotency-Key is derived from the draft, and the draft is
// locked while it is sent, so a double click deposits one letter and both
// clicks land on it. A draft that repeats a recent letter (same recipient,
// same files) is sent only with the send_anyway box ticked; otherwise the
// sender goes back to the draft's page, which shows that letter.
func (ui *senderUI) send(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckSender(u); err != nil {
		return err
	}
	id, err := formValue(c, "draft", 64)
	if err != nil {
		return err
	}
	d, ok := ui.drafts.get(ui.draftOwner(c), id)
	if !ok {
		return ui.renderCompose(c, http.StatusGone, composeView{Form: map[string]string{"language": ui.uiLang(c)}, Error: "snd_err_draft"})
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sentID == "" {
		req := d.req
		if c.Request().PostFormValue("send_anyway") != "1" {
			dups, err := ui.svc.Letters.RecentDuplicates(c.Request().Context(), u, req)
			if err != nil {
				return err
			}
			if len(dups) > 0 {
				return c.Redirect(http.StatusSeeOther, "/app/letters/drafts/"+d.id)
			}
		}
		req.Sender, req.IdempotencyKey, req.Auth = u, "draft-"+d.id, authOf(c)
		n, _, err := ui.svc.Letters.Deposit(c.Request().Context(), req)
		if err != nil {
			return ui.refuseCompose(c, req, composeForm(req), err)
		}
		ui.drafts.sent(d, n.ID)
	}
	return c.Redirect(http.StatusSeeOther, "/app/letters/"+d.sentID)
}

// composeForm gives back a request's text fields, to refill the form.
func composeForm(r core.DepositRequest) map[string]string {
	return map[string]string{
		"recipient_email": r.RecipientEmail, "recipient_name": r.RecipientName, "recipient_type": r.RecipientType,
		"subject": r.Subject, "body": r.Body, "sender_reference": r.SenderReference, "language": r.Language,
		"knowledge_question": r.KnowledgeQuestion, "knowledge_answer": r.KnowledgeAnswer,
		"required_assurance": r.RequiredAssurance, "recipient_birthdate": r.RecipientBirthdate,
	}
}

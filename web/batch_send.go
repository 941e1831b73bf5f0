package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchSend is POST /app/batches: the confirmation of a previewed batch.
// Its Idempotency-Key is derived from the draft, which is locked while it
// is sent, so a double click or a resubmission sends one batch, and an
// error halfway is resumed by sending again.
func (ui *senderUI) batchSend(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckSender(u); err != nil {
		return err
	}
	id, err := formValue(c, "draft", 64)
	if err != nil {
		return err
	}
	d, ok := ui.drafts.get(ui.draftOwner(c), id)
	if !ok || (d.batch == nil && d.sentID == "") {
		return ui.renderBatchForm(c, http.StatusGone, batchFormView{Form: map[string]string{"language": ui.uiLang(c)}, Error: "snd_err_draft"})
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sentID == "" {
		st, _, err := ui.svc.Batches.Send(c.Request().Context(), batches.Request{Sender: u, IdempotencyKey: "draft-" + d.id, Recipients: d.batch, Letter: withAuth(d.req, authOf(c))})
		if err != nil {
			return ui.refuseBatch(c, d.req, map[string]string{"subject": d.req.Subject, "body": d.req.Body, "language": d.req.Language}, err)
		}
		ui.drafts.sent(d, st.Batch.ID)
	}
	return c.Redirect(http.StatusSeeOther, "/app/batches/"+d.sentID)
}

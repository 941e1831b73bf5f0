package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// previewRows is how many rows the preview lists; the others are checked
// the same way and counted.
const previewRows = 100

// batchPreviewView is the Data of the batch confirmation page.
type batchPreviewView struct {
	Frame   appFrame
	DraftID string
	Req     core.DepositRequest
	Rows    []batches.Row
	Total   int
	More    int
}

// batchPreview is POST /app/batches/preview (multipart): it reads the CSV
// and the files once, checks every row as the API would, keeps the batch
// as a draft of this session and shows what confirming will send.
func (ui *senderUI) batchPreview(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckSender(u); err != nil {
		return err
	}
	ui.keepCSRF(c)
	req, form, err := ui.readBatch(c, true)
	if err = ui.takeKept(c, &req.Letter, form, err); err != nil {
		return ui.refuseBatch(c, req.Letter, form, err)
	}
	req.Sender = u
	rows, err := ui.svc.Batches.Check(c.Request().Context(), req)
	if err != nil {
		return ui.refuseBatch(c, req.Letter, form, err)
	}
	id, err := ui.drafts.putBatch(ui.draftOwner(c), req.Letter, req.Recipients)
	if err != nil {
		return err
	}
	v := batchPreviewView{Frame: frameOf(c), DraftID: id, Req: req.Letter, Rows: rows[:min(len(rows), previewRows)], Total: len(rows)}
	v.More = v.Total - len(v.Rows)
	return ui.renderApp(c, http.StatusOK, "sender_batch_preview", "bat_preview_title", v)
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// draftPage is GET /app/letters/drafts/:id, the confirmation page a
// preview redirects to: exactly what will be sent and, when the same
// recipient got the same files lately, those letters and a box to tick to
// send anyway. A draft already sent leads to its letter, so that Back
// after sending shows the letter instead of offering to send it again.
func (ui *senderUI) draftPage(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckSender(u); err != nil {
		return err
	}
	d, ok := ui.drafts.get(ui.draftOwner(c), c.Param("id"))
	if !ok {
		return ui.renderCompose(c, http.StatusGone, composeView{Form: map[string]string{"language": ui.uiLang(c)}, Error: "snd_err_draft"})
	}
	d.mu.Lock()
	req, sent := d.req, d.sentID
	d.mu.Unlock()
	if sent != "" {
		return c.Redirect(http.StatusSeeOther, "/app/letters/"+sent)
	}
	dups, err := ui.svc.Letters.RecentDuplicates(c.Request().Context(), u, req)
	if err != nil {
		return err
	}
	v := previewView{Frame: frameOf(c), DraftID: d.id, Req: req, BodySize: int64(len(req.Body)), BodySHA256: hexDigest([]byte(req.Body)), Duplicates: dups}
	v.Total = draftSize(req)
	return ui.renderApp(c, http.StatusOK, "sender_preview", "snd_preview_title", v)
}

package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchPageView is the Data of a batch's page.
type batchPageView struct {
	Frame  appFrame
	Status batches.Status
	Counts []statusCount // in the order of a letter's life
}

type statusCount struct {
	Status core.Status
	N      int
}

// batchStatuses orders the counts of the batch page: rows not deposited
// yet, then the letters' statuses as the letters page lists them.
var batchStatuses = append([]core.Status{batches.StatusWaiting}, allStatuses...)

// batchPage is GET /app/batches/:id: counts per status, a link to each
// letter and the proofs. A batch the user may not see is 404.
func (ui *senderUI) batchPage(c echo.Context) error {
	st, err := ui.svc.Batches.Status(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := batchPageView{Frame: frameOf(c), Status: st}
	for _, s := range batchStatuses {
		if n := st.Counts[s]; n > 0 {
			v.Counts = append(v.Counts, statusCount{s, n})
		}
	}
	return ui.renderApp(c, http.StatusOK, "sender_batch", "bat_title", v)
}

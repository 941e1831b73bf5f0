package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchFormView is the Data of the batch form, also shown again with the
// sender's values and what was wrong when a preview is refused.
type batchFormView struct {
	Frame     appFrame
	Limits    core.Limits
	MaxRows   int
	Form      map[string]string
	Error     string // catalogue key
	Field     string // the input at fault
	Detail    string // core's message
	BadRows   []badRow
	keptFiles // the attachments a refused preview kept (sender_kept.go)
}

// FileCheck is the batch form's file check (partials/file_check.html).
func (v batchFormView) FileCheck() fileCheck {
	return fileCheck{Limits: v.Limits, Invalid: v.Field == "attachments", KeptFiles: len(v.KeptFiles), KeptBytes: v.KeptBytes}
}

// badRow is one refused row of the recipients file, in the reader's words.
type badRow struct {
	Line           int
	Field, Message string
}

// batchNew is GET /app/batches/new.
func (ui *senderUI) batchNew(c echo.Context) error {
	if err := core.CheckSender(userOf(c)); err != nil {
		return err
	}
	return ui.renderBatchForm(c, http.StatusOK, batchFormView{Form: map[string]string{"language": ui.uiLang(c)}})
}

func (ui *senderUI) renderBatchForm(c echo.Context, status int, v batchFormView) error {
	v.Frame, v.Limits, v.MaxRows = frameOf(c), ui.svc.Letters.Limits(), ui.svc.Batches.MaxRows()
	return ui.renderApp(c, status, "sender_batch_new", "bat_new_title", v)
}

// refuseBatch shows the form again with the sender's text, the
// attachments already uploaded (kept, as the compose form keeps them),
// every bad row or the one error; failures the sender cannot fix go to
// the error page.
func (ui *senderUI) refuseBatch(c echo.Context, letter core.DepositRequest, form map[string]string, err error) error {
	code := core.ErrorCode(err)
	if code != core.EINVALID && code != core.ETOOLARGE && code != core.EREFUSED && code != core.EKEYREUSED {
		return err
	}
	lang := ui.uiLang(c)
	v := batchFormView{Form: form, Error: "snd_err_" + code, Field: fieldOf(err), Detail: ui.localError(err, lang)}
	var re *batches.RowsError
	if errors.As(err, &re) {
		v.Error, v.Detail = "", ""
		for _, r := range re.Rows {
			v.BadRows = append(v.BadRows, badRow{Line: r.Line, Field: r.Field, Message: ui.localError(r.Err, lang)})
		}
	} else if v.Field == "recipients" {
		v.Error = "bat_err_file"
	}
	kept, kerr := ui.keep(c, letter.Attachments)
	if kerr != nil {
		return kerr
	}
	v.keptFiles = kept
	return ui.renderBatchForm(c, statusOf[code], v)
}

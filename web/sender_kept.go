package web

import (
	"errors"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// A refused upload form (compose, batch) keeps the files it had already
// read as a draft of the session, lists them, and sends their id back in
// the hidden field kept, so that the sender chooses only the missing ones
// again; kept_drop=1 forgets them.

// keptFields are the form fields that carry kept files.
var keptFields = map[string]int{"kept": 64, "kept_drop": 1}

// withKept adds the kept fields to a form's field table.
func withKept(fields map[string]int) map[string]int {
	m := map[string]int{}
	for k, v := range fields {
		m[k] = v
	}
	for k, v := range keptFields {
		m[k] = v
	}
	return m
}

// keptFiles are the files a refused form kept, as the form shows them.
type keptFiles struct {
	Kept      string // the kept draft's id
	KeptFiles []core.Upload
	KeptBytes int64
}

// keep stores files a refused form already read for the session's next
// try.
func (ui *senderUI) keep(c echo.Context, files []core.Upload) (keptFiles, error) {
	if len(files) == 0 {
		return keptFiles{}, nil
	}
	id, err := ui.drafts.putKept(ui.draftOwner(c), files)
	if err != nil {
		return keptFiles{}, err
	}
	return keptFiles{Kept: id, KeptFiles: files, KeptBytes: draftSize(core.DepositRequest{Attachments: files})}, nil
}

// takeKept puts the files the form's kept field names before the files
// just read into req, unless the sender dropped them, and removes both
// fields from fields. readErr is the reading's error, which wins; kept
// files that expired or belong to another session are an error of their
// own, so that the sender knows to choose them again.
func (ui *senderUI) takeKept(c echo.Context, req *core.DepositRequest, fields map[string]string, readErr error) error {
	id, drop := fields["kept"], fields["kept_drop"] == "1"
	delete(fields, "kept")
	delete(fields, "kept_drop")
	if id == "" || errors.Is(readErr, errCSRF) {
		return readErr
	}
	kept, ok := ui.drafts.takeKept(ui.draftOwner(c), id)
	switch {
	case ok && !drop:
		req.Attachments = slices.Concat(kept, req.Attachments)
	case !ok && !drop && readErr == nil:
		return core.FieldError(core.EINVALID, "attachments", "the files kept from the last try expired after %d minutes; choose them again", int(draftTTL.Minutes()))
	}
	return readErr
}

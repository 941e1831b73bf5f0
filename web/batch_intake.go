package web

import (
	"io"
	"mime/multipart"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchFieldNames are the text fields of a batch (API and page): the
// letter every row receives, read with the deposit's field table. The
// recipients come as the file part "recipients".
var batchFieldNames = []string{"subject", "body", "sender_reference", "language", "required_assurance"}

var batchLimits = fieldLimits(batchFieldNames...)

// batchPageLimits are the batch form's: the API's and the attachments a
// refused preview kept (sender_kept.go).
var batchPageLimits = withKept(batchLimits)

// readBatch streams a batch's multipart body: the recipients CSV (at most
// batches.MaxCSVBytes), the text fields, and the attachments under the
// deposit limits, hashed as read. With page set, it checks the form's CSRF
// token first, as the compose form does, and reads nothing before that
// check.
func (s *Server) readBatch(c echo.Context, page bool) (batches.Request, map[string]string, error) {
	limits := s.svc.Letters.Limits()
	fields := map[string]string{}
	var req batches.Request
	spec := formSpec{
		notMultipart: core.Errorf(core.EINVALID, "send the batch as multipart/form-data"),
		page:         page,
		fields:       batchLimits,
		extraBytes:   batches.MaxCSVBytes,
		extraParts:   1,
		file: func(p *multipart.Part, budget *int64) (bool, error) {
			return readBatchFile(p, &req, budget, limits)
		},
	}
	if page {
		spec.fields = batchPageLimits
	}
	err := s.readForm(c, spec, fields)
	if err == nil && req.Recipients == nil {
		err = core.FieldError(core.EINVALID, "recipients", "the batch has no recipients file: send it as the file part \"recipients\" (CSV with a header row email, name)")
	}
	if err == nil {
		fillDeposit(&req.Letter, fields)
	}
	return req, fields, err
}

// readBatchFile reads a batch's attachments and its recipients file.
func readBatchFile(p *multipart.Part, req *batches.Request, budget *int64, limits core.Limits) (bool, error) {
	switch name := p.FormName(); name {
	case "attachments":
		return true, readAttachment(p, &req.Letter, budget, limits)
	case "recipients":
		if req.Recipients != nil {
			return true, core.FieldError(core.EINVALID, name, "field recipients is given more than once")
		}
		b, err := io.ReadAll(io.LimitReader(p, batches.MaxCSVBytes+1))
		if err != nil {
			return true, intakeError(err, limits)
		}
		if len(b) > batches.MaxCSVBytes {
			return true, core.FieldError(core.ETOOLARGE, name, "the recipients file is larger than %s", core.Bytes(batches.MaxCSVBytes))
		}
		req.Recipients = b
		return true, nil
	}
	return false, nil
}

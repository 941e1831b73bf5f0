package web

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

// batchFields are the text fields of a batch (API and page): the letter
// every row receives. The recipients come as the file part "recipients".
var batchFields = map[string]int{
	"subject": maxFieldBytes, "body": maxBodyBytes, "sender_reference": maxFieldBytes, "language": maxFieldBytes,
	"required_assurance": maxFieldBytes,
}

// readBatch streams a batch's multipart body: the recipients CSV (at most
// batches.MaxCSVBytes), the text fields, and the attachments under the
// deposit limits, hashed as read. With page set, it checks the form's CSRF
// token first, as readCompose does, and reads nothing before that check.
func (s *Server) readBatch(c echo.Context, page bool) (batches.Request, map[string]string, error) {
	limits := s.svc.Letters.Limits()
	r := c.Request()
	fields := map[string]string{}
	var req batches.Request
	allowed, blocked := fetchSite(r)
	allowed = allowed || !page
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return req, fields, core.Errorf(core.EINVALID, "send the batch as multipart/form-data")
	}
	if blocked && page {
		return req, fields, errCSRF
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limits.MaxTotalBytes+batches.MaxCSVBytes+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return req, fields, core.Errorf(core.EINVALID, "malformed multipart body: %v", err)
	}
	budget := limits.MaxTotalBytes
	maxParts := 3 + len(batchFields) + limits.MaxFiles
	for parts := 1; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return req, fields, intakeError(err, limits)
		}
		if parts > maxParts {
			return req, fields, core.Errorf(core.EINVALID, "too many form fields")
		}
		if page && p.FormName() == "_csrf" {
			tok, _ := io.ReadAll(io.LimitReader(p, 256))
			allowed = allowed || s.csrfMatches(c, tok)
			continue
		}
		if !allowed {
			return req, fields, errCSRF
		}
		if err := readBatchPart(p, &req, fields, &budget, limits); err != nil {
			return req, fields, err
		}
	}
	if !allowed {
		return req, fields, errCSRF
	}
	if req.Recipients == nil {
		return req, fields, core.FieldError(core.EINVALID, "recipients", "the batch has no recipients file: send it as the file part \"recipients\" (CSV with a header row email, name)")
	}
	l := &req.Letter
	l.Subject, l.Body, l.SenderReference, l.Language = fields["subject"], fields["body"], fields["sender_reference"], fields["language"]
	l.RequiredAssurance = fields["required_assurance"]
	return req, fields, nil
}

func readBatchPart(p *multipart.Part, req *batches.Request, fields map[string]string, budget *int64, limits core.Limits) error {
	defer p.Close()
	switch name := p.FormName(); name {
	case "attachments":
		return readAttachment(p, &req.Letter, budget, limits)
	case "recipients":
		if req.Recipients != nil {
			return core.FieldError(core.EINVALID, name, "field recipients is given more than once")
		}
		b, err := io.ReadAll(io.LimitReader(p, batches.MaxCSVBytes+1))
		if err != nil {
			return intakeError(err, limits)
		}
		if len(b) > batches.MaxCSVBytes {
			return core.FieldError(core.ETOOLARGE, name, "the recipients file is larger than %d bytes", batches.MaxCSVBytes)
		}
		req.Recipients = b
		return nil
	}
	return readTextField(p, batchFields, fields, budget, limits)
}

package web

import (
	"bufio"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// textField is one text field of a deposit request: its largest size in
// bytes and where it goes in the request.
type textField struct {
	limit int
	into  func(*core.DepositRequest) *string
}

// depositFields is the one table of a letter's text fields, for the API
// (POST /api/v1/notices), the compose form and, for the fields every row
// shares, batches (batchFieldNames).
var depositFields = map[string]textField{
	"recipient_email":     {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.RecipientEmail }},
	"recipient_name":      {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.RecipientName }},
	"recipient_type":      {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.RecipientType }},
	"subject":             {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.Subject }},
	"body":                {maxBodyBytes, func(r *core.DepositRequest) *string { return &r.Body }},
	"sender_reference":    {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.SenderReference }},
	"language":            {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.Language }},
	"knowledge_question":  {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.KnowledgeQuestion }},
	"knowledge_answer":    {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.KnowledgeAnswer }},
	"required_assurance":  {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.RequiredAssurance }},
	"recipient_birthdate": {maxFieldBytes, func(r *core.DepositRequest) *string { return &r.RecipientBirthdate }},
}

// fieldLimits returns the largest sizes of the named deposit fields, or of
// all of them when names is empty: the table readTextField reads with.
func fieldLimits(names ...string) map[string]int {
	m := map[string]int{}
	for name, f := range depositFields {
		m[name] = f.limit
	}
	if len(names) == 0 {
		return m
	}
	some := map[string]int{}
	for _, name := range names {
		some[name] = m[name]
	}
	return some
}

var letterLimits = fieldLimits()

// fillDeposit copies the text fields read into req.
func fillDeposit(req *core.DepositRequest, fields map[string]string) {
	for name, f := range depositFields {
		if v, ok := fields[name]; ok {
			*f.into(req) = v
		}
	}
}

// formSpec is one kind of multipart request that readForm streams.
type formSpec struct {
	// notMultipart is the error for a body of another media type.
	notMultipart error
	// page marks a browser's form: its CSRF token is checked as the body
	// streams, before any other part is read (see sender_intake.go).
	page bool
	// fields are the text fields and their largest sizes in bytes.
	fields map[string]int
	// extraBytes is what the body may carry beyond the letter's limit (a
	// batch's recipients file), extraParts the parts beyond the text
	// fields and the attachments (that file).
	extraBytes int64
	extraParts int
	// file reads a part that is no text field and reports whether it knew
	// it; a part it does not know is refused as an unknown field.
	file func(p *multipart.Part, budget *int64) (bool, error)
}

// readForm streams a multipart body under the deposit limits into fields
// (text) and spec.file (the rest): an unknown, repeated or oversized field
// is refused by name, and so is a body of more parts than a browser sends
// (the CSRF token, the text fields, the files or one empty file part).
// fields keeps what was read, to fill a form again after a refusal.
func (s *Server) readForm(c echo.Context, spec formSpec, fields map[string]string) error {
	limits := s.svc.Letters.Limits()
	r := c.Request()
	allowed, blocked := fetchSite(r)
	allowed = allowed || !spec.page
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return spec.notMultipart
	}
	if blocked && spec.page {
		return errCSRF
	}
	if params["boundary"] == "" {
		return core.Errorf(core.EINVALID, "malformed multipart body: %v", http.ErrMissingBoundary)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limits.MaxTotalBytes+spec.extraBytes+multipartOverhead)
	body := intakeBuffers.Get().(*bufio.Reader)
	body.Reset(r.Body)
	defer func() { body.Reset(nil); intakeBuffers.Put(body) }()
	mr := multipart.NewReader(body, params["boundary"])
	budget := limits.MaxTotalBytes
	maxParts := 2 + spec.extraParts + len(spec.fields) + limits.MaxFiles
	for parts := 1; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return intakeError(err, limits)
		}
		if parts > maxParts {
			return core.Errorf(core.EINVALID, "too many form fields")
		}
		if spec.page && p.FormName() == "_csrf" {
			tok, _ := io.ReadAll(io.LimitReader(p, 256))
			allowed = allowed || s.csrfMatches(c, tok)
			continue
		}
		if !allowed {
			return errCSRF
		}
		if err := readFormPart(p, spec, fields, &budget, limits); err != nil {
			return err
		}
	}
	if !allowed {
		return errCSRF
	}
	return nil
}

func readFormPart(p *multipart.Part, spec formSpec, fields map[string]string, budget *int64, limits core.Limits) error {
	defer p.Close()
	if _, text := spec.fields[p.FormName()]; !text && spec.file != nil {
		if known, err := spec.file(p, budget); known || err != nil {
			return err
		}
	}
	return readTextField(p, spec.fields, fields, budget, limits)
}

// attachmentsInto reads the parts named "attachments" into req.
func attachmentsInto(req *core.DepositRequest, limits core.Limits) func(*multipart.Part, *int64) (bool, error) {
	return func(p *multipart.Part, budget *int64) (bool, error) {
		if p.FormName() != "attachments" {
			return false, nil
		}
		return true, readAttachment(p, req, budget, limits)
	}
}

// intakeBuffers hold the buffer a form's body is read through. A multipart
// reader takes its body 4 KB at a time (its peek buffer): each take was a
// read system call, a renewed read deadline (pacedBody) and a size check,
// 1,280 of each for a 5 MB letter (lre bench --profile, 5 MB: reading the
// request 4.2 ms of CPU per letter against 2.3 ms for the ceiling's 32 KB
// copies). Under it, one 32 KB buffer per request in flight, reused (read
// ahead of the parser is then at most 32 KB: bad input is still refused
// after its first bytes, TestComposeBadInput).
var intakeBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 32<<10) }}

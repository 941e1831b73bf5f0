package web

import (
	"crypto/subtle"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lre-project/lre/core"
)

// The compose form is multipart (it carries files), which the pages' CSRF
// middleware cannot check without buffering the whole body. So readCompose
// checks it while streaming, with the same rules: a browser's
// Sec-Fetch-Site of same-origin (or none) passes, cross-site fails, and
// otherwise the _csrf field, which the form sends first, must equal the
// CSRF cookie. No other part is read before that check.

var composeFields = map[string]int{
	"recipient_email": maxFieldBytes, "recipient_name": maxFieldBytes, "recipient_type": maxFieldBytes,
	"subject": maxFieldBytes, "body": maxBodyBytes, "sender_reference": maxFieldBytes, "language": maxFieldBytes,
	"knowledge_question": maxFieldBytes, "knowledge_answer": maxFieldBytes,
	"required_assurance": maxFieldBytes, "recipient_birthdate": maxFieldBytes,
}

// csrfCookie is the cookie the pages' CSRF middleware sets (see csrf in
// page_guard.go).
func (s *Server) csrfCookie() string {
	if s.secure() {
		return "__Host-lre_csrf"
	}
	return "lre_csrf"
}

// fetchSite says whether Sec-Fetch-Site alone decides: allow for a
// same-origin request or direct navigation, block for a cross-site one.
func fetchSite(r *http.Request) (allow, block bool) {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true, false
	case "cross-site":
		return false, true
	}
	return false, false
}

// keepCSRF gives the forms of a page answering the compose form (send,
// logout) the token the middleware would have given them.
func (s *Server) keepCSRF(c echo.Context) {
	token := middleware.CSRFUsingSecFetchSite
	if ck, err := c.Cookie(s.csrfCookie()); err == nil {
		token = ck.Value
	}
	c.Set(csrfContextKey, token)
}

func (s *Server) csrfMatches(c echo.Context, token []byte) bool {
	ck, err := c.Cookie(s.csrfCookie())
	return err == nil && ck.Value != "" && subtle.ConstantTimeCompare([]byte(ck.Value), token) == 1
}

// readCompose streams the compose form: the CSRF check first, then text
// fields and attachments under the deposit limits, files hashed as read.
// It returns the text fields too, to fill the form again on a refusal.
func (ui *senderUI) readCompose(c echo.Context) (core.DepositRequest, map[string]string, error) {
	limits := ui.svc.Letters.Limits()
	r := c.Request()
	fields := map[string]string{}
	allowed, blocked := fetchSite(r)
	if blocked {
		return core.DepositRequest{}, fields, errCSRF
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return core.DepositRequest{}, fields, errCSRF
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limits.MaxTotalBytes+multipartOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return core.DepositRequest{}, fields, core.Errorf(core.EINVALID, "malformed multipart body: %v", err)
	}
	var req core.DepositRequest
	budget := limits.MaxTotalBytes
	// A browser sends the token, the text fields, and the chosen files or
	// one empty file part: anything longer is refused before it is read.
	maxParts := 2 + len(composeFields) + limits.MaxFiles
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
		if p.FormName() == "_csrf" {
			tok, _ := io.ReadAll(io.LimitReader(p, 256))
			allowed = allowed || ui.csrfMatches(c, tok)
			continue
		}
		if !allowed {
			return req, fields, errCSRF
		}
		if err := ui.readComposePart(p, &req, fields, &budget, limits); err != nil {
			return req, fields, err
		}
	}
	if !allowed {
		return req, fields, errCSRF
	}
	req.RecipientEmail, req.RecipientName, req.RecipientType = fields["recipient_email"], fields["recipient_name"], fields["recipient_type"]
	req.Subject, req.Body, req.SenderReference, req.Language = fields["subject"], fields["body"], fields["sender_reference"], fields["language"]
	req.KnowledgeQuestion, req.KnowledgeAnswer = fields["knowledge_question"], fields["knowledge_answer"]
	req.RequiredAssurance, req.RecipientBirthdate = fields["required_assurance"], fields["recipient_birthdate"]
	return req, fields, nil
}

func (ui *senderUI) readComposePart(p *multipart.Part, req *core.DepositRequest, fields map[string]string, budget *int64, limits core.Limits) error {
	defer p.Close()
	name := p.FormName()
	if name == "attachments" {
		return readAttachment(p, req, budget, limits)
	}
	return readTextField(p, composeFields, fields, budget, limits)
}

// readAttachment reads one file under the remaining budget. A browser
// sends an empty, nameless part when no file was chosen: it is skipped.
func readAttachment(p *multipart.Part, req *core.DepositRequest, budget *int64, limits core.Limits) error {
	fname := rawFileName(p)
	if fname == "" {
		if n, _ := io.Copy(io.Discard, io.LimitReader(p, 1)); n == 0 {
			return nil
		}
	}
	if len(req.Attachments) >= limits.MaxFiles {
		return core.FieldError(core.ETOOLARGE, "attachments", "more than %d attachments; the limit (max_files) is %d", limits.MaxFiles, limits.MaxFiles)
	}
	if err := core.CheckFileName(fname, limits.MaxNameBytes); err != nil {
		return err
	}
	u, err := core.ReadUpload(fname, p.Header.Get("Content-Type"), p, *budget)
	if core.ErrorCode(err) == core.ETOOLARGE {
		return tooLarge(limits)
	}
	if err != nil {
		return intakeError(err, limits)
	}
	*budget -= u.Size
	req.Attachments = append(req.Attachments, u)
	return nil
}

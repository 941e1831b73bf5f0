package web

import (
	"crypto/subtle"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lre-project/lre/core"
)

// The compose form is multipart (it carries files), which the pages' CSRF
// middleware cannot check without buffering the whole body. So readForm
// checks it while streaming, with the same rules: a browser's
// Sec-Fetch-Site of same-origin (or none) passes, cross-site fails, and
// otherwise the _csrf field, which the form sends first, must equal the
// CSRF cookie. No other part is read before that check.

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

// composeLimits are the compose form's text fields: a letter's, and the
// files a refused preview kept (sender_kept.go).
var composeLimits = withKept(letterLimits)

// readCompose streams the compose form: the CSRF check first, then text
// fields and attachments under the deposit limits, files hashed as read,
// after the files an earlier refusal kept. It returns the text fields too,
// and on an error the files read so far, to fill the form again.
func (ui *senderUI) readCompose(c echo.Context) (core.DepositRequest, map[string]string, error) {
	var req core.DepositRequest
	fields := map[string]string{}
	spec := formSpec{notMultipart: errCSRF, page: true, fields: composeLimits, file: attachmentsInto(&req, ui.svc.Letters.Limits())}
	err := ui.takeKept(c, &req, fields, ui.readForm(c, spec, fields))
	fillDeposit(&req, fields)
	return req, fields, err
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

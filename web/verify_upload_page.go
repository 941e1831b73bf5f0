package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/audit"
)

// wantsPage tells a browser's form post (Accept: text/html…) from a
// program, which asks for JSON or anything.
func wantsPage(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/html") && !strings.HasPrefix(accept, "application/json")
}

// verifyUploadPage answers the page's upload form: the report in words,
// or why the file could not be checked.
func (s *Server) verifyUploadPage(c echo.Context, report *audit.Report, err error) error {
	s.keepCSRF(c)
	v := verifyView{Report: report}
	if err != nil {
		v.Report, v.UploadError = nil, s.localError(err, s.uiLang(c))
	}
	return s.renderVerify(c, v)
}

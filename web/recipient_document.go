package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// safeTypes are the stored media types served as such: none of them is
// active content, and every download is an attachment with nosniff anyway.
var safeTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "text/plain": true, "text/csv": true,
}

// recipientDocument is GET /r/:token/documents/:key: one document of an
// accepted letter, as a download. Core records ContentHandover.
func (s *Server) recipientDocument(c echo.Context) error {
	key := c.Param("key")
	if len(key) > 32 {
		return echo.ErrNotFound
	}
	doc, b, err := s.svc.Letters.Handover(c.Request().Context(), c.Param("token"), s.recipientSession(c), key, accessOf(c))
	if err != nil {
		return s.recipientFail(c, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition(doc.Name))
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Blob(http.StatusOK, downloadType(doc.MediaType), b)
}

func downloadType(mt string) string {
	base, _, _ := strings.Cut(mt, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if !safeTypes[base] {
		return "application/octet-stream"
	}
	if strings.HasPrefix(base, "text/") {
		return base + "; charset=utf-8"
	}
	return base
}

// contentDisposition names the download without ever putting the sender's
// file name raw in a header: an ASCII fallback made of safe characters and
// the exact name percent-encoded (RFC 6266, RFC 5987).
func contentDisposition(name string) string {
	var fallback, enc strings.Builder
	for _, r := range name {
		if isAttrChar(r) || r == ' ' {
			fallback.WriteRune(r)
		} else {
			fallback.WriteByte('_')
		}
	}
	for _, c := range []byte(name) {
		if isAttrChar(rune(c)) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + enc.String()
}

func isAttrChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' || r == '~'
}

package web

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
)

// batchProofs is GET /api/v1/batches/:id/proofs.zip (and the same under
// /app): every certificate issued so far for the batch's letters. The zip
// is built before the first byte is sent, so a failure is a clean error
// rather than a truncated download.
func (s *Server) batchProofs(c echo.Context) error {
	var buf bytes.Buffer
	id := c.Param("id")
	if err := s.svc.Batches.WriteProofs(c.Request().Context(), userOf(c), id, &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+id+`-proofs.zip"`)
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

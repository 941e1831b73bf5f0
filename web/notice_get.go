package web

import (
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// noticeGet is GET /api/v1/notices/:id.
func (s *Server) noticeGet(c echo.Context) error {
	n, err := s.svc.Letters.Notice(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noticeView(n))
}

// noticeManifest is GET /api/v1/notices/:id/manifest.json: the exact bytes
// the deposit digest covers.
func (s *Server) noticeManifest(c echo.Context) error {
	b, err := s.svc.Letters.NoticeManifest(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// noticeTimestamp is GET /api/v1/notices/:id/timestamp.tsr (DER TimeStampResp).
func (s *Server) noticeTimestamp(c echo.Context) error {
	b, err := s.svc.Letters.NoticeTimestamp(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="timestamp.tsr"`)
	return c.Blob(http.StatusOK, "application/timestamp-reply", b)
}

// noticeEvents is GET /api/v1/notices/:id/events.
func (s *Server) noticeEvents(c echo.Context) error {
	evs, err := s.svc.Letters.NoticeEvents(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventJSON{
			Seq: e.Seq, Type: e.Type, URI: e.Type.URI(), Time: e.Time.UTC().Format(time.RFC3339Nano),
			Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash), Details: e.Details,
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"events": out})
}

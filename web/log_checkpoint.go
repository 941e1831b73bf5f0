package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

// The transparency log's endpoints are public: they reveal hashes only.

// logCheckpoint is GET /api/v1/log/checkpoint: the latest signed checkpoint
// (c2sp.org/tlog-checkpoint note).
func (s *Server) logCheckpoint(c echo.Context) error {
	cp, err := s.svc.Evidence.LatestCheckpoint(c.Request().Context())
	if err != nil {
		return err
	}
	return checkpointNote(c, cp)
}

// logCheckpointAt is GET /api/v1/log/checkpoints/:size.
func (s *Server) logCheckpointAt(c echo.Context) error {
	cp, err := s.checkpointParam(c)
	if err != nil {
		return err
	}
	return checkpointNote(c, cp)
}

// logCheckpointToken is GET /api/v1/log/checkpoints/:size/timestamp.tsr:
// the RFC 3161 TimeStampResp over SHA-256 of the checkpoint's note bytes.
func (s *Server) logCheckpointToken(c echo.Context) error {
	cp, err := s.checkpointParam(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="checkpoint-`+strconv.FormatUint(cp.Size, 10)+`.tsr"`)
	return c.Blob(http.StatusOK, "application/timestamp-reply", cp.Token.DER)
}

// logKey is GET /api/v1/log/key: the note verifier key of the checkpoints.
func (s *Server) logKey(c echo.Context) error {
	key, err := s.svc.Evidence.LogKey()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMETextPlainCharsetUTF8, []byte(key+"\n"))
}

func (s *Server) checkpointParam(c echo.Context) (evidence.Checkpoint, error) {
	size, err := uintParam(c.Param("size"), "size", true)
	if err != nil {
		return evidence.Checkpoint{}, err
	}
	return s.svc.Evidence.CheckpointAt(c.Request().Context(), size)
}

func checkpointNote(c echo.Context, cp evidence.Checkpoint) error {
	c.Response().Header().Set("X-Checkpoint-Size", strconv.FormatUint(cp.Size, 10))
	return c.Blob(http.StatusOK, echo.MIMETextPlainCharsetUTF8, cp.Note)
}

// maxTreeSize bounds sizes and sequence numbers accepted in URLs: far more
// records than any log will hold, small enough to be exact in JSON numbers.
const maxTreeSize = 1 << 53

// uintParam parses a decimal size or sequence number; an empty value is 0
// unless required.
func uintParam(v, field string, required bool) (uint64, error) {
	if v == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || len(v) > 16 || n > maxTreeSize {
		return 0, core.FieldError(core.EINVALID, field, "%s must be a decimal number up to %d", field, uint64(maxTreeSize))
	}
	return n, nil
}

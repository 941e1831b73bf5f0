package web

import (
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/core"
)

// Upload bounds: a bundle carries the letter (at most the deposit limit,
// 25 MiB by default) and its certificates; a checkpoint is a few lines.
const (
	maxVerifyUpload     = 50 << 20
	maxCheckpointUpload = 16 << 10
)

// verifyUpload is POST /verify/upload: multipart with a "file" (an evidence
// bundle or a certificate PDF) and optionally a "checkpoint" saved earlier.
// It runs the same checks as lre verify and answers the report as JSON,
// 200 whether or not the checks pass (see "ok" and "failed"). Its errors are
// JSON too, though the path is outside /api/: the caller is a program.
func (s *Server) verifyUpload(c echo.Context) error {
	if err := s.verifyUploadJSON(c); err != nil {
		s.handleError(err, c)
	}
	return nil
}

func (s *Server) verifyUploadJSON(c echo.Context) error {
	req := c.Request()
	limitReadTime(c.Response().Writer)
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxVerifyUpload+maxCheckpointUpload+64<<10)
	mr, err := req.MultipartReader()
	if err != nil {
		return core.FieldError(core.EINVALID, "file", "send the file as multipart/form-data in the field \"file\"")
	}
	var file *os.File
	var size int64
	defer func() {
		if file != nil {
			closeSpool(file)
		}
	}()
	var opts audit.Options
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadError(err)
		}
		switch p.FormName() {
		case "file":
			if file != nil {
				return core.FieldError(core.EINVALID, "file", "send one file per upload")
			}
			file, size, err = spool(p, maxVerifyUpload, "file")
		case "checkpoint":
			opts.EarlierCheckpoint, err = readPart(p, maxCheckpointUpload, "checkpoint")
		}
		if err != nil {
			return err
		}
	}
	if file == nil {
		return core.FieldError(core.EINVALID, "file", "no file: send the bundle or certificate in the field \"file\"")
	}
	return withVerifyMemory(req.Context(), file, size, func(b []byte) error {
		return c.JSON(http.StatusOK, audit.Verify(b, opts))
	})
}

func readPart(r io.Reader, limit int64, field string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, uploadError(err)
	}
	if int64(len(b)) > limit {
		return nil, core.FieldError(core.ETOOLARGE, field, "%s is larger than %d bytes", field, limit)
	}
	return b, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return core.FieldError(core.ETOOLARGE, "file", "the upload is larger than %d bytes", int64(maxVerifyUpload))
	}
	return core.FieldError(core.EINVALID, "file", "malformed multipart upload")
}

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
// It runs the same checks as lre verify and answers the report, 200
// whether or not the checks pass (see "ok" and "failed"): as JSON for a
// program, and as the verification page for a browser (the page's upload
// form), whose errors are shown on that page too.
func (s *Server) verifyUpload(c echo.Context) error {
	report, err := s.verifyUploadReport(c)
	if wantsPage(c.Request()) {
		return s.verifyUploadPage(c, report, err)
	}
	if err != nil {
		s.handleError(err, c)
		return nil
	}
	return c.JSON(http.StatusOK, report)
}

func (s *Server) verifyUploadReport(c echo.Context) (*audit.Report, error) {
	req := c.Request()
	limitReadTime(c.Response().Writer)
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxVerifyUpload+maxCheckpointUpload+64<<10)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, core.FieldError(core.EINVALID, "file", "send the file as multipart/form-data in the field \"file\"")
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
			return nil, uploadError(err)
		}
		switch p.FormName() {
		case "file":
			if file != nil {
				return nil, core.FieldError(core.EINVALID, "file", "send one file per upload")
			}
			file, size, err = spool(p, maxVerifyUpload, "file")
		case "checkpoint":
			opts.EarlierCheckpoint, err = readPart(p, maxCheckpointUpload, "checkpoint")
		}
		if err != nil {
			return nil, err
		}
	}
	if file == nil {
		return nil, core.FieldError(core.EINVALID, "file", "no file: send the bundle or certificate in the field \"file\"")
	}
	var report *audit.Report
	err = withVerifyMemory(req.Context(), file, size, func(b []byte) error {
		report = audit.Verify(b, opts)
		return nil
	})
	return report, err
}

func readPart(r io.Reader, limit int64, field string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, uploadError(err)
	}
	if int64(len(b)) > limit {
		return nil, core.FieldError(core.ETOOLARGE, field, "%s is larger than %s", field, core.Bytes(limit))
	}
	return b, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return core.FieldError(core.ETOOLARGE, "file", "the upload is larger than %s", core.Bytes(maxVerifyUpload))
	}
	return core.FieldError(core.EINVALID, "file", "malformed multipart upload")
}

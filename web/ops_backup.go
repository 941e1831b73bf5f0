package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

// adminBackup is GET /api/v1/admin/backup: a consistent copy of the whole
// store (a tar of lre.db and the content segments it references), streamed
// from one read transaction while the server goes on.
// The provider's operator only (core.CheckOperator): the copy holds every
// organisation's data. Contents and webhook secrets stay sealed in it.
func (s *Server) adminBackup(c echo.Context) error {
	u := userOf(c)
	if err := core.CheckOperator(u); err != nil {
		return err
	}
	if s.cfg.Ops.Backup == nil {
		return core.Errorf(core.EUNAVAILABLE, "backups are not available on this server")
	}
	// A large file on a slow link outlasts the server's write timeout.
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
	h := c.Response().Header()
	name := "lre-" + s.cfg.Now().UTC().Format("20060102T150405Z") + ".tar"
	h.Set(echo.HeaderContentType, "application/x-tar")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	n, err := s.cfg.Ops.Backup(c.Response(), func(size int64) {
		h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
		c.Response().WriteHeader(http.StatusOK)
	})
	if err != nil && !c.Response().Committed {
		return fmt.Errorf("backup: %w", err)
	}
	if err != nil {
		s.log.Error("backup interrupted", "bytes", n, "err", err)
		return nil
	}
	s.log.Info("backup taken", "by", u.ID, "bytes", n)
	return nil
}

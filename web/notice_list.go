package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
)

type noticeListJSON struct {
	Notices    []noticeJSON `json:"notices"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// noticeList is GET /api/v1/notices?status=&recipient=&from=&to=&limit=&cursor=:
// the letters the caller may see, newest first. from and to are RFC 3339
// times or dates (YYYY-MM-DD, midnight UTC); to is exclusive.
func (s *Server) noticeList(c echo.Context) error {
	q := core.NoticeQuery{Status: core.Status(c.QueryParam("status")), Recipient: c.QueryParam("recipient"), Cursor: c.QueryParam("cursor")}
	var err error
	if q.From, err = timeParam(c.QueryParam("from"), "from"); err != nil {
		return err
	}
	if q.To, err = timeParam(c.QueryParam("to"), "to"); err != nil {
		return err
	}
	if v := c.QueryParam("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit <= 0 {
			return core.FieldError(core.EINVALID, "limit", "limit must be a number between 1 and %d", core.MaxListLimit)
		}
	}
	page, err := s.svc.Letters.ListNotices(c.Request().Context(), userOf(c), q)
	if err != nil {
		return err
	}
	out := noticeListJSON{Notices: make([]noticeJSON, 0, len(page.Notices)), NextCursor: page.Next}
	for _, n := range page.Notices {
		out.Notices = append(out.Notices, noticeView(n))
	}
	return c.JSON(http.StatusOK, out)
}

func timeParam(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, core.FieldError(core.EINVALID, field, "%s must be an RFC 3339 time or a date like 2026-11-23", field)
}

package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

// eventsStream is GET /api/v1/events?after=<cursor>&limit=<n>: the events
// of the caller's organisation's letters in log order, for systems that
// cannot receive webhooks. The cursor is opaque to clients: they pass back
// next_cursor, which moves even over a page with no visible event, and
// have caught up when it stops moving.
func (s *Server) eventsStream(c echo.Context) error {
	after, err := uintQuery(c, "after", 0, ^uint64(0))
	if err != nil {
		return core.FieldError(core.EINVALID, "after", "after must be a cursor returned by this endpoint")
	}
	limit, err := uintQuery(c, "limit", 100, webhooks.MaxStreamLimit)
	if err != nil {
		return err
	}
	evs, next, err := s.svc.Webhooks.Events(c.Request().Context(), userOf(c), after, int(limit))
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []webhooks.PublishedEvent{}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"events":      evs,
		"next_cursor": strconv.FormatUint(next, 10),
	})
}

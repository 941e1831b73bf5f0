package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

type deliveryJSON struct {
	ID       string                  `json:"id"`
	Event    webhooks.PublishedEvent `json:"event"`
	Created  string                  `json:"created"`
	NextTry  string                  `json:"next_attempt,omitempty"`
	Done     bool                    `json:"done"`
	Outcome  string                  `json:"outcome,omitempty"`
	ReplayOf string                  `json:"replay_of,omitempty"`
	Attempts []deliveryAttemptJSON   `json:"attempts"`
}

type deliveryAttemptJSON struct {
	Time       string `json:"time"`
	Status     int    `json:"status,omitempty"`
	Error      string `json:"error,omitempty"`
	Response   string `json:"response,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

func deliveryView(d webhooks.WebhookDelivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, Event: d.Event, Created: d.Created.UTC().Format(time.RFC3339Nano), Done: d.Done, Outcome: d.Outcome, ReplayOf: d.ReplayOf, Attempts: []deliveryAttemptJSON{}}
	if !d.Done {
		out.NextTry = d.NotBefore.UTC().Format(time.RFC3339Nano)
	}
	for _, a := range d.Attempts {
		out.Attempts = append(out.Attempts, deliveryAttemptJSON{Time: a.Time.UTC().Format(time.RFC3339Nano), Status: a.Status, Error: a.Error, Response: a.Response, DurationMS: a.Duration.Milliseconds()})
	}
	return out
}

// webhookDeliveries is GET /api/v1/webhooks/:id/deliveries?limit=&before=:
// the newest deliveries first, with every attempt.
func (s *Server) webhookDeliveries(c echo.Context) error {
	limit, err := uintQuery(c, "limit", 50, 100)
	if err != nil {
		return err
	}
	before, err := uintQuery(c, "before", 0, ^uint64(0))
	if err != nil {
		return err
	}
	ds, err := s.svc.Webhooks.WebhookDeliveries(c.Request().Context(), userOf(c), c.Param("id"), before, int(limit))
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryView(d))
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out})
}

// webhookReplay is POST /api/v1/webhooks/:id/deliveries/:delivery/replay:
// the event is queued again as a new delivery.
func (s *Server) webhookReplay(c echo.Context) error {
	d, err := s.svc.Webhooks.ReplayWebhookDelivery(c.Request().Context(), userOf(c), c.Param("id"), c.Param("delivery"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, deliveryView(d))
}

// queryUint reads an optional unsigned query parameter in [0, limit] (at
// least 1 when it is a limit with a non-zero default).
func uintQuery(c echo.Context, name string, def, limit uint64) (uint64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > limit || (def > 0 && n == 0) {
		return 0, core.FieldError(core.EINVALID, name, "%s must be a whole number between %d and %d", name, min(def, 1), limit)
	}
	return n, nil
}

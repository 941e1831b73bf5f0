package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

// webhookJSON is a webhook as the API shows it; Secret only at creation.
type webhookJSON struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	CreatedBy string `json:"created_by"`
	CreatedAt string `json:"created_at"`
	// Events it receives; absent: every one.
	Events []core.EventType `json:"events,omitempty"`
	Secret string           `json:"secret,omitempty"`
}

func webhookView(w webhooks.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, URL: w.URL, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt.UTC().Format(time.RFC3339), Events: w.Events}
}

// maxJSONBytes bounds the small JSON bodies of the admin API.
const maxJSONBytes = 16 << 10

// webhookCreate is POST /api/v1/webhooks {"url": "...", "events": [...]}
// (no events: every one): the answer holds
// the signing secret, shown this once.
func (s *Server) webhookCreate(c echo.Context) error {
	var in struct {
		URL    string           `json:"url"`
		Events []core.EventType `json:"events"`
	}
	if err := readJSONBody(c, &in); err != nil {
		return err
	}
	w, err := s.svc.Webhooks.CreateWebhook(c.Request().Context(), userOf(c), in.URL, in.Events...)
	if err != nil {
		return err
	}
	out := webhookView(w)
	out.Secret = w.Secret
	c.Response().Header().Set("Location", "/api/v1/webhooks/"+w.ID)
	return c.JSON(http.StatusCreated, out)
}

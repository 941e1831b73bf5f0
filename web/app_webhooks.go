package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

// webhooksView is the Data of the organisation's webhooks page.
type webhooksView struct {
	Frame    appFrame
	Webhooks []webhooks.Webhook
	Secret   string // of the webhook just added, shown this once
	AddedURL string
	URL      string // typed into the refused form
	Chosen   []core.EventType
	Types    []core.EventType // webhooks.Subscribable
	formProblem
}

// Chose reports whether the refused form had t ticked.
func (v webhooksView) Chose(t core.EventType) bool { return slices.Contains(v.Chosen, t) }

// deliveriesView is the Data of one webhook's deliveries page.
type deliveriesView struct {
	Frame      appFrame
	Webhook    webhooks.Webhook
	Deliveries []webhooks.WebhookDelivery
	Replayed   bool
	formProblem
}

// webhookFlash is the flash kind of a new webhook's signing secret.
const webhookFlash = "webhook"

// webhooksPage is GET /app/webhooks, for admins: the organisation's
// webhooks, the form to add one and, once after adding it, its secret.
func (a *appAdmin) webhooksPage(c echo.Context) error {
	var v webhooksView
	if f, ok := a.takeFlash(c, webhookFlash); ok {
		v.Secret, v.AddedURL = f.Values["secret"], f.Values["url"]
	}
	return a.renderWebhooks(c, http.StatusOK, v)
}

func (a *appAdmin) renderWebhooks(c echo.Context, status int, v webhooksView) error {
	hooks, err := a.svc.Webhooks.Webhooks(c.Request().Context(), userOf(c))
	if err != nil {
		return a.refuse(c, err)
	}
	v.Frame, v.Webhooks, v.Types = frameOf(c), hooks, webhooks.Subscribable
	return a.renderApp(c, status, "sender_webhooks", "app_webhooks_title", v)
}

// webhookAdd is POST /app/webhooks (url).
func (a *appAdmin) webhookAdd(c echo.Context) error {
	raw := c.FormValue("url")
	form, err := c.FormParams()
	if err != nil {
		return core.Errorf(core.EINVALID, "could not read the request body")
	}
	events := make([]core.EventType, 0, len(form["events"]))
	for _, e := range form["events"] {
		events = append(events, core.EventType(e))
	}
	w, err := a.svc.Webhooks.CreateWebhook(c.Request().Context(), userOf(c), raw, events...)
	if err != nil {
		p, status, ok := a.problemOf(c, err)
		if !ok {
			return a.refuse(c, err)
		}
		return a.renderWebhooks(c, status, webhooksView{URL: raw, Chosen: events, formProblem: p})
	}
	return a.setFlash(c, flash{Kind: webhookFlash, Values: map[string]string{"secret": w.Secret, "url": w.URL}}, "/app/webhooks")
}

// webhookPage is GET /app/webhooks/:id: the newest deliveries with their
// attempts, and a replay button for the finished ones.
func (a *appAdmin) webhookPage(c echo.Context) error {
	return a.renderDeliveries(c, http.StatusOK, deliveriesView{Replayed: c.QueryParam("done") == "replayed"})
}

func (a *appAdmin) renderDeliveries(c echo.Context, status int, v deliveriesView) error {
	ctx, u, id := c.Request().Context(), userOf(c), c.Param("id")
	ds, err := a.svc.Webhooks.WebhookDeliveries(ctx, u, id, 0, 100)
	if err != nil {
		return a.refuse(c, err)
	}
	hooks, err := a.svc.Webhooks.Webhooks(ctx, u)
	if err != nil {
		return a.refuse(c, err)
	}
	for _, w := range hooks {
		if w.ID == id {
			v.Webhook = w
		}
	}
	v.Frame, v.Deliveries = frameOf(c), ds
	return a.renderApp(c, status, "sender_webhook", "app_webhook_title", v)
}

// webhookReplayPage is POST /app/webhooks/:id/deliveries/:delivery/replay:
// the event is queued again as a new delivery.
func (a *appAdmin) webhookReplayPage(c echo.Context) error {
	if _, err := a.svc.Webhooks.ReplayWebhookDelivery(c.Request().Context(), userOf(c), c.Param("id"), c.Param("delivery")); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			p, status, _ := a.problemOf(c, err)
			return a.renderDeliveries(c, status, deliveriesView{formProblem: p})
		}
		return a.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/app/webhooks/"+c.Param("id")+"?done=replayed")
}

package metrics

import (
	"context"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
)

// Timestamper measures ts under the label tsa (the authority's URL, or
// "embedded").
func (m *Metrics) Timestamper(tsa string, ts core.Timestamper) core.Timestamper {
	return &timestamper{next: ts, tsa: tsa, m: m}
}

type timestamper struct {
	next core.Timestamper
	tsa  string
	m    *Metrics
}

var _ core.Timestamper = (*timestamper)(nil)

func (t *timestamper) Timestamp(ctx context.Context, digest []byte) (core.Token, error) {
	start := time.Now()
	tok, err := t.next.Timestamp(ctx, digest)
	t.m.tsaLatency.WithLabelValues(t.tsa).Observe(time.Since(start).Seconds())
	if err != nil {
		t.m.tsaFailures.WithLabelValues(t.tsa).Inc()
	}
	return tok, err
}

// Mailer counts the outcome class of every attempt of mm.
func (m *Metrics) Mailer(mm core.Mailer) core.Mailer { return &mailer{next: mm, m: m} }

type mailer struct {
	next core.Mailer
	m    *Metrics
}

var _ core.Mailer = (*mailer)(nil)

func (ml *mailer) Send(ctx context.Context, om core.OutgoingMail) (core.DeliveryResult, error) {
	res, err := ml.next.Send(ctx, om)
	class := string(res.Class)
	if err != nil || class == "" {
		class = "error"
	}
	ml.m.smtp.WithLabelValues(class).Inc()
	return res, err
}

// WebhookPoster counts the result of every webhook attempt of p.
func (m *Metrics) WebhookPoster(p webhooks.WebhookPoster) webhooks.WebhookPoster {
	return &poster{next: p, m: m}
}

type poster struct {
	next webhooks.WebhookPoster
	m    *Metrics
}

var _ webhooks.WebhookPoster = (*poster)(nil)

func (p *poster) Post(ctx context.Context, hook webhooks.Webhook, id string, body []byte) (webhooks.WebhookResponse, error) {
	resp, err := p.next.Post(ctx, hook, id, body)
	result := "delivered"
	switch {
	case err != nil:
		result = "network"
	case resp.Status >= 500:
		result = "http_5xx"
	case resp.Status >= 400:
		result = "http_4xx"
	case resp.Status < 200 || resp.Status > 299:
		result = "http_other"
	}
	p.m.hookResults.WithLabelValues(result).Inc()
	return resp, err
}

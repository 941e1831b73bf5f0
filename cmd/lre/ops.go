package main

import (
	"context"
	"sync"
	"time"

	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/metrics"
	"github.com/lre-project/lre/web"
	"github.com/lre-project/lre/webhook"
)

// Operations wiring of lre serve: webhooks, retention, metrics, readiness
// and backups. app.go calls these from wire and Run.

// Intervals of the operations workers. Webhooks are polled often because
// storage queues deliveries without waking the worker.
const (
	webhookEvery   = 2 * time.Second
	retentionEvery = time.Hour
	stuckAfter     = 15 * time.Minute
)

// webhookPoster is the signing HTTP client, measured.
func (a *app) webhookPoster() webhooks.WebhookPoster {
	c := webhook.New(webhook.Options{Timeout: a.cfg.webhookTimeout, AllowPrivate: a.cfg.webhookPrivate})
	return a.metrics.WebhookPoster(c)
}

func (a *app) webhookPolicy() webhooks.WebhookPolicy {
	p := webhooks.DefaultWebhookPolicy
	p.AllowPrivate = a.cfg.webhookPrivate
	return p
}

// webOps gives the web server its metrics, readiness checks and backups.
func (a *app) webOps() web.Ops {
	ops := web.Ops{Backup: a.db.Backup, Ready: a.readyChecks()}
	if a.cfg.metrics {
		ops.Metrics = a.metrics
	}
	return ops
}

// readyChecks: the store answers, the authority is embedded or reachable,
// and neither queue has a due entry its worker should long have taken.
func (a *app) readyChecks() []web.ReadyCheck {
	stuck := max(stuckAfter, 3*a.cfg.retryEvery)
	tsa := func(context.Context) error { return nil }
	if urls := splitList(a.cfg.tsaURLs); len(urls) > 0 {
		tsa = web.DialCheck(urls)
	}
	return []web.ReadyCheck{
		{Name: "store", Check: func(context.Context) error { return a.db.Ping() }},
		{Name: "tsa", Check: tsa},
		{Name: "outbox", Check: a.outboxCheck(web.QueueAgeCheck(a.oldest(func(q metrics.Queues) time.Time { return q.OldestOutboxDue }), time.Now, stuck))},
		{Name: "webhooks", Check: web.QueueAgeCheck(a.oldest(func(q metrics.Queues) time.Time { return q.OldestWebhookDue }), time.Now, stuck)},
	}
}

// outboxCheck adds the relay's health to the queue's age: a relay that
// refuses every attempt (no STARTTLS, bad credentials) leaves the queue
// young, as each entry waits its backoff, while no mail leaves.
func (a *app) outboxCheck(age func(context.Context) error) func(context.Context) error {
	if a.relay == nil {
		return age
	}
	return func(ctx context.Context) error {
		if err := a.relay.Health(ctx); err != nil {
			return err
		}
		return age(ctx)
	}
}

func (a *app) oldest(pick func(metrics.Queues) time.Time) func(context.Context) (time.Time, error) {
	return func(ctx context.Context) (time.Time, error) {
		q, err := a.queues(ctx)
		return pick(q), err
	}
}

// queues reads the queue statistics of the store.
func (a *app) queues(ctx context.Context) (metrics.Queues, error) {
	q, err := a.db.QueueStats(ctx)
	return metrics.Queues{Outbox: q.Outbox, Webhooks: q.Webhooks, PendingTimestamps: q.PendingTimestamps,
		OldestOutboxDue: q.OldestOutboxDue, OldestWebhookDue: q.OldestWebhookDue}, err
}

// runOps starts the webhook and retention workers.
func (a *app) runOps(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(2)
	go func() { defer wg.Done(); a.svc.Webhooks.RunWebhooks(ctx, webhookEvery) }()
	go func() { defer wg.Done(); a.svc.Letters.RunRetention(ctx, retentionEvery) }()
}

package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/lre-project/lre/core"
)

// webhookWorkers bounds how many deliveries are in flight at once. The due
// list holds one delivery per webhook and letter, so they are independent.
const webhookWorkers = 8

// webhookPayload is the JSON body POSTed to a webhook.
type webhookPayload struct {
	DeliveryID string `json:"delivery_id"`
	PublishedEvent
}

// WebhookBody returns the exact bytes POSTed (and signed) for d.
func WebhookBody(d WebhookDelivery) ([]byte, error) {
	b, err := json.Marshal(webhookPayload{DeliveryID: d.ID, PublishedEvent: d.Event})
	if err != nil {
		return nil, fmt.Errorf("encode webhook body: %w", err)
	}
	return b, nil
}

// ProcessWebhooks POSTs every due delivery once and returns how many were
// attempted. A 2xx answer finishes a delivery, which lets the next event of
// the same letter go; anything else is retried with backoff until the
// policy's MaxAge after the first attempt, then abandoned.
func (s *Service) ProcessWebhooks(ctx context.Context) (int, error) {
	if s.poster == nil {
		return 0, nil
	}
	due, err := s.store.DueWebhookDeliveries(ctx, s.clock(), 64)
	if err != nil {
		return 0, fmt.Errorf("process webhooks: %w", err)
	}
	sem := make(chan struct{}, webhookWorkers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, d := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.deliverWebhook(ctx, d); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("webhook delivery %s: %w", d.ID, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// deliverWebhook makes one attempt of d and records its result.
func (s *Service) deliverWebhook(ctx context.Context, d WebhookDelivery) error {
	hook, err := s.store.Webhook(ctx, d.WebhookID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil // deleted meanwhile: the deletion cancelled d
	}
	if err != nil {
		return err
	}
	body, err := WebhookBody(d)
	if err != nil {
		return err
	}
	started := s.clock()
	resp, err := s.poster.Post(ctx, hook, d.ID, body)
	if errors.Is(err, context.Canceled) {
		return err
	}
	a := WebhookAttempt{Time: started, Status: resp.Status, Response: excerpt(resp.Body, 512), Duration: s.clock().Sub(started)}
	if err != nil {
		a.Error = excerpt(err.Error(), 512)
	} else if resp.Status < 200 || resp.Status > 299 {
		a.Error = fmt.Sprintf("endpoint answered %d", resp.Status)
	}
	s.finishWebhookAttempt(&d, a)
	if err := s.store.SaveWebhookDelivery(ctx, d); err != nil && core.ErrorCode(err) != core.ENOTFOUND {
		return err
	}
	return nil
}

// finishWebhookAttempt appends a to d and decides what comes next.
func (s *Service) finishWebhookAttempt(d *WebhookDelivery, a WebhookAttempt) {
	d.Attempts = append(d.Attempts, a)
	p := s.policy.Retry
	now := s.clock()
	switch {
	case a.Error == "":
		d.Done, d.Outcome = true, WebhookDelivered
	case now.Sub(d.Attempts[0].Time) >= p.MaxAge:
		d.Done, d.Outcome = true, WebhookAbandoned
	default:
		d.NotBefore = now.Add(WebhookBackoff(p, len(d.Attempts)))
	}
}

// WebhookBackoff is the wait after the given number of failed attempts:
// Base doubled each time, capped at Max, plus up to 20% jitter so that the
// deliveries of an endpoint that came back do not all retry in lockstep.
func WebhookBackoff(p core.RetryPolicy, attempts int) time.Duration {
	d := p.Base
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// excerpt cuts s to at most n bytes of valid UTF-8.
func excerpt(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// KickWebhooks wakes the webhook worker now (a replay, a fresh event).
func (s *Service) KickWebhooks() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// RunWebhooks delivers due webhook events every interval until ctx ends.
func (s *Service) RunWebhooks(ctx context.Context, interval time.Duration) {
	core.RunEvery(ctx, s.log, interval, s.kick, "webhooks", s.ProcessWebhooks)
}

package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Sender outcomes for the sending policy.
const (
	OutcomeDelivered  = "delivered"
	OutcomeHardBounce = "hard_bounce"
	OutcomeSoftBounce = "soft_bounce"
)

// ProcessOutbox delivers every due outbox entry once and returns how many
// were attempted. Each attempt is made durable before the message leaves
// and its result after, so a crash in between shows up on restart as an
// attempt without result, which is recorded as ambiguous before retrying.
// It works through the whole queue (a burst of 20,000 letters must not wait
// for the next tick between batches), mailWorkers messages at a time.
func (s *Service) ProcessOutbox(ctx context.Context) (int, error) {
	if s.mailer == nil {
		return 0, nil
	}
	const batch, maxRounds = 100, 200
	total := 0
	for round := 0; round < maxRounds; round++ {
		due, err := s.store.DueOutbox(ctx, s.clock(), batch)
		if err != nil {
			return total, fmt.Errorf("process outbox: %w", err)
		}
		n, err := s.deliverAll(ctx, due)
		total += n
		if err != nil || len(due) < batch {
			return total, err
		}
	}
	s.Kick() // more remains: come back at once rather than at the next tick
	return total, nil
}

// mailWorkers bounds concurrent SMTP transactions: enough to hide a relay's
// latency, few enough not to look like a flood to it.
const mailWorkers = 4

// deliverAll runs one attempt of each entry, mailWorkers at a time, and
// returns how many were attempted and the first error.
func (s *Service) deliverAll(ctx context.Context, due []OutboxEntry) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		n     int
	)
	sem := make(chan struct{}, mailWorkers)
	for _, e := range due {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := s.deliver(ctx, e)
			mu.Lock()
			defer mu.Unlock()
			n++
			if err != nil && first == nil {
				first = fmt.Errorf("deliver %s: %w", e.ID, err)
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return n, first
}

// deliver runs one attempt of entry e.
func (s *Service) deliver(ctx context.Context, e OutboxEntry) error {
	started := s.clock()
	var skip bool
	_, err := s.update(ctx, e.NoticeID, func(n *Notice) (Change, error) {
		if e.InFlight && len(e.Attempts) > 0 {
			e.Attempts[len(e.Attempts)-1].Ambiguous = true
		}
		if obsolete(e.Mail.Kind, n.Status) {
			e.Done, e.InFlight, e.Outcome, skip = true, false, "skipped", true
			e.Mail.Link, e.Mail.Code = "", ""
			return Change{Outbox: []OutboxEntry{e}}, nil
		}
		if e.Mail.Kind == MailNotification {
			e.Mail.Deadline = s.deadlines.Deadline(started)
		}
		e.Mail.Date = started
		e.InFlight = true
		e.Attempts = append(e.Attempts, Attempt{Started: started})
		return Change{Outbox: []OutboxEntry{e}}, nil
	})
	if err != nil || skip {
		return err
	}
	res, err := s.mailer.Send(ctx, e.Mail)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		res = DeliveryResult{Class: DeliveryTemporary, Text: err.Error(), Time: s.clock()}
		if ErrorCode(err) == EINVALID {
			res.Class, res.Reason = DeliveryPermanent, ReasonOther
		}
	}
	if res.Time.IsZero() {
		res.Time = s.clock()
	}
	_, err = s.update(ctx, e.NoticeID, func(n *Notice) (Change, error) {
		return s.finishAttempt(n, e, res), nil
	})
	return err
}

// update runs fn on notice id, or on an empty notice for mail that belongs
// to no letter (consent requests), whose changes then touch only the outbox.
func (s *Service) update(ctx context.Context, id string, fn func(n *Notice) (Change, error)) (Notice, error) {
	if id != "" {
		return s.store.UpdateNotice(ctx, id, fn)
	}
	var n Notice
	ch, err := fn(&n)
	if err != nil {
		return Notice{}, err
	}
	ch.Events, ch.Outcome = nil, nil
	return n, s.store.ApplyChange(ctx, ch)
}

// obsolete reports mail that no longer has a purpose: a reminder once the
// letter is no longer awaiting an answer, a notification retry once a late
// bounce has failed the letter (the evidence already says it never arrived).
func obsolete(kind MailKind, st Status) bool {
	switch kind {
	case MailReminder:
		return st != StatusNotified
	case MailNotification:
		return st != StatusDeposited
	}
	return false
}

// finishAttempt records res on the entry and, for a final outcome, the
// evidence event and the notice's new state.
func (s *Service) finishAttempt(n *Notice, e OutboxEntry, res DeliveryResult) Change {
	e.InFlight = false
	last := &e.Attempts[len(e.Attempts)-1]
	last.Result = &res
	last.Ambiguous = last.Ambiguous || res.Ambiguous
	ch := Change{}
	switch {
	case res.Class == DeliveryAccepted:
		e.Done, e.Outcome = true, "delivered"
		if isEvidence(e.Mail.Kind) {
			ch.Events = append(ch.Events, s.deliveredEvent(n, e, res, last.Started))
		}
		if e.Mail.Kind == MailNotification {
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: OutcomeDelivered}
			if n.Status == StatusDeposited {
				n.Status, n.NotifiedAt, n.Deadline = StatusNotified, last.Started, e.Mail.Deadline
				ch.Outbox = append(ch.Outbox, s.reminderEntries(*n, e)...)
			}
		}
	case res.Class == DeliveryPermanent || res.Time.Sub(e.Created) >= s.retry.MaxAge:
		e.Done, e.Outcome = true, "failed"
		if res.Class != DeliveryPermanent {
			res.Reason = "retries_exhausted"
		}
		if isEvidence(e.Mail.Kind) {
			ch.Events = append(ch.Events, s.failureEvent(n, e, res))
		}
		if e.Mail.Kind == MailNotification {
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: bounceOutcome(res)}
			if n.Status == StatusDeposited {
				n.Status = StatusNotificationFail
			}
		}
	default:
		e.NotBefore = res.Time.Add(s.backoff(len(e.Attempts)))
	}
	if e.Done {
		e.Mail.Link, e.Mail.Code = "", ""
	}
	ch.Outbox = append([]OutboxEntry{e}, ch.Outbox...)
	return ch
}

// isEvidence says which mail the evidence log records: the notification and
// its reminders. One-time codes and consent requests are steps of other
// flows (their outcome shows in the identification and consent events).
func isEvidence(k MailKind) bool { return k == MailNotification || k == MailReminder }

func bounceOutcome(res DeliveryResult) string {
	if res.Class == DeliveryPermanent {
		return OutcomeHardBounce
	}
	return OutcomeSoftBounce
}

// backoff is exponential from Base, capped at Max, with up to 20% jitter so
// that a burst of soft bounces does not retry in lockstep.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.retry.Base
	for i := 1; i < attempts && d < s.retry.Max; i++ {
		d *= 2
	}
	d = min(d, s.retry.Max)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

func attemptDetails(e OutboxEntry, res DeliveryResult) map[string]string {
	d := map[string]string{
		"mail_kind":     string(e.Mail.Kind),
		"message_id":    e.ID,
		"recipient":     e.Mail.To.Email,
		"remote_host":   res.Host,
		"reply_code":    fmt.Sprint(res.Code),
		"enhanced_code": res.Enhanced,
		"reply_text":    res.Text,
		"queue_id":      res.QueueID,
		"attempts":      fmt.Sprint(len(e.Attempts)),
	}
	for _, a := range e.Attempts {
		if a.Ambiguous {
			d["ambiguous_retry"] = "true: an earlier attempt may have been delivered before its result was recorded"
		}
	}
	for k, v := range d {
		if v == "" {
			delete(d, k)
		}
	}
	return d
}

func (s *Service) deliveredEvent(n *Notice, e OutboxEntry, res DeliveryResult, started time.Time) Event {
	d := attemptDetails(e, res)
	typ := EventNotificationForAcceptance
	if e.Mail.Kind == MailReminder {
		typ = EventReminderSent
	} else {
		d["deadline"] = e.Mail.Deadline.Format(time.RFC3339)
		d["sent_at"] = started.Format(time.RFC3339Nano)
	}
	return Event{Type: typ, NoticeID: n.ID, Time: res.Time, Details: d}
}

func (s *Service) failureEvent(n *Notice, e OutboxEntry, res DeliveryResult) Event {
	d := attemptDetails(e, res)
	d["reason"] = orDefault(res.Reason, ReasonOther)
	d["source"] = "smtp"
	return Event{Type: EventNotificationFailure, NoticeID: n.ID, Time: res.Time, Details: d}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// RunOutbox delivers due mail every interval until ctx ends.
func (s *Service) RunOutbox(ctx context.Context, interval time.Duration) {
	s.loop(ctx, interval, s.kick, "outbox", s.ProcessOutbox)
}

// every runs job now and then every interval until ctx ends, logging errors.
func (s *Service) every(ctx context.Context, interval time.Duration, name string, job func(context.Context) (int, error)) {
	s.loop(ctx, interval, nil, name, job)
}

// loop is every with an extra wake-up channel.
func (s *Service) loop(ctx context.Context, interval time.Duration, wake <-chan struct{}, name string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := job(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("background job failed; will retry", "job", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

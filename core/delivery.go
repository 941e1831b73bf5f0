package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Sender outcomes for the sending policy.
const (
	OutcomeDelivered  = "delivered"
	OutcomeHardBounce = "hard_bounce"
	OutcomeSoftBounce = "soft_bounce"
	OutcomeBlock      = "block"     // a soft failure for the sender's reputation, authentication or content
	OutcomeComplaint  = "complaint" // the recipient reported the mail as spam (or opted out)
)

// softOutcome is the sending-policy outcome of a soft failure for reason.
func softOutcome(reason string) string {
	if BlockReason(reason) {
		return OutcomeBlock
	}
	return OutcomeSoftBounce
}

// ProcessOutbox delivers every due outbox entry once and returns how many
// were attempted. Each attempt is made durable before the message leaves
// and its result after, so a crash in between shows up on restart as an
// attempt without result, which is recorded as ambiguous before retrying.
// It works through the whole queue (a burst of 20,000 letters must not wait
// for the next tick between batches), s.mailConns messages at a time.
func (s *Service) ProcessOutbox(ctx context.Context) (int, error) {
	if s.mailer == nil {
		return 0, nil
	}
	const batch, maxRounds = 100, 200
	p := &outboxPages{s: s, sem: make(chan struct{}, max(s.mailConns, 1)), taken: map[string]bool{}}
	total := 0
	for round := 0; round < maxRounds; round++ {
		page, more, err := p.next(ctx, batch)
		if err != nil {
			p.wait()
			return total, fmt.Errorf("process outbox: %w", err)
		}
		total += len(page)
		p.start(ctx, page)
		if !more || p.errs.get() != nil {
			return total, p.wait()
		}
	}
	err := p.wait()
	if err == nil {
		s.Kick() // more remains: come back at once rather than at the next tick
	}
	return total, err
}

// DefaultMailConnections bounds concurrent SMTP transactions unless
// WithMailConnections says otherwise: enough to hide a relay's latency, few
// enough not to look like a flood to it (a provider's own relay; Postfix
// accepts 50 connections per client by default). The notification starts
// the recipient's deadline, so it must keep pace with deposits: lre bench,
// 100 KB letters for 20 s on loopback SMTP, sent 141 mails/s with 4
// connections while deposits ran at 723/s (backlog drained 13.5 s after the
// load), 233/s with 8 (9.1 s), 305/s with 16 (6.3 s). Since the SMTP
// adapter keeps a connection open from one accepted mail to the next, 16
// carry 595-686 mails/s there and drain the backlog in 2-9 s.
const DefaultMailConnections = 16

// outboxPages runs ProcessOutbox's pages of entries, two at a time: the
// attempts of a whole page are recorded first, concurrently, so that they
// share one group commit of the store; then its mails leave, s.mailConns at
// a time over both pages, and each result is recorded while the next mail
// is sent. The next page is read and its attempts recorded while the mails
// of the page before are still leaving: waiting for a page's last result
// before reading the next left the connections idle for two commits per
// page, and lre bench measured the SMTP backlog drained in 10.9 s after a
// 20 s burst (target 10 s). Per mail it is still one commit before and one
// after.
type outboxPages struct {
	s    *Service
	sem  chan struct{} // the mail connections, shared by the pages
	errs firstError

	taken map[string]bool // every entry this call read into a page (its goroutine only)
	prev  chan struct{}   // closed when the last started page is finished

	mu   sync.Mutex
	open int // entries of pages whose mails are not all finished
}

// next reads the next page: up to batch due entries this call has not
// taken yet, and whether more may be due. An entry a page took stays due
// in the store until its result commits, so the read asks for as many more
// as are still open; an entry finished while the read runs was open when
// it began, so is counted too.
func (p *outboxPages) next(ctx context.Context, batch int) ([]OutboxEntry, bool, error) {
	p.mu.Lock()
	limit := batch + p.open
	p.mu.Unlock()
	due, err := p.s.store.DueOutbox(ctx, p.s.clock(), limit)
	if err != nil {
		return nil, false, err
	}
	var page []OutboxEntry
	for _, e := range due {
		if !p.taken[e.ID] && len(page) < batch {
			page = append(page, e)
		}
	}
	return page, len(due) == limit, nil
}

// start records the attempts of page, lets its mails leave in the
// background and returns once the page before it is finished.
func (p *outboxPages) start(ctx context.Context, page []OutboxEntry) {
	for _, e := range page {
		p.taken[e.ID] = true
	}
	p.mu.Lock()
	p.open += len(page)
	p.mu.Unlock()
	ready := p.s.beginAll(ctx, page, &p.errs)
	prev, done := p.prev, make(chan struct{})
	p.prev = done
	go func() {
		defer close(done)
		p.s.sendAll(ctx, ready, p.sem, &p.errs)
		p.mu.Lock()
		p.open -= len(page)
		p.mu.Unlock()
	}()
	if prev != nil {
		<-prev
	}
}

// wait waits for the last page and returns the first error of all.
func (p *outboxPages) wait() error {
	if p.prev != nil {
		<-p.prev
	}
	return p.errs.get()
}

// sendAll sends the mails of ready, sem's capacity at a time, recording
// each result, and returns when every result is recorded.
func (s *Service) sendAll(ctx context.Context, ready []OutboxEntry, sem chan struct{}, errs *firstError) {
	var wg sync.WaitGroup
	for _, e := range ready {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			res, err := s.send(ctx, e)
			<-sem
			if err == nil {
				err = s.finish(ctx, e, res)
			}
			errs.add(e.ID, err)
		})
	}
	wg.Wait()
	errs.add("", ctx.Err())
}

// beginAll records the start of an attempt of every entry and returns the
// entries to send (obsolete ones are marked skipped instead).
func (s *Service) beginAll(ctx context.Context, due []OutboxEntry, errs *firstError) []OutboxEntry {
	ready := make([]*OutboxEntry, len(due))
	var wg sync.WaitGroup
	for i, e := range due {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started, send, err := s.begin(ctx, e)
			errs.add(e.ID, err)
			if err == nil && send {
				ready[i] = &started
			}
		}()
	}
	wg.Wait()
	var out []OutboxEntry
	for _, e := range ready {
		if e != nil {
			out = append(out, *e)
		}
	}
	return out
}

// firstError keeps the first error of concurrent deliveries.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *firstError) add(id string, err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		if id != "" {
			err = fmt.Errorf("deliver %s: %w", id, err)
		}
		f.err = err
	}
}

// begin makes the attempt of entry e durable before its mail leaves, and
// returns the entry as recorded and whether to send it. The store may run
// the function twice, so it starts from e each time.
func (s *Service) begin(ctx context.Context, e OutboxEntry) (OutboxEntry, bool, error) {
	if err := s.checkReminder(ctx, e); err != nil {
		return OutboxEntry{}, false, err
	}
	started := s.clock()
	var rec OutboxEntry
	var skip bool
	_, err := s.update(ctx, e.NoticeID, func(n *Notice) (Change, error) {
		rec, skip = e, false
		rec.Attempts = slices.Clone(e.Attempts)
		if rec.InFlight && len(rec.Attempts) > 0 {
			rec.Attempts[len(rec.Attempts)-1].Ambiguous = true
		}
		if obsolete(rec.Mail.Kind, n.Status) {
			rec.Done, rec.InFlight, rec.Outcome, skip = true, false, "skipped", true
			rec.Mail.Link, rec.Mail.Code = "", ""
			return Change{Outbox: []OutboxEntry{rec}}, nil
		}
		if rec.Mail.Kind == MailNotification {
			rec.Mail.Deadline = s.deadlines.Deadline(started)
		}
		rec.Mail.Date = started
		rec.InFlight = true
		rec.Attempts = append(rec.Attempts, Attempt{Started: started})
		return Change{Outbox: []OutboxEntry{rec}}, nil
	})
	return rec, err == nil && !skip, err
}

// send hands e's mail to the mailer; a mailer error is a temporary failure
// (permanent when the mail itself is invalid), except a cancellation.
func (s *Service) send(ctx context.Context, e OutboxEntry) (DeliveryResult, error) {
	m, err := s.attachProof(ctx, e.Mail)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return DeliveryResult{}, err
		}
		s.log.Warn("proof mail waits for its proof", "notice", e.NoticeID, "mail", e.ID, "err", err)
		return DeliveryResult{Class: DeliveryTemporary, Reason: ReasonOther, Text: "the proof is not ready: " + err.Error(), Time: s.clock()}, nil
	}
	res, err := s.mailer.Send(ctx, m)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return res, err
		}
		// Not a classified reply: a local or relay problem (authentication).
		res = DeliveryResult{Class: DeliveryTemporary, Text: err.Error(), Time: s.clock(), RelayFailure: true}
		if ErrorCode(err) == EINVALID {
			res.Class, res.Reason = DeliveryPermanent, ReasonOther
		}
	}
	if res.Time.IsZero() {
		res.Time = s.clock()
	}
	return res, nil
}

// finish records the result of e's attempt.
func (s *Service) finish(ctx context.Context, e OutboxEntry, res DeliveryResult) error {
	_, err := s.update(ctx, e.NoticeID, func(n *Notice) (Change, error) {
		return s.finishAttempt(n, e, res), nil
	})
	if res.Class != DeliveryAccepted {
		s.log.Warn("mail not delivered", "notice", e.NoticeID, "mail", e.ID, "kind", e.Mail.Kind, "attempt", len(e.Attempts),
			"class", res.Class, "reason", res.Reason, "relay_failure", res.RelayFailure, "reply_code", res.Code,
			"enhanced_code", res.Enhanced, "reply", res.Text)
	}
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
	e.Attempts = slices.Clone(e.Attempts)
	last := &e.Attempts[len(e.Attempts)-1]
	last.Result = &res
	last.Ambiguous = last.Ambiguous || res.Ambiguous
	ch := Change{}
	switch {
	case res.Class == DeliveryAccepted:
		e.Done, e.Outcome = true, "delivered"
		ev := s.deliveredEvent(n, e, res, last.Started)
		if e.Mail.Kind == MailNotification {
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: OutcomeDelivered, At: res.Time}
			if n.Status == StatusDeposited && advance(n, &ev) == nil {
				n.NotifiedAt, n.Deadline = last.Started, e.Mail.Deadline
				ch.Outbox = append(ch.Outbox, s.reminderEntries(*n, e)...)
			}
		}
		if isEvidence(e.Mail.Kind) {
			ch.Events = append(ch.Events, ev)
		}
	case res.Class == DeliveryPermanent && !reversible(res.Reason) || res.Time.Sub(e.Created) >= s.retry.MaxAge:
		e.Done, e.Outcome = true, "failed"
		outcome := failureOutcome(res)
		if res.Class != DeliveryPermanent || reversible(res.Reason) {
			res.Reason = "retries_exhausted"
		}
		ev := s.failureEvent(n, e, res)
		if e.Mail.Kind == MailNotification {
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: outcome, At: res.Time}
			if n.Status == StatusDeposited {
				_ = advance(n, &ev) // deposited → notification_failed is in the table
			}
		}
		if isEvidence(e.Mail.Kind) {
			ch.Events = append(ch.Events, ev)
		}
	default:
		e.NotBefore = res.Time.Add(s.backoff(len(e.Attempts)))
		if e.Mail.Kind == MailNotification {
			ch.Events = append(ch.Events, s.deferredEvent(n, e, res))
		}
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

// failureOutcome is the sending-policy outcome of a final failure: hard
// only for a permanent refusal of the address itself.
func failureOutcome(res DeliveryResult) string {
	if res.Class == DeliveryPermanent && HardReason(res.Reason) {
		return OutcomeHardBounce
	}
	return softOutcome(res.Reason)
}

// reversible tells the reasons of a permanent (5xx) refusal that a later
// attempt may overcome: a full or disabled mailbox, a block for reputation
// or policy, a rate limit, the network. The notification stays in retry
// (until RetryPolicy.MaxAge) instead of failing at once. Refusals of the
// address itself, of the content (spam, virus, size) or of the route
// (relay denied), and unexplained ones, are final.
func reversible(reason string) bool {
	switch reason {
	case ReasonMailboxFull, ReasonBlocked, ReasonPolicy, ReasonRateLimited, ReasonSuspended, ReasonNetwork, ReasonExpired:
		return true
	}
	return false
}

// deferredEvent records one soft failure of the notification while it is
// retried: every reply is evidence, not only the last.
func (s *Service) deferredEvent(n *Notice, e OutboxEntry, res DeliveryResult) Event {
	d := attemptDetails(e, res)
	d["source"] = "smtp"
	d["reason"] = orDefault(res.Reason, ReasonOther)
	d["next_attempt"] = e.NotBefore.UTC().Format(time.RFC3339)
	return Event{Type: EventNotificationDeferred, NoticeID: n.ID, Time: res.Time, Details: d}
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
	if res.Development {
		d["development_mailbox"] = "true: filed in the development mailbox of this server; no mail was sent to the recipient"
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
	RunEvery(ctx, s.log, interval, nil, name, job)
}

// loop is every with an extra wake-up channel.
func (s *Service) loop(ctx context.Context, interval time.Duration, wake <-chan struct{}, name string, job func(context.Context) (int, error)) {
	RunEvery(ctx, s.log, interval, wake, name, job)
}

package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report events of lre's own: a report that came back and was tied to the
// letter's mail, but is no failure of the notification (yet).
const (
	// EventNotificationDeferred records a soft failure: a temporary SMTP
	// reply while the notification is retried, or a late report of a
	// reversible failure (the notification is then sent again).
	EventNotificationDeferred EventType = "NotificationDeferred"
	// EventComplaintReceived records a feedback-loop complaint (ARF) about
	// the letter's mail.
	EventComplaintReceived EventType = "ComplaintReceived"
)

// HandleBounce records what came back to a letter's VERP address: a late
// failure or delay report, or a complaint. It counts only when it is tied
// to the mail that was sent: the VERP tag must be the letter's, the failed
// recipient the letter's recipient, and the original's Message-ID or
// Original-Envelope-Id one of the letter's notification or reminders (both,
// when the report gives both). Anything else changes nothing and comes back
// as an error, so that the caller keeps the report for the operator.
//
// A hard failure (the address itself) of the notification or a reminder is
// final: NotificationForAcceptanceFailure, the letter fails and its
// deadline goes, unless the recipient has opened the link, answered or
// started to identify (they had the mail). A soft failure of the notification after its
// acceptance sends it again: the letter is back to deposited and its 15
// days start at the next real acceptance. A delay, or a soft failure while
// in retry, is recorded (NotificationDeferred) and changes nothing else.
// The same report received twice is recorded once (bounce servers retry).
// Errors: ENOTFOUND for an unknown letter or a wrong tag, EINVALID for a
// report that does not match the mail sent.
func (s *Service) HandleBounce(ctx context.Context, b Bounce) error {
	id, ok := s.verpNotice(b.NoticeID)
	if !ok {
		return Errorf(ENOTFOUND, "report to bounce address %q: no letter has this address (unknown letter or wrong tag)", b.NoticeID)
	}
	key := strings.ToLower(b.Kind + "|" + b.Recipient + "|" + b.Status + "|" + b.Action + "|" + b.MessageID + "|" + b.Diagnosis)
	_, err := s.store.UpdateNotice(ctx, id, func(n *Notice) (Change, error) {
		mail, err := s.boundMail(*n, b)
		if err != nil {
			return Change{}, err
		}
		if slices.Contains(n.Bounces, key) {
			return Change{}, nil // the same report again: already evidence
		}
		n.Bounces = append(n.Bounces, key)
		if b.Kind == ReportComplaint {
			return s.complaint(n, b, mail), nil
		}
		return s.lateReport(n, b, mail)
	})
	if err != nil {
		return fmt.Errorf("handle report for %s: %w", id, err)
	}
	return nil
}

// boundMail checks that report b is about mail n sent and returns that
// mail's id (its outbox entry and Message-ID local part).
func (s *Service) boundMail(n Notice, b Bounce) (string, error) {
	if b.Recipient != "" || b.Kind != ReportComplaint {
		if !strings.EqualFold(strings.TrimSpace(b.Recipient), n.Recipient.Email) {
			return "", Errorf(EINVALID, "report names recipient %q, the letter was sent to another address", b.Recipient)
		}
	}
	fromMsgID, okMsg := s.ownMailID(n, b.MessageID, true)
	fromEnv, okEnv := s.ownMailID(n, b.EnvelopeID, false)
	switch {
	case b.MessageID != "" && !okMsg:
		return "", Errorf(EINVALID, "report is about message %q, which this letter did not send", b.MessageID)
	case b.EnvelopeID != "" && !okEnv:
		return "", Errorf(EINVALID, "report is about envelope %q, which this letter did not send", b.EnvelopeID)
	case okMsg && okEnv && fromMsgID != fromEnv:
		return "", Errorf(EINVALID, "report's Message-ID and envelope id name different mails")
	case okMsg:
		return fromMsgID, nil
	case okEnv:
		return fromEnv, nil
	}
	return "", Errorf(EINVALID, "report names neither the Message-ID nor the envelope id of the mail sent")
}

// ownMailID tells whether v (a Message-ID, or an ENVID when !withDomain)
// names the notification or a reminder of n, and returns that mail's id.
func (s *Service) ownMailID(n Notice, v string, withDomain bool) (string, bool) {
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
	if withDomain {
		local, domain, ok := strings.Cut(v, "@")
		if !ok || domain != strings.ToLower(domainOf(s.provider.FromEmail)) {
			return "", false
		}
		v = local
	}
	kind, rest, ok := strings.Cut(v, "-")
	if !ok || rest != strings.ToLower(n.ID) || !evidenceMailKind(kind) {
		return "", false
	}
	return v, true
}

// evidenceMailKind tells the id prefixes of the notification ("ntf",
// "ntf2"... when it was sent again) and the reminders ("rem1"...).
func evidenceMailKind(prefix string) bool {
	for _, k := range []string{"ntf", "rem"} {
		if rest, ok := strings.CutPrefix(prefix, k); ok && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// reportDetails are the evidence details of a report tied to mail.
func reportDetails(b Bounce, mail string) map[string]string {
	d := map[string]string{
		"source":        "dsn",
		"message_id":    mail,
		"recipient":     b.Recipient,
		"action":        b.Action,
		"enhanced_code": b.Status,
		"reply_code":    fmt.Sprint(b.ReplyCode),
		"diagnosis":     b.Diagnosis,
		"reason":        orDefault(b.Reason, ReasonOther),
		"hard":          fmt.Sprint(b.Hard),
		"received_at":   b.Received.UTC().Format(time.RFC3339),
	}
	if b.ReplyCode == 0 {
		delete(d, "reply_code")
	}
	return d
}

// awaiting tells a letter whose notification counts as received but whose
// recipient has shown no sign of having it (no link view recorded, no code
// asked for): a late report can still undo the notification. Once they
// showed one, a report saying the mail never arrived is evidence only.
func awaiting(n Notice) bool {
	return (n.Status == StatusNotified || n.Status == StatusDeposited) && n.Identification.CodesSent == 0 && n.AccessRecordedAt.IsZero()
}

// lateReport applies a tied failure or delay report to n.
func (s *Service) lateReport(n *Notice, b Bounce, mail string) (Change, error) {
	d := reportDetails(b, mail)
	hard := b.Action == "failed" && b.Hard && HardReason(b.Reason)
	switch {
	case hard:
		ev := Event{Type: EventNotificationFailure, NoticeID: n.ID, Time: s.clock(), Details: d}
		ch := Change{}
		if awaiting(*n) {
			if err := advance(n, &ev); err != nil {
				return Change{}, err
			}
			n.Deadline = time.Time{}
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: OutcomeHardBounce, At: s.clock()}
		}
		ch.Events = []Event{ev}
		return ch, nil
	case b.Action == "failed" && n.Status == StatusNotified && awaiting(*n) && strings.HasPrefix(mail, "ntf"):
		d["retry"] = "the notification is sent again; the deadline starts at its next acceptance"
		ev := Event{Type: EventNotificationDeferred, NoticeID: n.ID, Time: s.clock(), Details: d}
		if err := advance(n, &ev); err != nil {
			return Change{}, err
		}
		ch := Change{Events: []Event{ev}}
		n.NotifiedAt, n.Deadline = time.Time{}, time.Time{}
		if err := s.queueNotificationAgain(n, &ch); err != nil {
			return Change{}, err
		}
		ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: softOutcome(b.Reason), At: s.clock()}
		return ch, nil
	}
	return Change{Events: []Event{{Type: EventNotificationDeferred, NoticeID: n.ID, Time: s.clock(), Details: d}}}, nil
}

// complaint records a tied complaint about n's mail.
func (s *Service) complaint(n *Notice, b Bounce, mail string) Change {
	d := map[string]string{
		"source":        "arf",
		"message_id":    mail,
		"feedback_type": orDefault(b.FeedbackType, "abuse"),
		"received_at":   b.Received.UTC().Format(time.RFC3339),
	}
	if b.Recipient != "" {
		d["recipient"] = b.Recipient
	}
	return Change{
		Events:  []Event{{Type: EventComplaintReceived, NoticeID: n.ID, Time: s.clock(), Details: d}},
		Outcome: &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: OutcomeComplaint, At: s.clock()},
	}
}

// SenderRates are a sender's recent delivery statistics: over the last
// SendingPolicy.Window notifications, and today (UTC) for complaints.
type SenderRates struct {
	Notifications   int     `json:"notifications"`
	Delivered       int     `json:"delivered"`
	HardBounces     int     `json:"hard_bounces"`
	SoftBounces     int     `json:"soft_bounces"`
	Blocks          int     `json:"blocks"`
	Complaints      int     `json:"complaints"`
	HardRate        float64 `json:"hard_bounce_rate"`
	BlockRate       float64 `json:"block_rate"`
	ComplaintRate   float64 `json:"complaint_rate"`
	MailsToday      int     `json:"mails_today"`
	ComplaintsToday int     `json:"complaints_today"`
	Suspended       bool    `json:"suspended"`
	// SuspendedFor names the threshold passed: bounces, blocks or complaints.
	SuspendedFor string `json:"suspended_for,omitempty"`
}

// SenderRates returns the statistics over the policy window for userID.
func (s *Service) SenderRates(ctx context.Context, userID string) (SenderRates, error) {
	outs, err := s.store.RecentOutcomes(ctx, userID)
	if err != nil {
		return SenderRates{}, fmt.Errorf("sender rates: %w", err)
	}
	day, err := s.store.SenderDay(ctx, userID, s.clock())
	if err != nil {
		return SenderRates{}, fmt.Errorf("sender rates: %w", err)
	}
	return s.rates(outs, day), nil
}

// SuspendedSenders counts the senders whose sending is suspended now, for
// monitoring (one number, not a series per sender). Errors: internal only.
func (s *Service) SuspendedSenders(ctx context.Context) (int, error) {
	all := map[string][]string{}
	err := s.store.EachSenderOutcomes(ctx, func(id string, outs []string) { all[id] = outs })
	if err != nil {
		return 0, fmt.Errorf("suspended senders: %w", err)
	}
	n := 0
	for id, outs := range all {
		day, err := s.store.SenderDay(ctx, id, s.clock())
		if err != nil {
			return 0, fmt.Errorf("suspended senders: %w", err)
		}
		if s.rates(outs, day).Suspended {
			n++
		}
	}
	return n, nil
}

// rates applies the sending policy (shared/DOMAIN.md) to a sender's
// outcomes, oldest first, and today's counts: suspended above 8 % hard
// bounces or 30 % blocks of the window (on MinSample notifications at
// least), or, on a day of more than 1,000 mails, above 0.08 % complaints,
// or above 50 complaints in a day.
func (s *Service) rates(outs []string, day DayCount) SenderRates {
	p := s.policy.withDefaults()
	if len(outs) > p.Window {
		outs = outs[len(outs)-p.Window:]
	}
	r := SenderRates{MailsToday: day.Mails, ComplaintsToday: day.Complaints}
	for _, o := range outs {
		r.Notifications++
		switch o {
		case OutcomeDelivered:
			r.Delivered++
		case OutcomeHardBounce:
			r.HardBounces++
		case OutcomeSoftBounce:
			r.SoftBounces++
		case OutcomeBlock:
			r.Blocks++
		case OutcomeComplaint:
			r.Complaints++
		}
	}
	if r.Notifications > 0 {
		n := float64(r.Notifications)
		r.HardRate, r.BlockRate, r.ComplaintRate = float64(r.HardBounces)/n, float64(r.Blocks)/n, float64(r.Complaints)/n
	}
	sample := r.Notifications >= p.MinSample
	switch {
	case sample && r.HardRate > p.MaxHardRate:
		r.SuspendedFor = "bounces"
	case sample && r.BlockRate > p.MaxBlockRate:
		r.SuspendedFor = "blocks"
	case day.Complaints > p.MaxComplaintsPerDay,
		day.Mails > p.ComplaintVolume && float64(day.Complaints)/float64(day.Mails) > p.MaxComplaintRate:
		r.SuspendedFor = "complaints"
	}
	r.Suspended = r.SuspendedFor != ""
	return r
}

// checkSendingPolicy refuses deposits from a suspended sender.
func (s *Service) checkSendingPolicy(ctx context.Context, u User) error {
	r, err := s.SenderRates(ctx, u.ID)
	if err != nil {
		return err
	}
	p := s.policy.withDefaults()
	switch r.SuspendedFor {
	case "bounces":
		return Errorf(EREFUSED, "sending suspended: %.1f%% of your last %d notifications bounced (limit %.0f%%); clean your recipient list and ask an administrator to lift the suspension",
			100*r.HardRate, r.Notifications, 100*p.MaxHardRate)
	case "blocks":
		return Errorf(EREFUSED, "sending suspended: %.1f%% of your last %d notifications were blocked by the recipients' servers (limit %.0f%%); ask an administrator to lift the suspension",
			100*r.BlockRate, r.Notifications, 100*p.MaxBlockRate)
	case "complaints":
		return Errorf(EREFUSED, "sending suspended: %d complaints today for %d notifications (limits 0.08%% above 1,000 a day, 50 a day); ask an administrator to lift the suspension",
			r.ComplaintsToday, r.MailsToday)
	}
	return nil
}

// canLift lets an organisation's admin lift its own senders, and the
// provider's operator (an admin without organisation, who watches the
// provider-wide bounce rate) any sender.
func (s *Service) canLift(ctx context.Context, admin User, userID string) error {
	if !admin.IsOperator() {
		_, err := OrgUser(ctx, s.store, admin, userID)
		return err
	}
	if _, err := s.store.UserByID(ctx, userID); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "no user %q", userID)
		}
		return fmt.Errorf("find user: %w", err)
	}
	return nil
}

// LiftSuspension restarts a sender's bounce statistics and records who did
// it as a SendingPolicyLifted event. Only an admin of the sender's own
// organisation may. Errors: EFORBIDDEN for a non-admin, ENOTFOUND for an
// unknown user or one of another organisation (or of none).
func (s *Service) LiftSuspension(ctx context.Context, admin User, userID string) error {
	if admin.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only an admin may lift a sending suspension")
	}
	if err := s.canLift(ctx, admin, userID); err != nil {
		return err
	}
	if err := s.store.ResetOutcomes(ctx, userID); err != nil {
		return fmt.Errorf("lift suspension: %w", err)
	}
	ev := Event{Type: EventSendingPolicyLifted, Time: s.clock(), Details: map[string]string{"sender": userID, "lifted_by": admin.ID}}
	if err := s.store.ApplyChange(ctx, Change{Events: []Event{ev}}); err != nil {
		return fmt.Errorf("lift suspension: %w", err)
	}
	return nil
}

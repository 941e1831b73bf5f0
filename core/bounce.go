package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// HandleBounce records a late delivery failure (an RFC 3464 report that
// came back to the letter's VERP address). Only "failed" reports are
// evidence; "delayed" and others are logged and ignored. A bounce after the
// recipient's server had accepted the notification means it never reached
// the mailbox, so the letter moves to notification_failed unless the
// recipient has already answered. The same report received twice is
// recorded once (bounce servers retry). Errors: ENOTFOUND for an unknown letter.
func (s *Service) HandleBounce(ctx context.Context, b Bounce) error {
	if !strings.EqualFold(b.Action, "failed") {
		s.log.Info("delivery report ignored", "notice", b.NoticeID, "action", b.Action, "status", b.Status)
		return nil
	}
	id := NoticeIDFromVERP(b.NoticeID)
	if !ValidNoticeID(id) {
		return Errorf(ENOTFOUND, "bounce for unknown letter %q", b.NoticeID)
	}
	key := strings.ToLower(b.Recipient + "|" + b.Status + "|" + b.Diagnosis)
	_, err := s.store.UpdateNotice(ctx, id, func(n *Notice) (Change, error) {
		if slices.Contains(n.Bounces, key) {
			return Change{}, nil // the same report again: already evidence
		}
		n.Bounces = append(n.Bounces, key)
		ev := Event{Type: EventNotificationFailure, NoticeID: n.ID, Time: s.clock(), Details: map[string]string{
			"source":        "dsn",
			"recipient":     b.Recipient,
			"enhanced_code": b.Status,
			"diagnosis":     b.Diagnosis,
			"reason":        orDefault(b.Reason, ReasonOther),
			"received_at":   b.Received.UTC().Format(time.RFC3339),
		}}
		ch := Change{Events: []Event{ev}}
		if n.Status == StatusNotified || n.Status == StatusDeposited {
			n.Status, n.Deadline = StatusNotificationFail, time.Time{}
			ch.Outcome = &SenderOutcome{UserID: n.SenderUserID, NoticeID: n.ID, Outcome: OutcomeHardBounce}
		}
		return ch, nil
	})
	if err != nil {
		return fmt.Errorf("handle bounce: %w", err)
	}
	return nil
}

// SenderRates are a sender's recent delivery statistics.
type SenderRates struct {
	Notifications int     `json:"notifications"`
	Delivered     int     `json:"delivered"`
	HardBounces   int     `json:"hard_bounces"`
	SoftBounces   int     `json:"soft_bounces"`
	HardRate      float64 `json:"hard_bounce_rate"`
	Suspended     bool    `json:"suspended"`
}

// SenderRates returns the statistics over the policy window for userID.
func (s *Service) SenderRates(ctx context.Context, userID string) (SenderRates, error) {
	outs, err := s.store.RecentOutcomes(ctx, userID)
	if err != nil {
		return SenderRates{}, fmt.Errorf("sender rates: %w", err)
	}
	return s.rates(outs), nil
}

// SuspendedSenders counts the senders whose sending is suspended now, for
// monitoring (one number, not a series per sender). Errors: internal only.
func (s *Service) SuspendedSenders(ctx context.Context) (int, error) {
	n := 0
	err := s.store.EachSenderOutcomes(ctx, func(_ string, outs []string) {
		if s.rates(outs).Suspended {
			n++
		}
	})
	if err != nil {
		return 0, fmt.Errorf("suspended senders: %w", err)
	}
	return n, nil
}

// rates applies the sending policy to a sender's outcomes, oldest first.
func (s *Service) rates(outs []string) SenderRates {
	if len(outs) > s.policy.Window {
		outs = outs[len(outs)-s.policy.Window:]
	}
	var r SenderRates
	for _, o := range outs {
		r.Notifications++
		switch o {
		case OutcomeDelivered:
			r.Delivered++
		case OutcomeHardBounce:
			r.HardBounces++
		case OutcomeSoftBounce:
			r.SoftBounces++
		}
	}
	if r.Notifications > 0 {
		r.HardRate = float64(r.HardBounces) / float64(r.Notifications)
	}
	r.Suspended = r.Notifications >= s.policy.MinSample && r.HardRate > s.policy.MaxHardRate
	return r
}

// checkSendingPolicy refuses deposits from a suspended sender.
func (s *Service) checkSendingPolicy(ctx context.Context, u User) error {
	r, err := s.SenderRates(ctx, u.ID)
	if err != nil {
		return err
	}
	if r.Suspended {
		return Errorf(EREFUSED, "sending suspended: %.1f%% of your last %d notifications bounced (limit %.0f%%); clean your recipient list and ask an administrator to lift the suspension",
			100*r.HardRate, r.Notifications, 100*s.policy.MaxHardRate)
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

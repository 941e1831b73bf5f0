package core

import (
	"context"
	"fmt"
	"time"
)

// ExpireDeadlines records AcceptanceRejectionExpiry (non-claim) for every
// notified letter whose deadline has passed, and returns how many. After
// downtime it catches up at once; the event states both the deadline and
// when the expiry was detected. The status check inside the transaction
// makes a concurrent accept or refuse and the expiry mutually exclusive.
func (s *Service) ExpireDeadlines(ctx context.Context) (int, error) {
	now := s.clock()
	ids, err := s.store.DueDeadlines(ctx, now, 500)
	if err != nil {
		return 0, fmt.Errorf("expire deadlines: %w", err)
	}
	done := 0
	for _, id := range ids {
		sender, err := s.expiringSender(ctx, id)
		if err != nil {
			return done, fmt.Errorf("expire %s: %w", id, err)
		}
		_, err = s.store.UpdateNotice(ctx, id, func(n *Notice) (Change, error) {
			if n.Status != StatusNotified || n.StageAt(now) != StageExpired {
				return Change{}, Errorf(ECONFLICT, "letter %s is not expiring", id)
			}
			ev := Event{
				Type: EventAcceptanceRejectionExpiry, NoticeID: n.ID, Time: now,
				Details: map[string]string{
					"deadline":    n.Deadline.Format(time.RFC3339),
					"detected_at": now.Format(time.RFC3339Nano),
					"reason":      "no acceptance or refusal before the deadline (non-claim)",
				},
			}
			if err := advance(n, &ev); err != nil {
				return Change{}, err
			}
			n.DecidedAt = now
			return Change{Events: []Event{ev}, Outbox: s.proofMail(n, sender, now)}, nil
		})
		if err != nil && ErrorCode(err) != ECONFLICT {
			return done, fmt.Errorf("expire %s: %w", id, err)
		}
		if err == nil {
			done++
		}
	}
	return done, nil
}

// expiringSender is senderOf for a letter known by id.
func (s *Service) expiringSender(ctx context.Context, id string) (User, error) {
	n, err := s.store.Notice(ctx, id)
	if err != nil {
		return User{}, err
	}
	return s.senderOf(ctx, n)
}

// RunDeadlines checks deadlines every interval until ctx ends.
func (s *Service) RunDeadlines(ctx context.Context, interval time.Duration) {
	s.every(ctx, interval, "deadlines", s.ExpireDeadlines)
}

package core

import (
	"context"
	"fmt"
	"time"
)

// EventContentPurged records that a letter's body and attachments were
// destroyed when its retention period ended (GDPR). Digests, manifest,
// token and events stay, so every proof still verifies. lre's namespace.
const EventContentPurged EventType = "ContentPurged"

// DefaultRetention keeps contents for a year (R.53-2, R.53-3) plus margin.
const DefaultRetention = 400 * 24 * time.Hour

// RetentionStore finds letters whose content is due for destruction. The
// destruction itself is Change.Purge, committed with its event.
type RetentionStore interface {
	// ContentExpiring lists, oldest first, ids of letters submitted
	// before cutoff whose content is still stored.
	ContentExpiring(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
}

// WithRetention sets how long after submission a letter's content is kept;
// zero keeps it forever.
func WithRetention(d time.Duration) Option { return func(s *Service) { s.retention = d } }

// PurgeExpiredContent destroys the content of every letter submitted more
// than the retention period ago and records EventContentPurged for each,
// in the same transaction. A letter still awaiting its recipient's answer
// is left for a later run. It returns how many letters were purged.
func (s *Service) PurgeExpiredContent(ctx context.Context) (int, error) {
	if s.retention <= 0 {
		return 0, nil
	}
	now := s.clock()
	ids, err := s.store.ContentExpiring(ctx, now.Add(-s.retention), 500)
	if err != nil {
		return 0, fmt.Errorf("purge content: %w", err)
	}
	n := 0
	for _, id := range ids {
		_, err := s.store.UpdateNotice(ctx, id, func(n *Notice) (Change, error) {
			if n.Status == StatusDeposited || n.Status == StatusNotified {
				return Change{}, Errorf(ECONFLICT, "letter %s still awaits its recipient", n.ID)
			}
			return Change{Events: []Event{s.purgedEvent(*n, now)}, Purge: []string{n.ID}}, nil
		})
		switch {
		case err == nil:
			n++
		case ErrorCode(err) != ECONFLICT:
			return n, fmt.Errorf("purge content of %s: %w", id, err)
		}
	}
	return n, nil
}

func (s *Service) purgedEvent(n Notice, now time.Time) Event {
	return Event{Type: EventContentPurged, NoticeID: n.ID, Time: now, Details: map[string]string{
		"reason":         "retention_period_elapsed",
		"retention":      s.retention.String(),
		"submitted_at":   n.SubmittedAt.UTC().Format(time.RFC3339Nano),
		"deposit_digest": n.Digest,
		"documents":      fmt.Sprint(1 + len(n.Documents)),
		"method":         "crypto-shredding: the letter's content key and ciphertext were deleted",
	}}
}

// RunRetention purges expired content every interval until ctx ends.
func (s *Service) RunRetention(ctx context.Context, interval time.Duration) {
	s.every(ctx, interval, "retention", s.PurgeExpiredContent)
}

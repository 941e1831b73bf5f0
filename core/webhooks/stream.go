package webhooks

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
)

// EventStream reads the evidence log by organisation, for the pull stream
// offered to systems that cannot receive webhooks.
type EventStream interface {
	// OrganisationEvents returns up to limit events of letters sent from
	// org (only those sent by sender when sender is not empty) with a
	// sequence number above after, in log order, and the cursor to resume
	// from: the last sequence number looked at, matching or not.
	OrganisationEvents(ctx context.Context, org, sender string, after uint64, limit int) ([]core.Event, uint64, error)
}

// MaxStreamLimit bounds one page of the event stream.
const MaxStreamLimit = 1000

// Events returns, in log order, the events after the cursor of the letters
// viewer may see: an admin or auditor sees their organisation's letters, a
// sender the letters they sent (the same rule as Notice). The returned
// cursor is where the next call resumes; it moves even when a page is
// empty, so a caller polls with the last cursor it got. Errors: EINVALID.
func (s *Service) Events(ctx context.Context, viewer core.User, after uint64, limit int) ([]PublishedEvent, uint64, error) {
	if limit < 1 || limit > MaxStreamLimit {
		return nil, 0, core.FieldError(core.EINVALID, "limit", "limit must be between 1 and %d", MaxStreamLimit)
	}
	sender := viewer.ID
	if viewer.Organisation != "" && (viewer.Role == core.RoleAdmin || viewer.Role == core.RoleAuditor) {
		sender = ""
	}
	evs, next, err := s.store.OrganisationEvents(ctx, viewer.Organisation, sender, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("events: %w", err)
	}
	out := make([]PublishedEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, PublishEvent(e))
	}
	return out, max(next, after), nil
}

package batches

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
)

// Status is a batch with each row's letter and the count of letters per
// status (StatusWaiting for rows not deposited yet).
type Status struct {
	Batch   Batch
	Letters []Letter
	Counts  map[core.Status]int
}

// Sent is how many rows have their letter.
func (st Status) Sent() int { return len(st.Letters) - st.Counts[StatusWaiting] }

// Status returns batch id with its letters, for a viewer who may see the
// batch's letters (core.CanView: the sender, or the auditors and admins of
// its organisation). Errors: ENOTFOUND for an unknown batch or one the
// viewer may not see.
func (s *Service) Status(ctx context.Context, viewer core.User, id string) (Status, error) {
	b, err := s.batch(ctx, viewer, id)
	if err != nil {
		return Status{}, err
	}
	letters := make([]Letter, len(b.Rows))
	for i, row := range b.Rows {
		letters[i] = Letter{Row: row, Status: StatusWaiting}
		n, _, err := s.store.NoticeByIdempotencyKey(ctx, b.SenderUserID, RowKey(b.ID, row.Line))
		switch {
		case err == nil:
			letters[i].NoticeID, letters[i].Status = n.ID, n.Status
		case core.ErrorCode(err) != core.ENOTFOUND:
			return Status{}, fmt.Errorf("batch status: %w", err)
		}
	}
	return newStatus(b, letters), nil
}

func newStatus(b Batch, letters []Letter) Status {
	st := Status{Batch: b, Letters: letters, Counts: map[core.Status]int{}}
	for _, l := range letters {
		st.Counts[l.Status]++
	}
	return st
}

func (s *Service) batch(ctx context.Context, viewer core.User, id string) (Batch, error) {
	notFound := core.Errorf(core.ENOTFOUND, "no batch %q", id)
	if !ValidID(id) {
		return Batch{}, notFound
	}
	b, err := s.store.Batch(ctx, id)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return Batch{}, notFound
	}
	if err != nil {
		return Batch{}, fmt.Errorf("batch: %w", err)
	}
	if !core.CanView(viewer, b.SenderUserID, b.Organisation) {
		return Batch{}, notFound
	}
	return b, nil
}

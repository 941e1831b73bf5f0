package batches

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/lre-project/lre/core"
)

var cryptoRand = rand.Reader

// Letter is one row's letter: its row, and once deposited its id and status.
type Letter struct {
	Row
	NoticeID string      `json:"letter_id,omitempty"`
	Status   core.Status `json:"status"` // StatusWaiting until deposited
}

// StatusWaiting is the status of a row whose letter is not deposited yet
// (a batch interrupted by a crash, until it is sent again).
const StatusWaiting core.Status = "waiting"

// Send validates every row (Check), then stores the batch and deposits one
// letter per row, at most Options.Concurrency at once so that the store
// commits them in groups. Sent again with the same Idempotency-Key and the
// same content, it deposits only the rows not yet deposited and returns the
// same batch with replayed=true. Errors: those of Check; EINVALID without
// an Idempotency-Key; EKEYREUSED for a key already used for another batch;
// a deposit's error (EUNAVAILABLE...) after which sending again resumes.
func (s *Service) Send(ctx context.Context, req Request) (st Status, replayed bool, err error) {
	if req.IdempotencyKey == "" {
		return Status{}, false, core.FieldError(core.EINVALID, "Idempotency-Key", "a batch needs an Idempotency-Key header, so that sending it again after an error never sends a letter twice")
	}
	rows, err := s.Check(ctx, req)
	if err != nil {
		return Status{}, false, err
	}
	b, replayed, err := s.save(ctx, req, rows)
	if err != nil {
		return Status{}, false, err
	}
	// A sender who stops waiting does not stop the batch: the rows are
	// validated and the batch is stored, so it is finished regardless.
	letters, err := s.depositAll(context.WithoutCancel(ctx), req, b)
	return newStatus(b, letters), replayed, err
}

func (s *Service) save(ctx context.Context, req Request, rows []Row) (Batch, bool, error) {
	id, err := newBatchID(s)
	if err != nil {
		return Batch{}, false, err
	}
	b := Batch{
		ID: id, SenderUserID: req.Sender.ID, Organisation: req.Sender.Organisation,
		IdempotencyKey: req.IdempotencyKey, RequestDigest: requestDigest(req),
		Subject: strings.TrimSpace(req.Letter.Subject), CreatedAt: s.now().UTC(), Rows: rows,
	}
	saved, existed, err := s.store.SaveBatch(ctx, b)
	if err != nil {
		return Batch{}, false, fmt.Errorf("save batch: %w", err)
	}
	if existed && saved.RequestDigest != b.RequestDigest {
		return Batch{}, false, core.FieldError(core.EKEYREUSED, "Idempotency-Key", "this Idempotency-Key was already used for batch %s with other recipients or another letter; use a new key for a new batch", saved.ID)
	}
	return saved, existed, nil
}

// depositAll deposits every row with a bounded number of workers; the
// first error stops the others (what is deposited stays deposited).
func (s *Service) depositAll(ctx context.Context, req Request, b Batch) ([]Letter, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	letters := make([]Letter, len(b.Rows))
	for i, row := range b.Rows {
		letters[i] = Letter{Row: row, Status: StatusWaiting}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range s.workers(req.Letter, len(b.Rows)) {
		wg.Go(func() {
			for i := range next {
				row := b.Rows[i]
				n, _, err := s.letters.Deposit(ctx, letterOf(req, row, RowKey(b.ID, row.Line)))
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("batch %s, line %d: %w", b.ID, row.Line, err); cancel() })
					continue
				}
				letters[i].NoticeID, letters[i].Status = n.ID, n.Status
			}
		})
	}
	for i := range b.Rows {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	return letters, firstErr
}

// workers is how many deposits of letter may run at once.
func (s *Service) workers(letter core.DepositRequest, rows int) int {
	size := int64(len(letter.Body))
	for _, a := range letter.Attachments {
		size += a.Size
	}
	return max(1, min(s.concurrency, rows, int(s.memory/(3*size+1))))
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newBatchID returns an id like BATCH-ABCD-EFGH-IJKL-MNOP (80 random bits).
func newBatchID(s *Service) (string, error) {
	var b [10]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("batch id: %w", err)
	}
	e := idEncoding.EncodeToString(b[:])
	return "BATCH-" + e[0:4] + "-" + e[4:8] + "-" + e[8:12] + "-" + e[12:16], nil
}

// ValidID reports whether id has the shape newBatchID produces.
func ValidID(id string) bool {
	rest, ok := strings.CutPrefix(id, "BATCH-")
	if !ok || len(rest) != 19 {
		return false
	}
	for i, c := range rest {
		if i%5 == 4 {
			if c != '-' {
				return false
			}
		} else if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

// Package batches sends one letter to many recipients: a property manager
// convening 300 co-owners with one convocation. A batch is a CSV of
// recipients plus the letter they share. Every row is validated by the same
// deposit checks as a single letter before anything is sent; then each row
// becomes an ordinary letter, with its own link, events and proofs.
//
// A batch is durable without a transaction of its own: its record is
// stored before the first deposit, and each row is deposited with an
// Idempotency-Key derived from the batch, so a retry after a crash
// replays the rows already deposited and deposits only the others.
package batches

import (
	"context"
	"io"
	"time"

	"github.com/lre-project/lre/core"
)

// Batch is the durable record of a batch: who sent it, under which key,
// what it shares, and its rows. Its letters are found through the rows'
// idempotency keys (RowKey), so the record is written once and never updated.
type Batch struct {
	ID             string    `json:"id"`
	SenderUserID   string    `json:"sender_user_id"`
	Organisation   string    `json:"organisation,omitempty"`
	IdempotencyKey string    `json:"idempotency_key"`
	RequestDigest  string    `json:"request_digest"` // what a retry under the same key must repeat
	Subject        string    `json:"subject"`
	CreatedAt      time.Time `json:"created_at"`
	Rows           []Row     `json:"rows"`
}

// Row is one recipient of a batch, as read from the CSV. Line is the CSV
// line the row starts on (the header is line 1), which errors name.
type Row struct {
	Line      int    `json:"line"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	Reference string `json:"reference,omitempty"`
	Language  string `json:"language,omitempty"`
	Birthdate string `json:"birthdate,omitempty"`
}

// RowKey is the Idempotency-Key the letter of row line is deposited with:
// derived from the batch, so it is the same on every retry of the batch.
func RowKey(batchID string, line int) string {
	return batchID + "/" + itoa(line)
}

// Store keeps batch records.
type Store interface {
	// SaveBatch stores b unless its sender already used b.IdempotencyKey;
	// then it stores nothing and returns the earlier batch, existed=true.
	SaveBatch(ctx context.Context, b Batch) (saved Batch, existed bool, err error)
	// Batch returns ENOTFOUND for an unknown id.
	Batch(ctx context.Context, id string) (Batch, error)
	// NoticeByIdempotencyKey returns ENOTFOUND when the key is unused.
	NoticeByIdempotencyKey(ctx context.Context, userID, key string) (n core.Notice, requestDigest string, err error)
}

// Letters is what a batch needs of the letters' service: the deposit
// checks, the deposit itself, and the proofs.
type Letters interface {
	CheckDeposit(ctx context.Context, req core.DepositRequest) error
	Deposit(ctx context.Context, req core.DepositRequest) (core.Notice, bool, error)
}

// Proofs is what a batch needs of the evidence service (evidence.Service):
// the certificates of its letters.
type Proofs interface {
	CertificatePDF(ctx context.Context, viewer core.User, id string, kind core.CertificateKind) ([]byte, error)
}

// Service sends and reports batches.
type Service struct {
	letters     Letters
	proofs      Proofs
	store       Store
	now         func() time.Time
	rand        io.Reader
	maxRows     int
	concurrency int
	memory      int64
}

// DefaultMaxRows is the largest batch unless configured otherwise.
const DefaultMaxRows = 10000

// Options tune a Service; zero values pick the defaults.
type Options struct {
	MaxRows     int // rows per batch (default DefaultMaxRows)
	Concurrency int // deposits in flight at once (default 16)
	// MemoryBudget bounds the bytes the deposits in flight hold: each holds
	// its letter about three times (content, sealed copy, store pages), so
	// a batch of large letters deposits fewer at once (default 64 MiB).
	MemoryBudget int64
	Now          func() time.Time // default time.Now
	Rand         io.Reader        // default crypto/rand
}

// New returns a batch service depositing through letters.
func New(letters Letters, proofs Proofs, store Store, o Options) *Service {
	s := &Service{letters: letters, proofs: proofs, store: store, now: o.Now, rand: o.Rand, maxRows: o.MaxRows, concurrency: o.Concurrency, memory: o.MemoryBudget}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = cryptoRand
	}
	if s.maxRows <= 0 {
		s.maxRows = DefaultMaxRows
	}
	if s.concurrency <= 0 {
		s.concurrency = 16
	}
	if s.memory <= 0 {
		s.memory = 64 << 20
	}
	return s
}

// MaxRows is the configured largest batch.
func (s *Service) MaxRows() int { return s.maxRows }

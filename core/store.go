package core

import (
	"context"
	"time"
)

// Change is what one state transition writes besides the notice itself. A
// store commits the notice, the Change and its indexes in one transaction,
// so an event is never recorded without the state it describes, nor twice.
type Change struct {
	Events  []Event
	Outbox  []OutboxEntry // new or updated queue entries
	Secrets []Secret      // link tokens, verification codes, sessions (hashes only)
	Outcome *SenderOutcome
	Purge   []string // notice ids whose content is destroyed (retention)
}

// Secret indexes the hash of a secret handed to someone outside (a link
// token, a verification code) to the notice it opens.
type Secret struct {
	Hash     []byte // the secret's SHA-256, under its letter's id for link and verify secrets (letterSecretKey)
	Purpose  string // "link", "verify", "session"
	NoticeID string
	Email    string    // for consent links, which belong to an address
	Expires  time.Time // zero = never
}

// SenderOutcome feeds a sender's delivery statistics (sending policy). A
// store keeps one outcome per notice: a late bounce replaces the delivered
// outcome of the same letter instead of counting the letter twice.
type SenderOutcome struct {
	UserID   string
	NoticeID string
	Outcome  string    // one of the Outcome constants
	At       time.Time // when it was recorded (per-day counts); zero counts in no day
}

// Deposit is everything one deposit writes: the notice, its manifest and
// contents, its idempotency key, and the Change of its first transition.
type Deposit struct {
	Notice         Notice
	Manifest       []byte
	Contents       map[string][]byte // Document.Key -> bytes
	IdempotencyKey string
	RequestDigest  string // stored with the key: what the key was used for
	Change
}

// DepositStore persists deposits.
type DepositStore interface {
	// SaveDeposit commits d durably. When d.IdempotencyKey was already used
	// by the same sender it commits nothing and returns the earlier notice
	// with existed=true.
	SaveDeposit(ctx context.Context, d Deposit) (n Notice, existed bool, err error)
	// NoticeByIdempotencyKey returns the notice created with key and the
	// RequestDigest stored with it; ENOTFOUND when the key is unused.
	NoticeByIdempotencyKey(ctx context.Context, userID, key string) (n Notice, requestDigest string, err error)
}

// NoticeUpdater moves a notice through its lifecycle.
type NoticeUpdater interface {
	// UpdateNotice runs fn on the current notice inside one write
	// transaction and commits the modified notice with the returned Change.
	// fn's error aborts everything and is returned as is. Concurrent updates
	// of one notice are serialised, which is what makes a decision final.
	UpdateNotice(ctx context.Context, id string, fn func(n *Notice) (Change, error)) (Notice, error)
	// ApplyChange commits a Change that concerns no notice (consent mail).
	ApplyChange(ctx context.Context, ch Change) error
}

// NoticeReader reads notices and what belongs to them. Each returns ENOTFOUND
// for an unknown id.
type NoticeReader interface {
	Notice(ctx context.Context, id string) (Notice, error)
	Manifest(ctx context.Context, id string) ([]byte, error)
	NoticeEvents(ctx context.Context, id string) ([]Event, error)
}

// ContentReader returns stored documents by their generated key.
type ContentReader interface {
	Content(ctx context.Context, id, key string) ([]byte, error)
}

// WorkQueue lists the work the background jobs must do.
type WorkQueue interface {
	// PendingTimestamps lists notices in StatusPendingTimestamp.
	PendingTimestamps(ctx context.Context) ([]Notice, error)
	// DueOutbox lists unfinished outbox entries due at now, oldest first.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxEntry, error)
	// DueDeadlines lists ids of notified notices whose deadline is before now.
	DueDeadlines(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// SecretIndex resolves secrets (by hash) to notices.
type SecretIndex interface {
	// SecretNotice returns the Secret stored under hash, ENOTFOUND if none
	// or expired at now.
	SecretNotice(ctx context.Context, hash []byte, now time.Time) (Secret, error)
}

// SenderStats reads the delivery statistics of a sender.
type SenderStats interface {
	// RecentOutcomes returns the last outcomes of a sender, oldest first.
	RecentOutcomes(ctx context.Context, userID string) ([]string, error)
	// ResetOutcomes forgets them (an admin lifted a suspension).
	ResetOutcomes(ctx context.Context, userID string) error
	// EachSenderOutcomes calls fn with the last outcomes of every sender
	// that has any, oldest first, from one consistent read.
	EachSenderOutcomes(ctx context.Context, fn func(userID string, outcomes []string)) error
	// SenderDay returns a sender's mails and complaints on day's UTC day.
	SenderDay(ctx context.Context, userID string, day time.Time) (DayCount, error)
}

// DayCount is one sender's day: notifications sent and complaints received.
type DayCount struct{ Mails, Complaints int }

// Store is everything the Service needs from persistence.
type Store interface {
	DepositStore
	NoticeUpdater
	NoticeReader
	ContentReader
	WorkQueue
	SecretIndex
	SenderStats
	UserFinder
	ConsentStore
	RetentionStore
	NoticeLister
}

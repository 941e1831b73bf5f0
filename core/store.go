package core

import (
	"context"
)

// Deposit is everything one deposit writes. A DepositStore commits it in a
// single durable transaction: the notice, its manifest and contents, its
// events and its idempotency key are all there after a crash, or none is.
type Deposit struct {
	Notice         Notice
	Manifest       []byte
	Contents       map[string][]byte // Document.Key -> bytes
	Events         []Event
	IdempotencyKey string
}

// DepositStore persists deposits.
type DepositStore interface {
	// SaveDeposit commits d. When d.IdempotencyKey was already used by the
	// same sender it commits nothing and returns the earlier notice with
	// existed=true.
	SaveDeposit(ctx context.Context, d Deposit) (n Notice, existed bool, err error)
	// NoticeByIdempotencyKey returns ENOTFOUND when the key is unused.
	NoticeByIdempotencyKey(ctx context.Context, userID, key string) (Notice, error)
}

// PendingStore holds deposits waiting for a timestamp.
type PendingStore interface {
	// PendingTimestamps lists notices in StatusPendingTimestamp.
	PendingTimestamps(ctx context.Context) ([]Notice, error)
	// CompleteTimestamp stores tok on a pending notice, marks it deposited
	// and appends ev, in one transaction. ECONFLICT if it is not pending.
	CompleteTimestamp(ctx context.Context, id string, tok Token, ev Event) (Notice, error)
}

// NoticeReader reads notices and what belongs to them. Each returns ENOTFOUND
// for an unknown id.
type NoticeReader interface {
	Notice(ctx context.Context, id string) (Notice, error)
	Manifest(ctx context.Context, id string) ([]byte, error)
	NoticeEvents(ctx context.Context, id string) ([]Event, error)
}

// UserStore keeps accounts and the hashes of their API keys.
type UserStore interface {
	// CreateUser returns ECONFLICT when the email is taken.
	CreateUser(ctx context.Context, u User, keyHash []byte) error
	// UserByKeyHash returns EUNAUTHORIZED for an unknown key hash.
	UserByKeyHash(ctx context.Context, keyHash []byte) (User, error)
}

// Store is everything the Service needs from persistence.
type Store interface {
	DepositStore
	PendingStore
	NoticeReader
	UserStore
}

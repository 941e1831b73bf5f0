package core

import "time"

// OutboxEntry is one message in the durable outbox. It is written in the
// same transaction as the state change that calls for it, and an attempt
// is recorded as started before the message leaves, so that a crash can
// never lose a notification nor resend one without saying so.
type OutboxEntry struct {
	ID        string       `json:"id"` // stable across retries; becomes the Message-ID
	NoticeID  string       `json:"notice_id"`
	Mail      OutgoingMail `json:"mail"`
	Created   time.Time    `json:"created"`
	NotBefore time.Time    `json:"not_before"`
	Attempts  []Attempt    `json:"attempts"`
	InFlight  bool         `json:"in_flight"` // an attempt began and has no result yet
	Done      bool         `json:"done"`
	Outcome   string       `json:"outcome,omitempty"` // delivered, failed, skipped
}

// Attempt is one try at delivering an entry.
type Attempt struct {
	Started   time.Time       `json:"started"`
	Result    *DeliveryResult `json:"result,omitempty"`
	Ambiguous bool            `json:"ambiguous,omitempty"` // may have been delivered before a crash or a lost reply
}

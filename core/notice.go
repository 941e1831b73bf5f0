package core

import (
	"time"
)

// Status is where a notice stands in its lifecycle.
type Status string

// Lifecycle statuses. A notice is never reported as deposited without a
// verified timestamp token: until it has one it stays StatusPendingTimestamp.
const (
	StatusPendingTimestamp Status = "pending_timestamp"
	StatusDeposited        Status = "deposited"
	StatusNotified         Status = "notified"
	StatusNotificationFail Status = "notification_failed"
	StatusAccepted         Status = "accepted"
	StatusRefused          Status = "refused"
	StatusNotClaimed       Status = "not_claimed"
)

// Role is what a user may do.
type Role string

// Roles of users.
const (
	RoleSender  Role = "sender"
	RoleAuditor Role = "auditor"
	RoleAdmin   Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleSender || r == RoleAuditor || r == RoleAdmin
}

// Party identifies a sender or a recipient. Assurance says how strongly the
// party was identified (eIDAS levels: low, substantial, high) and Method how.
type Party struct {
	ID           string `json:"id,omitempty"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation,omitempty"`
	Assurance    string `json:"assurance,omitempty"`
	Method       string `json:"method,omitempty"`
}

// Document describes one part of a deposit (the body or an attachment). The
// content itself lives in the store under Key, never under the sender's file
// name, which is kept only as a label.
type Document struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Key       string `json:"key"`
}

// Notice is a registered letter. Its identity, parties, documents and deposit
// digest never change after deposit; Status and Token move forward only.
type Notice struct {
	ID              string     `json:"id"`
	SenderUserID    string     `json:"sender_user_id"`
	Sender          Party      `json:"sender"`
	Recipient       Party      `json:"recipient"`
	RecipientType   string     `json:"recipient_type"`
	Subject         string     `json:"subject"`
	SenderReference string     `json:"sender_reference,omitempty"`
	Language        string     `json:"language"`
	Body            Document   `json:"body"`
	Documents       []Document `json:"documents"`
	Status          Status     `json:"status"`
	SubmittedAt     time.Time  `json:"submitted_at"`
	DepositedAt     time.Time  `json:"deposited_at,omitzero"`
	Digest          string     `json:"deposit_digest"`
	Token           *Token     `json:"token,omitempty"`
	NotifiedAt      time.Time  `json:"notified_at,omitzero"` // the recipient's server accepted the notification
	Deadline        time.Time  `json:"deadline,omitzero"`    // last instant to accept or refuse
	DecidedAt       time.Time  `json:"decided_at,omitzero"`  // accepted, refused or expired
	// Identification is the recipient's one-time-code state; Knowledge the
	// sender's optional question; Identity how the recipient was identified.
	Identification Identification  `json:"identification"`
	Knowledge      *KnowledgeCheck `json:"knowledge,omitempty"`
	Identity       *Identity       `json:"identity,omitempty"`
	// RequiredAssurance is the eIDAS level the recipient must reach before
	// the content is handed over ("" in letters older than the field:
	// low); RecipientBirthdate the optional YYYY-MM-DD the sender gave,
	// compared with what an identity provider returns. Both are in the
	// manifest when set, so the deposit's timestamp covers them.
	RequiredAssurance string `json:"required_assurance,omitempty"`
	// SenderAuth is how the sender authenticated the deposit, beyond
	// Sender.Method and Sender.Assurance: when, and through which identity
	// provider as whom.
	SenderAuth         Authentication `json:"sender_auth,omitzero"`
	RecipientBirthdate string         `json:"recipient_birthdate,omitempty"`
	// Bounces are the delivery reports already recorded, so that a report
	// delivered twice becomes evidence once.
	Bounces []string `json:"bounces,omitempty"`
	// AccessRecordedAt is when a link view last became evidence (OpenLink).
	AccessRecordedAt time.Time `json:"access_recorded_at,omitzero"`
	// Resent counts the times the notification was sent again after a late
	// soft failure (its mail ids are then ntf2-, ntf3-...).
	Resent int `json:"notification_resent,omitempty"`
	// LinksResent counts the fresh links mailed at the request of someone
	// holding the verification code (ResendLink), LinkResentAt the last.
	LinksResent  int       `json:"links_resent,omitempty"`
	LinkResentAt time.Time `json:"link_resent_at,omitzero"`
}

// Final reports whether the recipient's answer (or its absence) is settled.
func (n Notice) Final() bool {
	return n.Status == StatusAccepted || n.Status == StatusRefused || n.Status == StatusNotClaimed
}

// User is an account that authenticates with API keys.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Organisation string    `json:"organisation,omitempty"`
	Role         Role      `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
	// NoProofMails is the user's choice not to receive the proof mail of
	// each letter's end (WantsProofMails); the default is to receive it.
	NoProofMails bool `json:"no_proof_mails,omitempty"`
}

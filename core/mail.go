package core

import (
	"context"
	"time"
)

// MailKind says which message to compose. The composer (smtp) owns the
// wording; the domain decides what each kind may reveal: none of them names
// the sender, the subject or the content (R.53-3).
type MailKind string

// Kinds of outgoing mail.
const (
	MailNotification MailKind = "notification" // a registered letter awaits
	MailReminder     MailKind = "reminder"     // the deadline approaches
	MailOTP          MailKind = "otp"          // one-time identification code
	MailConsent      MailKind = "consent"      // double opt-in for consumers (L.100)
)

// Provider is the service's public identity, named in every mail and proof.
type Provider struct {
	Name      string
	Address   string // postal or web address shown to recipients
	FromEmail string // From: header of outgoing mail
	Qualified bool   // true only when run by a qualified trust service provider
}

// OutgoingMail is one message to one recipient. ID is unique and stable
// across retries: it becomes the Message-ID, so a resend after an ambiguous
// failure is recognisable as the same message.
type OutgoingMail struct {
	ID           string
	Kind         MailKind
	Language     string // fr or en
	EnvelopeFrom string // VERP return path, e.g. bounce+<id>@domain
	To           Party
	NoticeID     string
	Deadline     time.Time // acceptance deadline (notification, reminder)
	Link         string    // retrieval or confirmation link
	Code         string    // verification code (notification) or OTP
	Provider     Provider
	Date         time.Time
}

// DeliveryClass is the outcome of one SMTP attempt.
type DeliveryClass string

// Delivery outcomes (RFC 5321 reply classes).
const (
	DeliveryAccepted  DeliveryClass = "accepted"  // 2xx: the remote server took it
	DeliveryTemporary DeliveryClass = "temporary" // 4xx or network error: retry
	DeliveryPermanent DeliveryClass = "permanent" // 5xx: do not retry
)

// Bounce reasons, from RFC 3463 enhanced status codes.
const (
	ReasonBadMailbox  = "bad_mailbox"
	ReasonBadDomain   = "bad_domain"
	ReasonPolicy      = "policy_block"
	ReasonMailboxFull = "mailbox_full"
	ReasonOther       = "other"
)

// DeliveryResult describes one attempt: what the remote server said.
// Ambiguous is set when the message may have been accepted although no
// final reply was read (connection lost after the DATA terminator).
type DeliveryResult struct {
	Class      DeliveryClass
	Host       string // remote host that answered
	Code       int    // SMTP reply code, 0 for a network error
	Enhanced   string // RFC 3463 code like 5.1.1, when given
	Text       string // reply text or network error
	Reason     string // one of the Reason constants for failures
	QueueID    string // remote queue id when the reply names one
	Transcript string // the SMTP dialogue, without message content
	Ambiguous  bool
	Time       time.Time
	// RelayFailure marks a failure before the recipient was named
	// (connection, greeting, STARTTLS, authentication): the relay or the
	// configuration is at fault, for every mail alike.
	RelayFailure bool
	// Development marks a "delivery" to a development mailbox: nothing left
	// the server, and the evidence says so.
	Development bool
}

// Mailer delivers one message and reports what the receiving server said.
// A returned error means the attempt could not be classified at all (a bug
// or a local failure); remote refusals are results, not errors.
type Mailer interface {
	Send(ctx context.Context, m OutgoingMail) (DeliveryResult, error)
}

// Bounce is a late failure report (RFC 3464 DSN) matched to a letter
// through its VERP address.
type Bounce struct {
	NoticeID  string
	Recipient string
	Action    string // failed, delayed, delivered, relayed, expanded
	Status    string // enhanced status code, e.g. 5.1.1
	Diagnosis string // Diagnostic-Code text
	Reason    string // one of the Reason constants
	Received  time.Time
}

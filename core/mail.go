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
	// Site is the service's base URL: the mail prints Site+"/verify" and
	// Site+"/why" in full, so that a recipient can type them rather than
	// trust a link.
	Site string
	// IdentityChecked is true when the letter is handed over only after an
	// identity check (substantial or high): only then may the mail say the
	// recipient's identity is checked; a code by email checks the mailbox.
	IdentityChecked bool
	Date            time.Time
	// For MailProof only: the certificate attached, the letter's recipient
	// and the sender's reference, which only the sender's mail may name.
	Certificate CertificateKind `json:",omitempty"`
	Recipient   Party           `json:",omitzero"`
	Reference   string          `json:",omitempty"`
	// Proof is the signed PDF of Certificate, attached to MailProof only:
	// filled in as the mail leaves (attachProof), never stored with the
	// outbox entry, and refused by the composer on any other kind.
	Proof []byte `json:"-"`
}

// DeliveryClass is the outcome of one SMTP attempt.
type DeliveryClass string

// Delivery outcomes (RFC 5321 reply classes).
const (
	DeliveryAccepted  DeliveryClass = "accepted"  // 2xx: the remote server took it
	DeliveryTemporary DeliveryClass = "temporary" // 4xx or network error: retry
	DeliveryPermanent DeliveryClass = "permanent" // 5xx: do not retry
)

// Bounce reasons: why a mail was not delivered, in words a sender can act
// on. The values are those of the returned-mail reader (smtp/returned),
// which names them from status codes and the servers' own words.
const (
	ReasonBadMailbox  = "user_unknown"      // no such mailbox, or it moved away
	ReasonBadDomain   = "host_unknown"      // no such domain, no MX, a null MX
	ReasonMailboxFull = "mailbox_full"      // over quota
	ReasonTooLarge    = "message_too_large" // the message exceeds a size limit
	ReasonBlocked     = "blocked"           // the sending IP or domain's reputation
	ReasonSpam        = "spam"              // the content was judged spam
	ReasonPolicy      = "policy"            // refused by the receiver's rules
	ReasonAuth        = "auth_failure"      // SPF, DKIM or DMARC failed
	ReasonRateLimited = "rate_limited"      // too many connections or messages
	ReasonExpired     = "expired"           // the queue gave up
	ReasonNetwork     = "network_error"     // connection, DNS or routing trouble
	ReasonRelayDenied = "relay_denied"      // not a relay for that domain
	ReasonSuspended   = "suspended"         // the mailbox exists but is disabled
	ReasonVirus       = "virus"             // malware found in the message
	ReasonOther       = "other"
)

// HardReason tells the reasons that are about the address itself, which
// no retry and no other sender would overcome: a failure for one of them is
// a hard bounce, final for the letter. Every other reason is reversible (a
// soft bounce): the letter stays in retry.
func HardReason(reason string) bool { return reason == ReasonBadMailbox || reason == ReasonBadDomain }

// BlockReason tells the soft reasons that are about the sender (its
// reputation, authentication or content), which the sending policy counts
// as blocks rather than bounces.
func BlockReason(reason string) bool {
	switch reason {
	case ReasonBlocked, ReasonSpam, ReasonPolicy, ReasonAuth, ReasonVirus:
		return true
	}
	return false
}

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

// Report kinds of a Bounce.
const (
	ReportBounce    = "bounce"    // a delivery status notification (or a plain-text bounce)
	ReportComplaint = "complaint" // a feedback-loop complaint (ARF)
)

// Bounce is what came back to a letter's VERP address about one recipient:
// a late failure or delay, or a complaint. It counts for the letter only
// when HandleBounce can tie it to the mail that was sent.
type Bounce struct {
	// NoticeID is the VERP id as the report was addressed: the letter id
	// and its tag (see VERP).
	NoticeID     string
	Kind         string // ReportBounce (default) or ReportComplaint
	Recipient    string
	Action       string // failed, delayed, delivered, relayed, expanded
	Status       string // enhanced status code, e.g. 5.1.1
	ReplyCode    int    // SMTP reply code the report quotes, 0 if none
	Diagnosis    string // the remote server's words
	Reason       string // one of the Reason constants
	Hard         bool   // the address itself can never receive mail
	FeedbackType string // for complaints: abuse, fraud, opt-out...
	MessageID    string // Message-ID of the original, from the report
	EnvelopeID   string // Original-Envelope-Id (the ENVID we sent)
	Received     time.Time
}

// DefaultProvider is the provider identity until one is configured.
var DefaultProvider = Provider{Name: "lre", FromEmail: "noreply@localhost"}

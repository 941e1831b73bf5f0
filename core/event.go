package core

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// EventType is an ETSI EN 319 522 event name.
type EventType string

// The ETSI EN 319 522 events of the LRE flow (see shared/DOMAIN.md).
const (
	EventSubmissionAcceptance       EventType = "SubmissionAcceptance"
	EventSubmissionRejection        EventType = "SubmissionRejection"
	EventNotificationForAcceptance  EventType = "NotificationForAcceptance"
	EventNotificationFailure        EventType = "NotificationForAcceptanceFailure"
	EventConsignmentAcceptance      EventType = "ConsignmentAcceptance"
	EventConsignmentRejection       EventType = "ConsignmentRejection"
	EventAcceptanceRejectionExpiry  EventType = "AcceptanceRejectionExpiry"
	EventContentHandover            EventType = "ContentHandover"
	EventContentHandoverFailure     EventType = "ContentHandoverFailure"
	EventNotificationAccessTracking EventType = "NotificationAccessTracking"
)

// Events of lre's own that ETSI EN 319 522 does not name. Their URIs use
// lre's namespace so that no verifier mistakes them for ETSI events.
const (
	EventReminderSent        EventType = "ReminderSent"
	EventConsentGiven        EventType = "ConsentGiven"
	EventConsentWithdrawn    EventType = "ConsentWithdrawn"
	EventSendingPolicyLifted EventType = "SendingPolicyLifted"
	// EventIdentificationFailure records a sign-in through an identity
	// provider that identified nobody for this letter, and why.
	EventIdentificationFailure EventType = "IdentificationFailure"
)

// etsiEventBase prefixes every ETSI event name to form its URI.
const etsiEventBase = "http://uri.etsi.org/19522/Event/"

// URI returns the event's ETSI identifier.
func (t EventType) URI() string {
	switch t {
	case EventReminderSent, EventConsentGiven, EventConsentWithdrawn, EventSendingPolicyLifted, EventContentPurged, EventIdentificationFailure,
		EventCodeVoided, EventIdentificationLocked, EventCodeRequestsThrottled:
		return lreEventBase + string(t)
	}
	return etsiEventBase + string(t)
}

// lreEventBase prefixes lre's own event names.
const lreEventBase = "urn:lre:event:"

// Event is one record of the evidence log. The store assigns Seq, PrevHash
// and Hash when it appends the event; everything else is fixed by the caller.
type Event struct {
	Seq      uint64            `json:"seq"`
	Type     EventType         `json:"type"`
	NoticeID string            `json:"notice_id"`
	Time     time.Time         `json:"time"`
	Details  map[string]string `json:"details,omitempty"`
	PrevHash []byte            `json:"prev_hash"`
	Hash     []byte            `json:"hash"`
}

// eventBody is the hashed part of an event. encoding/json sorts map keys, so
// the bytes are canonical for a given event.
type eventBody struct {
	Type     EventType         `json:"type"`
	URI      string            `json:"uri"`
	NoticeID string            `json:"notice_id"`
	Time     string            `json:"time"`
	Details  map[string]string `json:"details,omitempty"`
}

// EventBytes returns the canonical bytes of e that the log stores and hashes.
func EventBytes(e Event) ([]byte, error) {
	body := eventBody{
		Type:     e.Type,
		URI:      e.Type.URI(),
		NoticeID: e.NoticeID,
		Time:     eventTime(e.Time),
		Details:  e.Details,
	}
	if b, ok := appendEventJSON(make([]byte, 0, eventJSONSize(body)), body); ok {
		return b, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}

// ParseEventBytes decodes canonical event bytes back into an Event (without
// Seq and hashes, which live beside the bytes in the log record).
func ParseEventBytes(b []byte) (Event, error) {
	body, ok := parseEventJSON(b)
	if !ok {
		if err := json.Unmarshal(b, &body); err != nil {
			return Event{}, fmt.Errorf("decode event: %w", err)
		}
	}
	t, err := time.Parse(time.RFC3339Nano, body.Time)
	if err != nil {
		return Event{}, fmt.Errorf("decode event time: %w", err)
	}
	return Event{Type: body.Type, NoticeID: body.NoticeID, Time: t, Details: body.Details}, nil
}

// chainDomain separates event hashes from every other SHA-256 in the system.
const chainDomain = "lre-event-v1\x00"

// ChainHash is the hash of the log record at seq: it commits to the sequence
// number, the previous record's hash and the canonical event bytes, so that
// changing, removing or swapping any record breaks every hash after it.
func ChainHash(seq uint64, prev []byte, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(chainDomain))
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	h.Write(s[:])
	h.Write(prev)
	h.Write(body)
	return h.Sum(nil)
}

// GenesisHash is the PrevHash of the first record: 32 zero bytes.
var GenesisHash = make([]byte, sha256.Size)

// Event detail keys the evidence reads: how the sender authenticated (on
// SubmissionAcceptance) and how the recipient was identified (on the
// events that follow an identification).
const (
	DetailSenderMethod    = "sender_authentication_method"
	DetailSenderAssurance = "sender_assurance_level"
	DetailSenderAuthAt    = "sender_authenticated_at"
	DetailRecipientMethod = "identification_method"
	DetailRecipientLevel  = "assurance_level"
	DetailIdentifiedAt    = "identified_at"
)

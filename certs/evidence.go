package certs

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/lre-project/lre/core"
)

// eventsFile is events.json: the letter's evidence up to the attested event,
// named after ETSI EN 319 522-2 components where one exists, plus what an
// auditor needs to recompute each record's place in the hash chain.
type eventsFile struct {
	Version           int        `json:"Version"`
	MessageIdentifier string     `json:"MessageIdentifier"`
	AttestedEvidence  string     `json:"AttestedEvidence"`
	ChainRule         string     `json:"ChainRule"`
	Evidences         []evidence `json:"Evidences"`
}

type evidence struct {
	EvidenceIdentifier string            `json:"EvidenceIdentifier"`
	EventType          string            `json:"EventType"`
	EventTime          string            `json:"EventTime"`
	EventReasons       []eventReason     `json:"EventReasons,omitempty"`
	SubmissionTime     string            `json:"SubmissionTime"`
	IssuerDetails      issuerDetails     `json:"IssuerDetails"`
	SenderDetails      partyDetails      `json:"SenderDetails"`
	RecipientDetails   partyDetails      `json:"RecipientDetails"`
	Details            map[string]string `json:"Details,omitempty"`
	LogRecord          logRecord         `json:"LogRecord"`
}

type eventReason struct {
	Code    string `json:"Code"`
	Details string `json:"Details,omitempty"`
}

type issuerDetails struct {
	Name      string `json:"Name"`
	Address   string `json:"Address,omitempty"`
	Qualified bool   `json:"Qualified"`
}

type partyDetails struct {
	Name                 string `json:"Name"`
	Identifier           string `json:"Identifier"`
	IdentifierScheme     string `json:"IdentifierScheme"`
	Organisation         string `json:"Organisation,omitempty"`
	AssuranceLevel       string `json:"AssuranceLevel,omitempty"`
	AuthenticationMethod string `json:"AuthenticationMethod,omitempty"`
}

type logRecord struct {
	Seq            uint64 `json:"Seq"`
	PrevHash       string `json:"PrevHash"`
	Hash           string `json:"Hash"`
	CanonicalEvent string `json:"CanonicalEvent"` // the hashed bytes, as a JSON string
}

// chainRule tells an auditor how Hash follows from the other fields.
const chainRule = `Hash = SHA-256("lre-event-v1" || 0x00 || Seq as 8 bytes big-endian || PrevHash || CanonicalEvent)`

// Event detail keys that the certificates interpret.
const (
	keyMethod     = "identification_method"
	keyAssurance  = "assurance_level"
	keyRemoteHost = "remote_host"
	keyReplyCode  = "reply_code"
	keyReplyText  = "reply_text"
	keyReason     = "reason"
	keyReasonText = "reason_text"
)

func eventsJSON(c core.Certificate) ([]byte, error) {
	events := c.Events
	if len(events) == 0 {
		events = []core.Event{c.Event}
	}
	f := eventsFile{
		Version:           1,
		MessageIdentifier: c.Notice.ID,
		AttestedEvidence:  strconv.FormatUint(c.Event.Seq, 10),
		ChainRule:         chainRule,
	}
	for _, e := range events {
		ev, err := evidenceOf(c, e)
		if err != nil {
			return nil, err
		}
		f.Evidences = append(f.Evidences, ev)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode events.json: %w", err)
	}
	return append(b, '\n'), nil
}

func evidenceOf(c core.Certificate, e core.Event) (evidence, error) {
	canon, err := core.EventBytes(e)
	if err != nil {
		return evidence{}, err
	}
	method, assurance := recipientIdentification(c.Notice.Recipient, e)
	ev := evidence{
		EvidenceIdentifier: strconv.FormatUint(e.Seq, 10),
		EventType:          e.Type.URI(),
		EventTime:          e.Time.UTC().Format(time.RFC3339Nano),
		SubmissionTime:     c.Notice.SubmittedAt.UTC().Format(time.RFC3339Nano),
		IssuerDetails:      issuerDetails{c.Provider.Name, c.Provider.Address, c.Provider.Qualified},
		SenderDetails:      partyOf(c.Notice.Sender, c.Notice.Sender.Method, c.Notice.Sender.Assurance),
		RecipientDetails:   partyOf(c.Notice.Recipient, method, assurance),
		Details:            e.Details,
		LogRecord: logRecord{
			Seq:            e.Seq,
			PrevHash:       hex.EncodeToString(e.PrevHash),
			Hash:           hex.EncodeToString(e.Hash),
			CanonicalEvent: string(canon),
		},
	}
	if code := e.Details[keyReason]; code != "" {
		ev.EventReasons = []eventReason{{Code: code, Details: e.Details[keyReasonText]}}
	}
	return ev, nil
}

func partyOf(p core.Party, method, assurance string) partyDetails {
	return partyDetails{
		Name: p.Name, Identifier: p.Email, IdentifierScheme: "mailto",
		Organisation: p.Organisation, AssuranceLevel: assurance, AuthenticationMethod: method,
	}
}

// recipientIdentification says how the recipient was identified for event e:
// what the event recorded, else what the notice holds.
func recipientIdentification(p core.Party, e core.Event) (method, assurance string) {
	method, assurance = p.Method, p.Assurance
	if m := e.Details[keyMethod]; m != "" {
		method = m
	}
	if a := e.Details[keyAssurance]; a != "" {
		assurance = a
	}
	return method, assurance
}

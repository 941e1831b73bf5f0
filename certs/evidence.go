package certs

import (
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

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

// eventsJSON is the events.json attachment: the letter's evidence up to the
// attested event, in the one format bundles use too (evidence.EvidenceJSON), so
// that lre verify reads both the same way.
func eventsJSON(c core.Certificate) ([]byte, error) {
	events := c.Events
	if len(events) == 0 {
		events = []core.Event{c.Event}
	}
	return evidence.EvidenceJSON(c.Notice, events, c.Provider, c.Event.Seq)
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

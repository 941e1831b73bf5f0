package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lre-project/lre/core"
)

// manifestDoc is the part of manifest.json (core.Manifest) a verifier reads.
type manifestDoc struct {
	NoticeID    string         `json:"notice_id"`
	Sender      manifestParty  `json:"sender"`
	Recipient   manifestParty  `json:"recipient"`
	Subject     string         `json:"subject"`
	SubmittedAt string         `json:"submitted_at"`
	Body        manifestPart   `json:"body"`
	Documents   []manifestPart `json:"documents"`
}

type manifestParty struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

type manifestPart struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func parseManifest(b []byte) (manifestDoc, error) {
	var m manifestDoc
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("manifest.json: %w", err)
	}
	if m.NoticeID == "" || m.Body.SHA256 == "" {
		return m, errors.New("manifest.json: no letter id or body digest")
	}
	return m, nil
}

// part returns the manifest entry a bundle document refers to: 0 is the
// body, i the documents[i-1].
func (m manifestDoc) part(i int) (manifestPart, bool) {
	switch {
	case i == 0:
		return m.Body, true
	case i > 0 && i <= len(m.Documents):
		return m.Documents[i-1], true
	}
	return manifestPart{}, false
}

// eventsDoc reads events.json as evidence.EvidenceJSON writes it (EventURI)
// and as certificates issued before that format was shared wrote it
// (EventType held the URI): issued proofs are served unchanged for years.
type eventsDoc struct {
	MessageIdentifier string `json:"MessageIdentifier"`
	Evidences         []struct {
		EventURI  string `json:"EventURI"`
		EventType string `json:"EventType"`
		EventTime string `json:"EventTime"`
		LogRecord struct {
			Seq            uint64 `json:"Seq"`
			PrevHash       string `json:"PrevHash"`
			Hash           string `json:"Hash"`
			CanonicalEvent string `json:"CanonicalEvent"`
		} `json:"LogRecord"`
	} `json:"Evidences"`
}

func parseEvents(b []byte) (eventsDoc, error) {
	var d eventsDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("events.json: %w", err)
	}
	if len(d.Evidences) == 0 {
		return d, errors.New("events.json holds no event")
	}
	return d, nil
}

// checkChain recomputes every record's hash, checks the links between
// consecutive sequence numbers and that what events.json shows (URI, time,
// letter) is what the hashed bytes say. It returns the events read from the
// hashed bytes, which are the only ones the report trusts.
func checkChain(d eventsDoc, noticeID string) ([]core.Event, error) {
	var out []core.Event
	for i, ev := range d.Evidences {
		lr := ev.LogRecord
		prev, err1 := hex.DecodeString(lr.PrevHash)
		hash, err2 := hex.DecodeString(lr.Hash)
		if err1 != nil || err2 != nil || len(prev) != 32 || len(hash) != 32 {
			return nil, fmt.Errorf("record %d: hashes are not 32 bytes of hex", lr.Seq)
		}
		if !bytes.Equal(core.ChainHash(lr.Seq, prev, []byte(lr.CanonicalEvent)), hash) {
			return nil, fmt.Errorf("record %d: the event bytes do not match the record's hash", lr.Seq)
		}
		e, err := core.ParseEventBytes([]byte(lr.CanonicalEvent))
		if err != nil {
			return nil, fmt.Errorf("record %d: %v", lr.Seq, err)
		}
		e.Seq, e.PrevHash, e.Hash = lr.Seq, prev, hash
		if err := shownAsHashed(e, or(ev.EventURI, ev.EventType), ev.EventTime, noticeID); err != nil {
			return nil, fmt.Errorf("record %d: %v", lr.Seq, err)
		}
		if i > 0 {
			last := out[i-1]
			if e.Seq <= last.Seq {
				return nil, fmt.Errorf("record %d comes after record %d", e.Seq, last.Seq)
			}
			if e.Seq == last.Seq+1 && !bytes.Equal(e.PrevHash, last.Hash) {
				return nil, fmt.Errorf("record %d does not link to record %d", e.Seq, last.Seq)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func shownAsHashed(e core.Event, uri, at, noticeID string) error {
	if e.NoticeID != noticeID {
		return fmt.Errorf("the event belongs to letter %q, not %q", e.NoticeID, noticeID)
	}
	if uri != e.Type.URI() {
		return fmt.Errorf("shown as %q but the hashed event is %q", uri, e.Type.URI())
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil || !t.Equal(e.Time) {
		return fmt.Errorf("shown at %q but the hashed event is at %s", at, e.Time.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// depositDigestBound checks that the SubmissionAcceptance event records the
// digest of this manifest: the log then commits to the deposit too.
func depositDigestBound(evs []core.Event, manifestDigest string) error {
	for _, e := range evs {
		if e.Type == core.EventSubmissionAcceptance {
			if d := e.Details["deposit_digest"]; d != manifestDigest {
				return fmt.Errorf("the SubmissionAcceptance event records deposit digest %s, manifest.json hashes to %s", d, manifestDigest)
			}
			return nil
		}
	}
	return nil
}

// proves turns verified events into sentences.
func proves(m manifestDoc, deposit core.Token, evs []core.Event) []string {
	out := []string{
		fmt.Sprintf("letter %s %q from %s to %s", m.NoticeID, m.Subject, party(m.Sender), party(m.Recipient)),
		fmt.Sprintf("deposited %s (RFC 3161 time from %s, serial %s)", timeOr(deposit.Time), deposit.TSA, deposit.Serial),
	}
	for _, e := range evs {
		if s := sentence(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func party(p manifestParty) string {
	s := p.Name + " <" + p.Email + ">"
	if p.Organisation != "" {
		s += " (" + p.Organisation + ")"
	}
	return s
}

func sentence(e core.Event) string {
	at := timeOr(e.Time)
	who := "by the identified recipient (" + e.Details["identification_method"] + ", " + e.Details["assurance_level"] + ")"
	switch e.Type {
	case core.EventNotificationForAcceptance:
		what := map[string]string{"otp": "an identification code", "reminder": "a reminder"}[e.Details["mail_kind"]]
		if e.Details["development_mailbox"] != "" {
			return fmt.Sprintf("filed in a development mailbox %s: no mail was sent to the recipient", at)
		}
		if what != "" {
			return fmt.Sprintf("%s was sent %s (accepted by %s, %s)", what, at, e.Details["remote_host"], e.Details["reply_code"])
		}
		return fmt.Sprintf("notified %s: the recipient's mail server %s accepted the notification (%s)", at, e.Details["remote_host"], e.Details["reply_code"])
	case core.EventNotificationFailure:
		return fmt.Sprintf("notification failed %s (%s %s)", at, e.Details["enhanced_code"], e.Details["reason"])
	case core.EventConsignmentAcceptance:
		return fmt.Sprintf("accepted %s %s", at, who)
	case core.EventConsignmentRejection:
		return fmt.Sprintf("refused %s %s", at, who)
	case core.EventAcceptanceRejectionExpiry:
		return fmt.Sprintf("not claimed: the deadline passed without an answer, recorded %s", at)
	case core.EventContentHandover:
		return fmt.Sprintf("content handed over %s (%s)", at, or(e.Details["document"], "the letter"))
	case core.EventContentPurged:
		return fmt.Sprintf("content deleted at the end of its retention period %s (digests kept)", at)
	case core.EventSubmissionAcceptance:
		return ""
	}
	return fmt.Sprintf("%s recorded %s", e.Type, at)
}

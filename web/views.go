package web

import (
	"time"

	"github.com/lre-project/lre/core"
)

// The JSON shapes of the API. They are separate from core types so that the
// API stays stable while the domain evolves.

type noticeJSON struct {
	ID              string         `json:"id"`
	Status          core.Status    `json:"status"`
	SubmittedAt     string         `json:"submitted_at"`
	DepositedAt     string         `json:"deposited_at,omitempty"`
	DepositDigest   string         `json:"deposit_digest"`
	Recipient       partyJSON      `json:"recipient"`
	RecipientType   string         `json:"recipient_type"`
	Subject         string         `json:"subject"`
	SenderReference string         `json:"sender_reference,omitempty"`
	Language        string         `json:"language"`
	Body            documentJSON   `json:"body"`
	Documents       []documentJSON `json:"documents"`
	Timestamp       *timestampJSON `json:"timestamp"`
	// RequiredAssurance is the level the recipient must reach.
	RequiredAssurance string `json:"required_assurance"`
}

type partyJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type documentJSON struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

type timestampJSON struct {
	Time      string `json:"time"`
	Serial    string `json:"serial"`
	TSA       string `json:"tsa"`
	Policy    string `json:"policy,omitempty"`
	Qualified bool   `json:"qualified"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func noticeView(n core.Notice) noticeJSON {
	v := noticeJSON{
		ID: n.ID, Status: n.Status, SubmittedAt: rfc3339(n.SubmittedAt), DepositedAt: rfc3339(n.DepositedAt),
		DepositDigest: n.Digest, Recipient: partyJSON{n.Recipient.Name, n.Recipient.Email},
		RecipientType: n.RecipientType, Subject: n.Subject, SenderReference: n.SenderReference,
		Language: n.Language, Body: documentView(n.Body), Documents: []documentJSON{},
		RequiredAssurance: n.RequiredLevel(),
	}
	for _, d := range n.Documents {
		v.Documents = append(v.Documents, documentView(d))
	}
	if n.Token != nil {
		v.Timestamp = &timestampJSON{Time: rfc3339(n.Token.Time), Serial: n.Token.Serial, TSA: n.Token.TSA, Policy: n.Token.Policy, Qualified: n.Token.Qualified}
	}
	return v
}

func documentView(d core.Document) documentJSON {
	return documentJSON{Name: d.Name, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256}
}

type eventJSON struct {
	Seq      uint64            `json:"seq"`
	Type     core.EventType    `json:"type"`
	URI      string            `json:"uri"`
	Time     string            `json:"time"`
	Hash     string            `json:"hash"`
	PrevHash string            `json:"prev_hash"`
	Details  map[string]string `json:"details"`
}

package core

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ManifestVersion is bumped whenever the manifest's shape changes, so that a
// verifier knows which fields were hashed.
const ManifestVersion = 1

// manifest is the canonical description of a deposit. Field order is fixed
// by the struct and no map is used, so encoding/json yields the same bytes for
// the same deposit on every run and every machine.
type manifest struct {
	Version         int           `json:"version"`
	NoticeID        string        `json:"notice_id"`
	Sender          manifestParty `json:"sender"`
	Recipient       manifestParty `json:"recipient"`
	RecipientType   string        `json:"recipient_type"`
	Subject         string        `json:"subject"`
	SenderReference string        `json:"sender_reference"`
	Language        string        `json:"language"`
	SubmittedAt     string        `json:"submitted_at"`
	Body            manifestDoc   `json:"body"`
	Documents       []manifestDoc `json:"documents"`
	// Only letters that set them carry these, so that the manifests (and
	// digests) of letters without them stay what they always were.
	RequiredAssurance  string `json:"required_assurance,omitempty"`
	RecipientBirthdate string `json:"recipient_birthdate,omitempty"`
}

type manifestParty struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

type manifestDoc struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

// Manifest returns the canonical manifest bytes of n and their SHA-256, the
// deposit digest that the RFC 3161 token covers. Only fields fixed at
// submission are included, so the bytes never change afterwards.
func Manifest(n Notice) ([]byte, string, error) {
	m := manifest{
		Version:            ManifestVersion,
		NoticeID:           n.ID,
		Sender:             manifestParty{n.Sender.Name, n.Sender.Email, n.Sender.Organisation},
		Recipient:          manifestParty{n.Recipient.Name, n.Recipient.Email, n.Recipient.Organisation},
		RecipientType:      n.RecipientType,
		Subject:            n.Subject,
		SenderReference:    n.SenderReference,
		Language:           n.Language,
		SubmittedAt:        n.SubmittedAt.UTC().Format(time.RFC3339Nano),
		Body:               manifestDocOf(n.Body),
		Documents:          make([]manifestDoc, 0, len(n.Documents)),
		RecipientBirthdate: n.RecipientBirthdate,
	}
	if n.RequiredAssurance != AssuranceLow {
		m.RequiredAssurance = n.RequiredAssurance
	}
	for _, d := range n.Documents {
		m.Documents = append(m.Documents, manifestDocOf(d))
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("encode manifest: %w", err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

func manifestDocOf(d Document) manifestDoc {
	return manifestDoc{Name: d.Name, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256}
}

package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// EKEYREUSED means an Idempotency-Key already created a letter from a
// different request: replaying the earlier letter would tell the client
// that its new letter was sent when it was not.
const EKEYREUSED = "idempotency_key_reused"

// requestDigest is the SHA-256 of what a sender asked for: every field and
// each attachment's name, type and digest. It is stored with the key, so a
// retry is recognised as the same request and anything else is refused.
// The knowledge answer enters only as its hash, like on the notice.
func requestDigest(req DepositRequest) string {
	type part struct{ Name, MediaType, SHA256 string }
	parts := make([]part, len(req.Attachments))
	for i, a := range req.Attachments {
		parts[i] = part{a.Name, a.MediaType, a.SHA256}
	}
	b, _ := json.Marshal(struct {
		Email, Name, Type, Subject, Body, Reference, Language, Question string
		Answer                                                          []byte
		Parts                                                           []part
	}{req.RecipientEmail, req.RecipientName, req.RecipientType, req.Subject, req.Body, req.SenderReference, req.Language,
		req.KnowledgeQuestion, HashSecret("knowledge:" + normaliseAnswer(req.KnowledgeAnswer)), parts})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// replay returns the letter created earlier under req's key, or EKEYREUSED
// when that letter came from another request. Keys stored before digests
// were kept (empty digest) replay as they always did.
func (s *Service) replay(ctx context.Context, req DepositRequest, digest string) (Notice, error) {
	prev, stored, err := s.store.NoticeByIdempotencyKey(ctx, req.Sender.ID, req.IdempotencyKey)
	if err != nil {
		return Notice{}, err
	}
	if stored != "" && stored != digest {
		return Notice{}, FieldError(EKEYREUSED, "Idempotency-Key", "Idempotency-Key %q was already used for a different letter (%s); use a new key for a new letter", req.IdempotencyKey, prev.ID)
	}
	return prev, nil
}

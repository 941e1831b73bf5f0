package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DepositRequest is a sender's letter as received by an entry point.
type DepositRequest struct {
	Sender          User
	IdempotencyKey  string
	RecipientEmail  string
	RecipientName   string
	RecipientType   string
	Subject         string
	Body            string
	SenderReference string
	Language        string
	Attachments     []Upload
	// KnowledgeQuestion and KnowledgeAnswer optionally ask the recipient for
	// something only they know (a client number) before the decision.
	KnowledgeQuestion string
	KnowledgeAnswer   string
	// RequiredAssurance (low, substantial, high; empty = low or the
	// operator's consumer default) and RecipientBirthdate (YYYY-MM-DD,
	// optional) govern the recipient's identification (assurance.go).
	RequiredAssurance  string
	RecipientBirthdate string
	// Auth is how the sender authenticated this request (zero: an API key).
	Auth Authentication
}

// Release releases every attachment of r (Upload.Release).
func (r *DepositRequest) Release() {
	for i := range r.Attachments {
		r.Attachments[i].Release()
	}
}

// Recipient types (L.100: a consumer must have consented beforehand).
const (
	RecipientProfessional = "professional"
	RecipientConsumer     = "consumer"
)

// Deposit validates req, timestamps its manifest and stores it with its
// SubmissionAcceptance event in one transaction. When no authority answers,
// the notice is stored as StatusPendingTimestamp with no event, and
// RetryPendingTimestamps completes it later. With an Idempotency-Key already
// used by the same sender for the same request it returns the earlier notice
// and replayed=true; for a different request, EKEYREUSED.
// Errors: EINVALID or ETOOLARGE (with Field), EFORBIDDEN for a role that may
// not send, EINTERNAL.
func (s *Service) Deposit(ctx context.Context, req DepositRequest) (n Notice, replayed bool, err error) {
	if err := checkRequester(req); err != nil {
		return Notice{}, false, err
	}
	digest := requestDigest(req)
	if req.IdempotencyKey != "" {
		prev, err := s.replay(ctx, req, digest)
		if err == nil || ErrorCode(err) == EKEYREUSED {
			return prev, err == nil, err
		}
		if ErrorCode(err) != ENOTFOUND {
			return Notice{}, false, fmt.Errorf("deposit: %w", err)
		}
	}
	checked, err := s.admit(ctx, req)
	if err != nil {
		return Notice{}, false, err
	}
	d, err := s.newDeposit(checked, req)
	if err != nil {
		return Notice{}, false, err
	}
	d.RequestDigest = digest
	s.timestampDeposit(ctx, &d)
	n, existed, err := s.store.SaveDeposit(ctx, d)
	if err != nil {
		return Notice{}, false, fmt.Errorf("deposit: %w", err)
	}
	if existed {
		// A concurrent request took the key first: it may have been another letter.
		if n, err = s.replay(ctx, req, digest); err != nil {
			return Notice{}, false, err
		}
		return n, true, nil
	}
	if len(d.Outbox) > 0 {
		s.Kick()
	}
	return n, false, nil
}

// timestampDeposit obtains the token outside any store transaction. On
// failure the deposit stays pending: the letter is kept, never lost, and
// never reported deposited without a token.
func (s *Service) timestampDeposit(ctx context.Context, d *Deposit) {
	tctx, cancel := context.WithTimeout(ctx, s.tsaTimeout)
	defer cancel()
	tok, err := s.timestamper.Timestamp(tctx, digestBytes(d.Notice.Digest))
	if err != nil {
		s.log.Warn("timestamp failed; deposit kept pending", "notice", d.Notice.ID, "err", err)
		return
	}
	ch, err := s.deposited(&d.Notice, tok)
	if err != nil {
		s.log.Error("prepare notification; deposit kept pending", "notice", d.Notice.ID, "err", err)
		return
	}
	d.Change = ch
}

// deposited moves n to StatusDeposited with its token and returns what that
// transition writes: the SubmissionAcceptance event and the queued
// notification with its secrets. n is unchanged on error.
func (s *Service) deposited(n *Notice, tok Token) (Change, error) {
	m := *n
	m.Token, m.DepositedAt = &tok, tok.Time.UTC()
	ev := acceptanceEvent(m, s.clock())
	if err := advance(&m, &ev); err != nil {
		return Change{}, err
	}
	ch := Change{Events: []Event{ev}}
	if err := s.queueNotification(&m, &ch); err != nil {
		return Change{}, err
	}
	*n = m
	return ch, nil
}

// acceptanceEvent is the SubmissionAcceptance evidence: the deposit digest
// and the token that fixes the deposit time.
func acceptanceEvent(n Notice, now time.Time) Event {
	e := Event{
		Type:     EventSubmissionAcceptance,
		NoticeID: n.ID,
		Time:     now,
		Details: map[string]string{
			"deposit_digest":   n.Digest,
			"digest_method":    "http://www.w3.org/2001/04/xmlenc#sha256",
			"submission_time":  n.SubmittedAt.Format(time.RFC3339Nano),
			"timestamp_time":   n.Token.Time.UTC().Format(time.RFC3339Nano),
			"timestamp_serial": n.Token.Serial,
			"timestamp_tsa":    n.Token.TSA,
			"sender":           n.Sender.Email,
			"recipient":        n.Recipient.Email,
		},
	}
	// how the sender authenticated the deposit, for the evidence
	auth := n.SenderAuth
	auth.Method, auth.Assurance = n.Sender.Method, n.Sender.Assurance
	auth.senderEvidence(e.Details)
	for k, v := range recordDigests(n) {
		e.Details[k] = v
	}
	return e
}

// checkRequester runs the checks that come before an Idempotency-Key is
// looked up: who sends, and the key's form.
func checkRequester(req DepositRequest) error {
	if err := CheckSender(req.Sender); err != nil {
		return err
	}
	return checkIdempotencyKey(req.IdempotencyKey)
}

// admit runs every rule a new letter must pass, the one list that Deposit
// and CheckDeposit share: the sender's sending policy, every field and
// limit, the knowledge check, the identification asked for and a
// consumer's consent. It returns the notice's checked fixed part under a
// new id.
func (s *Service) admit(ctx context.Context, req DepositRequest) (Notice, error) {
	if err := s.checkSendingPolicy(ctx, req.Sender); err != nil {
		return Notice{}, err
	}
	n, err := s.validate(req)
	if err != nil {
		return Notice{}, err
	}
	// the id comes first: the knowledge answer is hashed under it
	if n.ID, err = newNoticeID(s.clock(), s.rand); err != nil {
		return Notice{}, err
	}
	if err := s.setKnowledge(&n, req); err != nil {
		return Notice{}, err
	}
	if err := s.setIdentification(&n, req); err != nil {
		return Notice{}, err
	}
	if n.RecipientType == RecipientConsumer {
		if err := s.checkConsent(ctx, n.Recipient.Email); err != nil {
			return Notice{}, err
		}
	}
	return n, nil
}

// newDeposit builds the admitted notice n's documents, manifest and
// contents from req.
func (s *Service) newDeposit(n Notice, req DepositRequest) (Deposit, error) {
	n.SubmittedAt = s.clock()
	n.Status = StatusPendingTimestamp
	contents := make(map[string][]byte, len(req.Attachments)+1)
	body := []byte(req.Body)
	n.Body = Document{Name: "body.txt", MediaType: "text/plain; charset=utf-8", Size: int64(len(body)), SHA256: digestOf(body), Key: "body"}
	contents[n.Body.Key] = body
	for i, a := range req.Attachments {
		key := fmt.Sprintf("doc-%02d", i+1)
		n.Documents = append(n.Documents, Document{Name: a.Name, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256, Key: key})
		contents[key] = a.Content
	}
	manifest, digest, err := Manifest(n)
	if err != nil {
		return Deposit{}, err
	}
	n.Digest = digest
	return Deposit{Notice: n, Manifest: manifest, Contents: contents, IdempotencyKey: req.IdempotencyKey}, nil
}

// validate checks every field of req and returns the notice's fixed part.
func (s *Service) validate(req DepositRequest) (Notice, error) {
	email, err := CheckEmail("recipient_email", req.RecipientEmail)
	if err != nil {
		return Notice{}, err
	}
	checks := []struct {
		field, v string
		max      int
		required bool
	}{
		{"recipient_name", req.RecipientName, MaxNameRunes, true},
		{"subject", req.Subject, maxSubjectRunes, true},
		{"sender_reference", req.SenderReference, maxReferenceRunes, false},
	}
	for _, c := range checks {
		if err := CheckHeaderText(c.field, c.v, c.max, c.required); err != nil {
			return Notice{}, err
		}
	}
	if err := s.checkContent(req); err != nil {
		return Notice{}, err
	}
	lang, err := oneOf("language", req.Language, "fr", "fr", "en")
	if err != nil {
		return Notice{}, err
	}
	rtype, err := oneOf("recipient_type", req.RecipientType, RecipientProfessional, RecipientProfessional, RecipientConsumer)
	if err != nil {
		return Notice{}, err
	}
	return Notice{
		SenderUserID:    req.Sender.ID,
		Sender:          Party{ID: req.Sender.ID, Name: req.Sender.Name, Email: req.Sender.Email, Organisation: req.Sender.Organisation, Assurance: req.Auth.orAPIKey().Assurance, Method: req.Auth.orAPIKey().Method},
		SenderAuth:      req.Auth,
		Recipient:       Party{Name: strings.TrimSpace(req.RecipientName), Email: email},
		RecipientType:   rtype,
		Subject:         strings.TrimSpace(req.Subject),
		SenderReference: strings.TrimSpace(req.SenderReference),
		Language:        lang,
	}, nil
}

// checkContent validates the body and attachments against the limits.
func (s *Service) checkContent(req DepositRequest) error {
	if !utf8Valid(req.Body) {
		return FieldError(EINVALID, "body", "body is not valid UTF-8")
	}
	if strings.TrimSpace(req.Body) == "" && len(req.Attachments) == 0 {
		return FieldError(EINVALID, "body", "body is required when there is no attachment")
	}
	if len(req.Attachments) > s.limits.MaxFiles {
		return FieldError(ETOOLARGE, "attachments", "%d attachments; the limit (max_files) is %d", len(req.Attachments), s.limits.MaxFiles)
	}
	total := int64(len(req.Body))
	for _, a := range req.Attachments {
		if err := CheckFileName(a.Name, s.limits.MaxNameBytes); err != nil {
			return err
		}
		total += a.Size
	}
	if total > s.limits.MaxTotalBytes {
		return FieldError(ETOOLARGE, "attachments", "the letter is %s; the limit (max_total_size) is %s", Bytes(total), Bytes(s.limits.MaxTotalBytes))
	}
	return nil
}

// oneOf returns v, or def when v is empty, when v is one of allowed.
func oneOf(field, v, def string, allowed ...string) (string, error) {
	if v == "" {
		return def, nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", FieldError(EINVALID, field, "%s must be one of %s", field, strings.Join(allowed, ", "))
}

// RetryPendingTimestamps tries once to timestamp every pending deposit and
// returns how many were completed. A notice completed meanwhile by another
// worker is skipped (ECONFLICT), so running it concurrently is safe.
func (s *Service) RetryPendingTimestamps(ctx context.Context) (int, error) {
	pending, err := s.store.PendingTimestamps(ctx)
	if err != nil {
		return 0, fmt.Errorf("retry timestamps: %w", err)
	}
	done := 0
	for _, p := range pending {
		tok, err := s.timestamper.Timestamp(ctx, digestBytes(p.Digest))
		if err != nil {
			return done, fmt.Errorf("retry timestamps: %w", err)
		}
		_, err = s.store.UpdateNotice(ctx, p.ID, func(n *Notice) (Change, error) {
			if n.Status != StatusPendingTimestamp {
				return Change{}, Errorf(ECONFLICT, "letter %s is not pending a timestamp", n.ID)
			}
			return s.deposited(n, tok)
		})
		if err != nil && ErrorCode(err) != ECONFLICT {
			return done, fmt.Errorf("retry timestamps: %w", err)
		}
		if err == nil {
			done++
		}
	}
	return done, nil
}

// RunPendingTimestamps retries pending deposits every interval until ctx ends.
func (s *Service) RunPendingTimestamps(ctx context.Context, interval time.Duration) {
	s.every(ctx, interval, "timestamps", s.RetryPendingTimestamps)
}

// setKnowledge validates the optional knowledge check; question and answer
// come together or not at all.
func (s *Service) setKnowledge(n *Notice, req DepositRequest) error {
	q, a := strings.TrimSpace(req.KnowledgeQuestion), strings.TrimSpace(req.KnowledgeAnswer)
	if q == "" && a == "" {
		return nil
	}
	if q == "" || a == "" {
		return FieldError(EINVALID, "knowledge_answer", "knowledge_question and knowledge_answer go together")
	}
	if err := CheckHeaderText("knowledge_question", q, maxSubjectRunes, true); err != nil {
		return err
	}
	if err := CheckHeaderText("knowledge_answer", a, maxKnowledgeAnswer, true); err != nil {
		return err
	}
	n.Knowledge = &KnowledgeCheck{Question: q, AnswerHash: knowledgeHash(n.ID, a)}
	return nil
}

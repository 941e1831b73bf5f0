package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// RecordError says that a letter's stored record disagrees with the
// evidence that covers it: someone changed the record outside lre (the
// hash chain itself may be intact). Reason names the first fact that
// differs. Treat the letter as tampered: restore it from a backup.
type RecordError struct {
	NoticeID string
	Reason   string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("letter %s: the stored record does not match its evidence: %s", e.NoticeID, e.Reason)
}

// CheckRecord checks a letter's stored record against what the hash chain
// covers, so that a changed byte in the record is found even though the
// record itself is not a log entry. The fixed part is covered by the
// manifest, whose digest the chained SubmissionAcceptance event holds (and
// the RFC 3161 token covers); the recipient's and sender's addresses, the
// token's serial and time are in that event too; the state (status and
// deadline) must be the one the letter's events lead to. evs are the
// letter's events in log order, each already verified by the chain.
// It returns a *RecordError, or nil.
func CheckRecord(n Notice, manifest []byte, evs []Event) error {
	fail := func(format string, args ...any) error {
		return &RecordError{NoticeID: n.ID, Reason: fmt.Sprintf(format, args...)}
	}
	_, digest, err := Manifest(n)
	if err != nil {
		return fail("%v", err)
	}
	if sum := sha256.Sum256(manifest); digest != n.Digest || hex.EncodeToString(sum[:]) != n.Digest {
		return fail("its fields, its stored manifest and its deposit digest %s disagree", n.Digest)
	}
	status, deadline, err := replay(n, evs)
	if err != nil {
		return fail("%v", err)
	}
	if status != n.Status {
		return fail("status %s, but its events lead to %s", n.Status, status)
	}
	if !deadline.IsZero() && !n.Deadline.Truncate(time.Second).Equal(deadline) {
		return fail("deadline %s, but the notification event says %s", n.Deadline.Format(time.RFC3339), deadline.Format(time.RFC3339))
	}
	return nil
}

// recordDigests are the SubmissionAcceptance details that bind the parts
// of the record that the manifest leaves out: the token's exact bytes and
// the sender's knowledge question with its answer's hash. Events recorded
// before they existed lack them; CheckRecord then checks what it can.
func recordDigests(n Notice) map[string]string {
	d := map[string]string{}
	if n.Token != nil {
		sum := sha256.Sum256(n.Token.DER)
		d["timestamp_token_sha256"] = hex.EncodeToString(sum[:])
	}
	if n.Knowledge != nil {
		sum := sha256.Sum256([]byte(n.Knowledge.Question + "\x00" + hex.EncodeToString(n.Knowledge.AnswerHash)))
		d["knowledge_check_sha256"] = hex.EncodeToString(sum[:])
	}
	return d
}

// acceptanceCheck compares the record with its SubmissionAcceptance
// events; what it compares is computed once per letter, not per event.
type acceptanceCheck struct {
	digests map[string]string
	fields  []acceptanceField
	n       *Notice
}

type acceptanceField struct{ what, stored, detail string }

func newAcceptanceCheck(n *Notice) *acceptanceCheck {
	tok := Token{}
	if n.Token != nil {
		tok = *n.Token
	}
	return &acceptanceCheck{digests: recordDigests(*n), n: n, fields: []acceptanceField{
		{"deposit digest", n.Digest, "deposit_digest"},
		{"recipient address", n.Recipient.Email, "recipient"},
		{"sender address", n.Sender.Email, "sender"},
		{"timestamp serial", tok.Serial, "timestamp_serial"},
		{"timestamp time", tok.Time.UTC().Format(time.RFC3339Nano), "timestamp_time"},
		{"deposit time", n.DepositedAt.UTC().Format(time.RFC3339Nano), "timestamp_time"},
	}}
}

// check compares the details d of one SubmissionAcceptance event.
func (a *acceptanceCheck) check(d map[string]string) error {
	for k, v := range a.digests {
		if chained, ok := d[k]; ok && chained != v {
			return fmt.Errorf("%s %s, but its SubmissionAcceptance event says %s", k, v, chained)
		}
	}
	if _, ok := d["knowledge_check_sha256"]; ok && a.n.Knowledge == nil {
		return fmt.Errorf("no knowledge check, but its SubmissionAcceptance event names one")
	}
	for _, c := range a.fields {
		if chained := d[c.detail]; c.stored != chained {
			return fmt.Errorf("%s %q, but its SubmissionAcceptance event says %q", c.what, c.stored, chained)
		}
	}
	return nil
}

// checkStored reads letter id's record, manifest and events and runs
// CheckRecord on them: before a mail goes to the address the record holds,
// so that a record changed outside lre sends nothing to the new address.
// Errors: ENOTFOUND, EINTERNAL wrapping the *RecordError.
func (s *Service) checkStored(ctx context.Context, n Notice) error {
	manifest, err := s.store.Manifest(ctx, n.ID)
	if err != nil {
		return err
	}
	evs, err := s.store.NoticeEvents(ctx, n.ID)
	if err != nil {
		return err
	}
	if err := CheckRecord(n, manifest, evs); err != nil {
		s.log.Error("letter record does not match its evidence; no mail sent", "notice", n.ID, "err", err)
		return &Error{Code: EINTERNAL, Message: "this letter's record is damaged", Err: err}
	}
	return nil
}

// checkReminder checks a reminder's letter, and that the reminder goes to
// the letter's recipient, before it is sent: reminders wait days in the
// outbox, long enough for a changed record to matter.
func (s *Service) checkReminder(ctx context.Context, e OutboxEntry) error {
	if e.Mail.Kind != MailReminder || e.NoticeID == "" {
		return nil
	}
	n, err := s.store.Notice(ctx, e.NoticeID)
	if err != nil {
		return err
	}
	if err := s.checkStored(ctx, n); err != nil {
		return err
	}
	if e.Mail.To.Email != n.Recipient.Email {
		s.log.Error("reminder addressed to another address than the letter's recipient; not sent", "notice", n.ID, "mail", e.ID)
		return Errorf(EINTERNAL, "reminder %s is addressed to another address than its letter's recipient", e.ID)
	}
	return nil
}

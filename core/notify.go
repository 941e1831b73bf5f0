package core

import (
	"fmt"
	"strings"
	"time"
)

// Secret purposes.
const (
	PurposeLink    = "link"    // the retrieval link in the notification
	PurposeVerify  = "verify"  // the verification code, checked with the letter id
	PurposeSession = "session" // an identified recipient's browser session
)

// queueNotification prepares the notification of n inside its deposit
// transition: a fresh link token and verification code (only their hashes
// are indexed) and an outbox entry. The raw secrets live in the entry until
// it is delivered, then they are scrubbed.
func (s *Service) queueNotification(n *Notice, ch *Change) error {
	return s.queueNotificationAs(n, ch, "ntf-"+strings.ToLower(n.ID), s.clock())
}

// queueNotificationAgain sends the notification once more after a late
// soft failure, under a new mail id (ntf2-, ntf3-...) so that the first
// attempt's entry and the reports about it stay apart, and with fresh
// secrets. It leaves after the retry base delay.
func (s *Service) queueNotificationAgain(n *Notice, ch *Change) error {
	n.Resent++
	id := fmt.Sprintf("ntf%d-%s", n.Resent+1, strings.ToLower(n.ID))
	return s.queueNotificationAs(n, ch, id, s.clock().Add(s.retry.Base))
}

func (s *Service) queueNotificationAs(n *Notice, ch *Change, id string, notBefore time.Time) error {
	token, tokenKey, err := s.newLinkToken(n.ID)
	if err != nil {
		return err
	}
	code, err := newVerificationCode(s.rand)
	if err != nil {
		return err
	}
	e := OutboxEntry{
		ID:        id,
		NoticeID:  n.ID,
		Created:   s.clock(),
		NotBefore: notBefore,
		Mail: OutgoingMail{
			Kind:            MailNotification,
			Language:        n.Language,
			EnvelopeFrom:    s.verp(n.ID),
			To:              Party{Name: n.Recipient.Name, Email: n.Recipient.Email},
			NoticeID:        n.ID,
			Link:            s.baseURL + "/r/" + token,
			Code:            code,
			Provider:        s.provider,
			Site:            s.baseURL,
			IdentityChecked: n.RequiredLevel() != AssuranceLow,
		},
	}
	e.Mail.ID = e.ID
	ch.Outbox = append(ch.Outbox, e)
	ch.Secrets = append(ch.Secrets,
		Secret{Hash: tokenKey, Purpose: PurposeLink, NoticeID: n.ID},
		Secret{Hash: letterSecretKey(n.ID, verifyHash(n.ID, code)), Purpose: PurposeVerify, NoticeID: n.ID},
	)
	return nil
}

// newVerificationCode returns a code like "K7QM-4ZPA" (40 bits): short enough
// to type, checked only together with the letter id and behind rate limits.
func newVerificationCode(rand interface{ Read([]byte) (int, error) }) (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("verification code: %w", err)
	}
	c := idEncoding.EncodeToString(b[:])
	return c[:4] + "-" + c[4:], nil
}

// verifyHash binds a verification code to its letter, so that a code is
// only meaningful with the right letter id.
func verifyHash(noticeID, code string) []byte {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	return HashSecret("verify:" + strings.ToUpper(strings.TrimSpace(noticeID)) + ":" + c)
}

// reminderEntries queues the reminders of a freshly notified letter.
func (s *Service) reminderEntries(n Notice, notification OutboxEntry) []OutboxEntry {
	var out []OutboxEntry
	for i, at := range s.deadlines.ReminderTimes(n.NotifiedAt) {
		e := OutboxEntry{
			ID:        fmt.Sprintf("rem%d-%s", i+1, strings.ToLower(n.ID)),
			NoticeID:  n.ID,
			Created:   s.clock(),
			NotBefore: at,
			Mail:      notification.Mail,
		}
		e.Mail.ID, e.Mail.Kind, e.Mail.Deadline = e.ID, MailReminder, n.Deadline
		out = append(out, e)
	}
	return out
}

// domainOf returns the domain of a mail address ("" without one).
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimSuffix(addr[i+1:], ">")
	}
	return ""
}

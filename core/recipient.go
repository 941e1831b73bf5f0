package core

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Access describes who touched a recipient page, for the evidence.
type Access struct {
	IP        string
	UserAgent string
}

func (a Access) details(d map[string]string) map[string]string {
	if d == nil {
		d = map[string]string{}
	}
	d["ip"] = a.IP
	if ua := a.UserAgent; ua != "" {
		if len(ua) > 300 {
			ua = ua[:300]
		}
		d["user_agent"] = ua
	}
	return d
}

// LetterView is what a recipient may see before accepting: no sender, no
// subject, no content (R.53-3). Keeping it a separate type makes a leak a
// compile error rather than a template mistake.
type LetterView struct {
	NoticeID          string
	Language          string
	Status            Status
	RecipientName     string
	RecipientEmail    string
	Deadline          time.Time
	Provider          Provider
	KnowledgeQuestion string
	CodeSent          bool
	LockedUntil       time.Time
	RequiredAssurance string    // the level the recipient must reach (Notice.RequiredLevel)
	NextCodeAt        time.Time // zero: a code may be requested now
	// Stage is the letter's stage when the view was made (StageAt).
	Stage     Stage
	DecidedAt time.Time // when the recipient accepted or refused, or the deadline passed
}

func letterView(n Notice, p Provider, now time.Time) LetterView {
	v := LetterView{
		NextCodeAt: nextCodeAt(n.Identification, now),
		NoticeID:   n.ID, Language: n.Language, Status: n.Status, RecipientName: n.Recipient.Name,
		RecipientEmail: maskEmail(n.Recipient.Email), Deadline: n.Deadline, Provider: p,
		CodeSent: len(n.Identification.CodeHash) > 0, LockedUntil: n.Identification.LockedUntil,
		RequiredAssurance: n.RequiredLevel(), Stage: n.StageAt(now), DecidedAt: n.DecidedAt,
	}
	if n.Knowledge != nil {
		v.KnowledgeQuestion = n.Knowledge.Question
	}
	return v
}

// maskEmail shows enough of an address to recognise it: j***@example.org.
func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 1 {
		return e
	}
	return e[:1] + "***" + e[at:]
}

// resolveLink finds the notice behind a link token. Unknown, truncated and
// foreign tokens all give the same ENOTFOUND after the same work (one hash,
// one lookup).
func (s *Service) resolveLink(ctx context.Context, token string) (Notice, error) {
	sec, err := s.store.SecretNotice(ctx, linkTokenKey(token), s.clock())
	if err != nil || sec.Purpose != PurposeLink {
		return Notice{}, Errorf(ENOTFOUND, "this link is not valid")
	}
	return s.store.Notice(ctx, sec.NoticeID)
}

// OpenLink shows what the notification link leads to and records
// NotificationAccessTracking: the first view, then at most one per
// AccessPeriod. It changes no other state: mail scanners fetch every link.
// Errors: ENOTFOUND.
func (s *Service) OpenLink(ctx context.Context, token string, a Access) (LetterView, error) {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return LetterView{}, err
	}
	if !accessDue(n, s.clock()) {
		return letterView(n, s.provider, s.clock()), nil
	}
	n, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		now := s.clock()
		if !accessDue(*n, now) {
			return Change{}, errAccessRecorded
		}
		n.AccessRecordedAt = now
		return Change{Events: []Event{{Type: EventNotificationAccessTracking, NoticeID: n.ID, Time: now, Details: a.details(nil)}}}, nil
	})
	if errors.Is(err, errAccessRecorded) {
		return s.ViewLink(ctx, token)
	}
	if err != nil {
		return LetterView{}, fmt.Errorf("open link: %w", err)
	}
	return letterView(n, s.provider, s.clock()), nil
}

// AccessPeriod is how often a letter's link views become evidence: the
// first view, then at most one per period, so that a link opened in a loop
// (or by a scanner) cannot grow the append-only log without bound.
const AccessPeriod = time.Hour

var errAccessRecorded = errors.New("access already recorded in this period")

func accessDue(n Notice, now time.Time) bool {
	return n.AccessRecordedAt.IsZero() || now.Sub(n.AccessRecordedAt) >= AccessPeriod
}

// ViewLink is OpenLink without the evidence, for pages shown after a POST.
func (s *Service) ViewLink(ctx context.Context, token string) (LetterView, error) {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return LetterView{}, err
	}
	return letterView(n, s.provider, s.clock()), nil
}

// checkOpen refuses actions on a letter that is decided or past its deadline.
func checkOpen(n *Notice, now time.Time) error {
	switch n.StageAt(now) {
	case StageOpen:
		return nil
	case StageAccepted, StageRefused:
		return Errorf(ECONFLICT, "this letter was already %s", n.Status)
	case StageExpired:
		return Errorf(ECONFLICT, "the deadline to accept or refuse this letter has passed")
	}
	return Errorf(ECONFLICT, "this letter cannot be accepted or refused (status %s)", n.Status)
}

// checkIdentifiable allows identification to decide on an open letter, and
// again after acceptance so that the recipient can come back for the
// content once the first session has ended.
func checkIdentifiable(n *Notice, now time.Time) error {
	if n.Status == StatusAccepted {
		return nil
	}
	return checkOpen(n, now)
}

// RequestCode sends a one-time code to the recipient's address, with a
// growing wait between codes (codeDelay) that recovers after a quiet
// period, never a permanent refusal. Errors: ENOTFOUND, ECONFLICT,
// EUNAVAILABLE (asked too soon, or locked after wrong codes).
func (s *Service) RequestCode(ctx context.Context, token string, a Access) error {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return err
	}
	if err := s.checkStored(ctx, n); err != nil {
		return err
	}
	code, err := newOTP(s.rand)
	if err != nil {
		return err
	}
	now := s.clock()
	_, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		if err := checkIdentifiable(n, now); err != nil {
			return Change{}, err
		}
		if err := emailCodeSuffices(n); err != nil {
			return Change{}, err
		}
		id := &n.Identification
		if now.Before(id.LockedUntil) {
			return Change{}, Errorf(EUNAVAILABLE, "too many wrong codes: try again after %s", At(id.LockedUntil))
		}
		throttled, err := admitCode(n, now, a)
		if err != nil {
			return Change{}, err
		}
		id.CodeHash, id.CodeExpires, id.CodeTries = otpHash(n.ID, code), now.Add(otpValidity), 0
		id.CodesSent, id.LastCodeSent = id.CodesSent+1, now
		ch := Change{Outbox: []OutboxEntry{s.otpEntry(*n, code, now)}}
		if throttled != nil {
			ch.Events = []Event{*throttled}
		}
		return ch, nil
	})
	if err != nil {
		return err
	}
	s.Kick()
	return nil
}

func (s *Service) otpEntry(n Notice, code string, now time.Time) OutboxEntry {
	id := fmt.Sprintf("otp%d-%s", n.Identification.CodesSent, strings.ToLower(n.ID))
	return OutboxEntry{ID: id, NoticeID: n.ID, Created: now, NotBefore: now, Mail: OutgoingMail{
		ID: id, Kind: MailOTP, Language: n.Language, EnvelopeFrom: s.verp(n.ID),
		To: Party{Name: n.Recipient.Name, Email: n.Recipient.Email}, NoticeID: n.ID,
		Code: code, Provider: s.provider, Deadline: n.Deadline, Site: s.baseURL,
	}}
}

// VerifyCode checks a one-time code (and the knowledge answer when the
// sender set a question) and returns a session secret for the decision.
// A code is single use, valid 10 minutes, 5 wrong tries per code and 10 per
// letter; past that the letter locks for a growing time. Errors:
// ENOTFOUND, ECONFLICT, EINVALID (wrong code), EUNAVAILABLE (locked).
func (s *Service) VerifyCode(ctx context.Context, token, code, answer string, a Access) (string, error) {
	n, err := s.resolveLink(ctx, token)
	if err != nil {
		return "", err
	}
	session, sessionHash, err := NewSecret(s.rand, "")
	if err != nil {
		return "", err
	}
	now := s.clock()
	var wrong error
	_, err = s.store.UpdateNotice(ctx, n.ID, func(n *Notice) (Change, error) {
		wrong = nil
		if err := checkIdentifiable(n, now); err != nil {
			return Change{}, err
		}
		if err := emailCodeSuffices(n); err != nil {
			return Change{}, err
		}
		id := &n.Identification
		if now.Before(id.LockedUntil) {
			return Change{}, Errorf(EUNAVAILABLE, "too many wrong codes: try again after %s", At(id.LockedUntil))
		}
		if len(id.CodeHash) == 0 || !now.Before(id.CodeExpires) {
			id.CodeHash = nil
			wrong = FieldError(EINVALID, "code", "this code has expired or was already used: ask for a new one")
			return Change{}, nil
		}
		okCode := subtle.ConstantTimeCompare(otpHash(n.ID, code), id.CodeHash) == 1
		okAnswer := n.Knowledge.check(n.ID, answer)
		if !okCode || !okAnswer {
			var ch Change
			ch, wrong = s.wrongTry(n, now, okCode, a)
			return ch, nil
		}
		id.CodeHash, id.CodeTries = nil, 0
		methods := []string{MethodEmailOTP}
		if n.Knowledge != nil {
			methods = append(methods, MethodKnowledge)
		}
		n.Identity = &Identity{Methods: methods, Assurance: AssuranceLow, At: now}
		return Change{Secrets: []Secret{{Hash: sessionHash, Purpose: PurposeSession, NoticeID: n.ID, Expires: now.Add(sessionValidity)}}}, nil
	})
	if err != nil {
		return "", err
	}
	if wrong != nil {
		return "", wrong
	}
	return session, nil
}

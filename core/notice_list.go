package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Listing bounds: a page holds at most MaxListLimit letters.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// NoticeQuery filters a listing of letters. Zero fields do not filter.
type NoticeQuery struct {
	Status    Status
	Recipient string    // the recipient's email, compared case-insensitively
	From      time.Time // submitted at or after
	To        time.Time // submitted before
	Limit     int       // 1..MaxListLimit; 0 means DefaultListLimit
	Cursor    string    // NoticePage.Next of the previous page
}

// NoticeScope is whose letters a listing covers: one sender's, or a whole
// organisation's. Exactly one field is set.
type NoticeScope struct {
	SenderUserID string
	Organisation string
}

// NoticePage is one page of a listing, newest submission first. Next is the
// cursor of the following page, empty on the last one.
type NoticePage struct {
	Notices []Notice
	Next    string
}

// NoticeLister lists letters by sender or organisation.
type NoticeLister interface {
	// ListNotices returns the letters of scope matching q, newest first, at
	// most q.Limit of them (fewer when the store stops early to bound its
	// work: follow Next). An unreadable q.Cursor is EINVALID (Field
	// "cursor").
	ListNotices(ctx context.Context, scope NoticeScope, q NoticeQuery) (NoticePage, error)
}

// ListNotices lists the letters viewer may see, newest first: a sender's own,
// or for auditors and admins their organisation's, the same rule as Notice.
// Errors: EINVALID (with Field) for a bad filter or cursor.
func (s *Service) ListNotices(ctx context.Context, viewer User, q NoticeQuery) (NoticePage, error) {
	q, err := checkNoticeQuery(q)
	if err != nil {
		return NoticePage{}, err
	}
	scope := NoticeScope{SenderUserID: viewer.ID}
	if viewer.Organisation != "" && (viewer.Role == RoleAuditor || viewer.Role == RoleAdmin) {
		scope = NoticeScope{Organisation: viewer.Organisation}
	}
	p, err := s.store.ListNotices(ctx, scope, q)
	if err != nil {
		return NoticePage{}, fmt.Errorf("list letters: %w", err)
	}
	return p, nil
}

func checkNoticeQuery(q NoticeQuery) (NoticeQuery, error) {
	switch q.Status {
	case "", StatusPendingTimestamp, StatusDeposited, StatusNotified, StatusNotificationFail, StatusAccepted, StatusRefused, StatusNotClaimed:
	default:
		return q, FieldError(EINVALID, "status", "unknown status %q", q.Status)
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultListLimit
	case q.Limit < 0 || q.Limit > MaxListLimit:
		return q, FieldError(EINVALID, "limit", "limit must be between 1 and %d", MaxListLimit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, FieldError(EINVALID, "to", "to must be after from")
	}
	if len(q.Recipient) > maxEmailBytes {
		return q, FieldError(EINVALID, "recipient", "recipient is longer than %s", Bytes(maxEmailBytes))
	}
	if len(q.Cursor) > 256 {
		return q, FieldError(EINVALID, "cursor", "cursor is not one this server issued")
	}
	q.Recipient = strings.ToLower(strings.TrimSpace(q.Recipient))
	return q, nil
}

package core

import (
	"context"
	"fmt"
)

// Notice returns the notice id if viewer may see it. Senders see the letters
// they sent; auditors and admins see their organisation's. Anything else is
// ENOTFOUND, never EFORBIDDEN, so ids of other organisations leak nothing.
func (s *Service) Notice(ctx context.Context, viewer User, id string) (Notice, error) {
	if !ValidNoticeID(id) {
		return Notice{}, Errorf(ENOTFOUND, "no letter %q", id)
	}
	n, err := s.store.Notice(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	if !canView(viewer, n) {
		return Notice{}, Errorf(ENOTFOUND, "no letter %q", id)
	}
	return n, nil
}

func canView(u User, n Notice) bool { return CanView(u, n.SenderUserID, n.Sender.Organisation) }

// CanView is who may see what a sender sent (a letter, a batch): the sender
// (user senderID), and the auditors and admins of the sender's organisation.
func CanView(u User, senderID, org string) bool {
	if senderID == u.ID {
		return true
	}
	sameOrg := u.Organisation != "" && u.Organisation == org
	return sameOrg && (u.Role == RoleAuditor || u.Role == RoleAdmin)
}

// NoticeManifest returns the exact manifest bytes the deposit digest covers.
// Errors: ENOTFOUND.
func (s *Service) NoticeManifest(ctx context.Context, viewer User, id string) ([]byte, error) {
	if _, err := s.Notice(ctx, viewer, id); err != nil {
		return nil, err
	}
	b, err := s.store.Manifest(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return b, nil
}

// NoticeTimestamp returns the DER TimeStampResp of the deposit.
// Errors: ENOTFOUND, also while the deposit is still pending a timestamp.
func (s *Service) NoticeTimestamp(ctx context.Context, viewer User, id string) ([]byte, error) {
	n, err := s.Notice(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if n.Token == nil {
		return nil, Errorf(ENOTFOUND, "letter %s has no timestamp yet (status %s)", id, n.Status)
	}
	return n.Token.DER, nil
}

// NoticeEvents returns the evidence events of a notice in log order.
// Errors: ENOTFOUND.
func (s *Service) NoticeEvents(ctx context.Context, viewer User, id string) ([]Event, error) {
	if _, err := s.Notice(ctx, viewer, id); err != nil {
		return nil, err
	}
	evs, err := s.store.NoticeEvents(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return evs, nil
}

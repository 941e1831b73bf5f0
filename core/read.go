package core

import (
	"context"
	"fmt"
)

// Notice returns notice id if viewer may see it (see VisibleNotice).
// Errors: ENOTFOUND.
func (s *Service) Notice(ctx context.Context, viewer User, id string) (Notice, error) {
	return VisibleNotice(ctx, s.store, viewer, id)
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

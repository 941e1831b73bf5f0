package core

import (
	"context"
	"time"
)

// NotificationCheck is all the public verification page says about a
// letter: that it exists, where it stands, and its deadline. Nothing about
// the sender or the content.
type NotificationCheck struct {
	NoticeID string
	Status   Status
	Deadline time.Time
	Provider Provider
	Stage    Stage // the letter's stage when checked (StageAt)
}

// CheckNotification answers "is this notification genuine?" for a letter
// id and the verification code printed in the notification email. A wrong
// id or code gives the same ENOTFOUND, so the page reveals nothing else.
func (s *Service) CheckNotification(ctx context.Context, noticeID, code string) (NotificationCheck, error) {
	sec, err := s.verifySecret(ctx, noticeID, code)
	if err != nil || sec.Purpose != PurposeVerify {
		return NotificationCheck{}, Errorf(ENOTFOUND, "no letter matches this id and verification code")
	}
	n, err := s.store.Notice(ctx, sec.NoticeID)
	if err != nil {
		return NotificationCheck{}, err
	}
	return NotificationCheck{NoticeID: n.ID, Status: n.Status, Deadline: n.Deadline, Provider: s.provider, Stage: n.StageAt(s.clock())}, nil
}

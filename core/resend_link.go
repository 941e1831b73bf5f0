package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Limits on fresh links: a few per letter, spaced out, so that the
// verification code cannot be used to flood the recipient's mailbox.
const (
	maxLinkResends = 3
	linkResendGap  = 15 * time.Minute
)

// ResendLink mails a fresh link (and a fresh verification code) for letter
// noticeID to the address the letter was sent to, for someone who proved
// with the notification's verification code that they hold that email.
// It returns nothing about the address. The mail is a reminder: its
// delivery becomes evidence (ReminderSent) like any other reminder.
// Errors: ENOTFOUND (no letter with this id and code), ECONFLICT (the
// letter no longer awaits an answer), EUNAVAILABLE (too soon or too many).
func (s *Service) ResendLink(ctx context.Context, noticeID, code string) error {
	chk, err := s.CheckNotification(ctx, noticeID, code)
	if err != nil {
		return err
	}
	now := s.clock()
	_, err = s.store.UpdateNotice(ctx, chk.NoticeID, func(n *Notice) (Change, error) {
		switch {
		case n.Status != StatusNotified || (!n.Deadline.IsZero() && now.After(n.Deadline)):
			return Change{}, Errorf(ECONFLICT, "this letter no longer awaits an answer")
		case n.LinksResent >= maxLinkResends:
			return Change{}, Errorf(EUNAVAILABLE, "%d fresh links were already sent for this letter", n.LinksResent)
		case now.Before(n.LinkResentAt.Add(linkResendGap)):
			return Change{}, Errorf(EUNAVAILABLE, "a fresh link was sent less than %s ago", linkResendGap)
		}
		n.LinksResent++
		n.LinkResentAt = now
		var ch Change
		id := fmt.Sprintf("lnk%d-%s", n.LinksResent, strings.ToLower(n.ID))
		if err := s.queueNotificationAs(n, &ch, id, now); err != nil {
			return Change{}, err
		}
		e := &ch.Outbox[len(ch.Outbox)-1]
		e.Mail.Kind, e.Mail.Deadline = MailReminder, n.Deadline
		return ch, nil
	})
	if err != nil {
		return err
	}
	s.Kick()
	return nil
}

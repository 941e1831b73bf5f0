package core

import "context"

// VisibleNotice returns notice id if viewer may see it: the one rule of who
// sees a letter, which every sub-domain that serves a letter asks. Senders
// see the letters they sent; auditors and admins see their organisation's.
// Anything else is ENOTFOUND, never EFORBIDDEN, so ids of other
// organisations leak nothing.
func VisibleNotice(ctx context.Context, st NoticeReader, viewer User, id string) (Notice, error) {
	if !ValidNoticeID(id) {
		return Notice{}, Errorf(ENOTFOUND, "no letter %q", id)
	}
	n, err := st.Notice(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	if !CanView(viewer, n.SenderUserID, n.Sender.Organisation) {
		return Notice{}, Errorf(ENOTFOUND, "no letter %q", id)
	}
	return n, nil
}

// CanView is who may see what a sender sent (a letter, a batch): the sender
// (user senderID), and the auditors and admins of the sender's organisation.
func CanView(u User, senderID, org string) bool {
	if senderID == u.ID {
		return true
	}
	sameOrg := u.Organisation != "" && u.Organisation == org
	return sameOrg && (u.Role == RoleAuditor || u.Role == RoleAdmin)
}

package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// DuplicateWindow is how far back RecentDuplicates looks: a letter sent
// twice by mistake (Back, then the form sent again) is sent within minutes;
// a reminder to the same person a day later is deliberate.
const DuplicateWindow = 24 * time.Hour

// RecentDuplicates returns the letters viewer may see that were sent to
// req's recipient during the DuplicateWindow before now with the same
// documents: the same attachments' SHA-256s in any order or, for a letter
// without attachment, the same body. A sender about to send one of them
// again is asked to confirm. It reads one listing page of the recipient's
// recent letters. Errors: EINVALID for a recipient address too long to
// list.
func (s *Service) RecentDuplicates(ctx context.Context, viewer User, req DepositRequest) ([]Notice, error) {
	if strings.TrimSpace(req.RecipientEmail) == "" {
		return nil, nil
	}
	now := s.clock()
	p, err := s.ListNotices(ctx, viewer, NoticeQuery{Recipient: req.RecipientEmail, From: now.Add(-DuplicateWindow), Limit: MaxListLimit})
	if err != nil {
		return nil, err
	}
	want := requestDigests(req)
	var out []Notice
	for _, n := range p.Notices {
		if slices.Equal(noticeDigests(n), want) {
			out = append(out, n)
		}
	}
	return out, nil
}

// requestDigests and noticeDigests are what two letters must share to be
// the same sending: the sorted attachment digests, or the body's digest
// when there is no attachment.
func requestDigests(req DepositRequest) []string {
	if len(req.Attachments) == 0 {
		return []string{digestOf([]byte(req.Body))}
	}
	var d []string
	for _, a := range req.Attachments {
		d = append(d, a.SHA256)
	}
	slices.Sort(d)
	return d
}

func noticeDigests(n Notice) []string {
	if len(n.Documents) == 0 {
		return []string{n.Body.SHA256}
	}
	var d []string
	for _, doc := range n.Documents {
		d = append(d, doc.SHA256)
	}
	slices.Sort(d)
	return d
}

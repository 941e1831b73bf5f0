package core

import "time"

// Stage is where a letter stands for its recipient at a given time: open to
// a decision, or one of the ends the pages explain. It is derived from the
// status and the deadline, never stored, so that every reader (the link's
// pages, the verification page, the domain's own checks) gives the same
// answer at the same instant.
type Stage string

const (
	StageOpen     Stage = "open"     // the recipient may still accept or refuse
	StageAccepted Stage = "accepted" // accepted: the content is theirs
	StageRefused  Stage = "refused"  // refused
	StageExpired  Stage = "expired"  // the deadline passed without an answer (non-claim), recorded or not yet
	StageClosed   Stage = "closed"   // no decision is possible (notification failed, awaiting its timestamp)
)

// StageAt returns the letter's stage at now. The deadline is the last
// instant of the period (DeadlinePolicy.Deadline), so a letter is still
// open at exactly its deadline and expired one nanosecond after, whether
// or not the non-claim has been recorded yet.
func StageAt(status Status, deadline, now time.Time) Stage {
	switch status {
	case StatusAccepted:
		return StageAccepted
	case StatusRefused:
		return StageRefused
	case StatusNotClaimed:
		return StageExpired
	case StatusNotified, StatusDeposited:
		if !deadline.IsZero() && now.After(deadline) {
			return StageExpired
		}
		return StageOpen
	}
	return StageClosed
}

// StageAt returns n's stage at now (see StageAt).
func (n Notice) StageAt(now time.Time) Stage { return StageAt(n.Status, n.Deadline, now) }

// Stage returns n's stage now, by the service's clock: the sender's letter
// page asks it so that it says what the recipient's pages and the
// verification page say at the same instant. It returns no error.
func (s *Service) Stage(n Notice) Stage { return n.StageAt(s.clock()) }

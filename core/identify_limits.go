package core

import (
	"fmt"
	"time"
)

// Events of the recipient's identification that tell a court why a
// recipient could not (yet) identify: someone failed the code again and
// again, or requested codes faster than allowed.
const (
	EventCodeVoided            EventType = "CodeVoided"
	EventIdentificationLocked  EventType = "IdentificationLocked"
	EventCodeRequestsThrottled EventType = "CodeRequestsThrottled"
	codeSeriesFree                       = 3             // codes of a series sent a minute apart
	codeDelayMax                         = time.Hour     // longest wait between two codes
	codeSeriesReset                      = 6 * time.Hour // a quiet period that starts a new series
)

// codeDelay is the wait after the last code before the next one, growing
// with the codes of the current series: 1 min for the first three, then
// 2, 4, 8 ... minutes, at most an hour. It never refuses for good: whoever
// requests codes in a loop (anyone holding the link may) slows the series
// down, and the real recipient still gets a code within the hour, and at
// once after a quiet period of codeSeriesReset.
func codeDelay(series int) time.Duration {
	if series < codeSeriesFree {
		return time.Minute
	}
	return min(time.Minute<<min(series-codeSeriesFree+1, 10), codeDelayMax)
}

// nextCodeAt is the first instant a new code may be requested.
func nextCodeAt(id Identification, now time.Time) time.Time {
	if id.LastCodeSent.IsZero() || now.Sub(id.LastCodeSent) >= codeSeriesReset {
		return time.Time{}
	}
	return id.LastCodeSent.Add(codeDelay(id.CodeSeries))
}

// admitCode applies codeDelay to a code request at now. It returns the
// error to show when the request is too early, and the event to record
// the first time a series is slowed down.
func admitCode(n *Notice, now time.Time, a Access) (*Event, error) {
	id := &n.Identification
	if now.Sub(id.LastCodeSent) >= codeSeriesReset {
		id.CodeSeries = 0
	}
	if next := nextCodeAt(*id, now); now.Before(next) {
		return nil, Errorf(EUNAVAILABLE, "a code was sent at %s: check your mailbox; a new one can be requested from %s",
			At(id.LastCodeSent), At(next))
	}
	id.CodeSeries++
	if id.CodeSeries != codeSeriesFree+1 {
		return nil, nil
	}
	return &Event{Type: EventCodeRequestsThrottled, NoticeID: n.ID, Time: now, Details: a.details(map[string]string{
		"codes_in_series": fmt.Sprint(id.CodeSeries),
		"next_delay":      codeDelay(id.CodeSeries).String(),
	})}, nil
}

// wrongTry counts a failed try. Five on one code void it and become an
// CodeVoided event; ten on the letter lock it for a growing time
// (lockFor), recorded as IdentificationLocked. The returned Change holds
// those events; the error is what the recipient is told.
func (s *Service) wrongTry(n *Notice, now time.Time, okCode bool, a Access) (Change, error) {
	id := &n.Identification
	id.CodeTries++
	id.LetterTries++
	var ch Change
	if id.CodeTries >= otpTriesPerCode {
		id.CodeHash = nil
		ch.Events = append(ch.Events, Event{Type: EventCodeVoided, NoticeID: n.ID, Time: now, Details: a.details(map[string]string{
			"failed_tries": fmt.Sprint(id.CodeTries), "reason": "wrong_code_or_answer",
		})})
	}
	if id.LetterTries >= otpTriesPerLetter {
		id.LockedUntil = now.Add(lockFor(id.Lockouts))
		id.Lockouts++
		id.CodeHash = nil
		ch.Events = append(ch.Events, Event{Type: EventIdentificationLocked, NoticeID: n.ID, Time: now, Details: a.details(map[string]string{
			"failed_tries": fmt.Sprint(id.LetterTries), "lockout": fmt.Sprint(id.Lockouts),
			"locked_until": id.LockedUntil.UTC().Format(time.RFC3339),
		})})
		id.LetterTries = 0
		return ch, Errorf(EUNAVAILABLE, "too many wrong codes: this letter is locked until %s", At(id.LockedUntil))
	}
	if !okCode {
		return ch, FieldError(EINVALID, "code", "wrong code (%d tries left for this code)", max(0, otpTriesPerCode-id.CodeTries))
	}
	return ch, FieldError(EINVALID, "knowledge_answer", "the answer to the sender's question does not match")
}

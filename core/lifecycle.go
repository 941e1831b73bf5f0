package core

import (
	"fmt"
	"time"
)

// Transition is one status change the lifecycle allows: a letter in From
// moves to To when the evidence event Event is recorded.
type Transition struct {
	From  Status
	Event EventType
	To    Status
}

// transitions is the letter lifecycle, the one table every status change
// goes through (advance) and that replaying a letter's events follows
// (replay). A pair (From, Event) appears at most once, so the event that is
// recorded decides where the letter goes.
var transitions = []Transition{
	// the deposit's timestamp token arrived
	{StatusPendingTimestamp, EventSubmissionAcceptance, StatusDeposited},
	// the recipient's server accepted the notification, or it failed for good
	{StatusDeposited, EventNotificationForAcceptance, StatusNotified},
	{StatusDeposited, EventNotificationFailure, StatusNotificationFail},
	// a late hard report undoes a notification nobody has shown a sign of
	// having; a late soft one sends it again (the deadline starts anew)
	{StatusNotified, EventNotificationFailure, StatusNotificationFail},
	{StatusNotified, EventNotificationDeferred, StatusDeposited},
	// the recipient's answer; a deposited letter can be answered when the
	// recipient followed the link before the notification's result came
	{StatusDeposited, EventConsignmentAcceptance, StatusAccepted},
	{StatusDeposited, EventConsignmentRejection, StatusRefused},
	{StatusNotified, EventConsignmentAcceptance, StatusAccepted},
	{StatusNotified, EventConsignmentRejection, StatusRefused},
	// no answer before the deadline
	{StatusNotified, EventAcceptanceRejectionExpiry, StatusNotClaimed},
}

// DetailLetterStatus is the detail of an event that moved its letter: the
// status the letter reached. Replaying a letter's events (CheckRecord)
// follows exactly the events that carry it, so an event that may or may not
// move a letter (a late report, a reminder's failure) is replayed as it
// happened.
const DetailLetterStatus = "letter_status"

// Transitions returns a copy of the lifecycle table, for documentation and
// tests.
func Transitions() []Transition {
	return append([]Transition(nil), transitions...)
}

// NextStatus returns the status a letter in from reaches when event is
// recorded. Errors: ECONFLICT when the lifecycle has no such transition.
func NextStatus(from Status, event EventType) (Status, error) {
	for _, t := range transitions {
		if t.From == from && t.Event == event {
			return t.To, nil
		}
	}
	return "", Errorf(ECONFLICT, "a letter in status %s cannot record %s", from, event)
}

// advance moves n along the lifecycle by the event e and records in e the
// status reached. n is unchanged on error (ECONFLICT).
func advance(n *Notice, e *Event) error {
	to, err := NextStatus(n.Status, e.Type)
	if err != nil {
		return err
	}
	n.Status = to
	if e.Details == nil {
		e.Details = map[string]string{}
	}
	e.Details[DetailLetterStatus] = string(to)
	return nil
}

// replay walks the letter's events and returns the status they lead to and
// the deadline the notification fixed, checking the deposit facts on the
// way. Letters deposited before events carried DetailLetterStatus are
// replayed by the table alone, as they were recorded then.
func replay(n Notice, evs []Event) (Status, time.Time, error) {
	status, deadline := StatusPendingTimestamp, time.Time{}
	marked := false
	var acceptance *acceptanceCheck
	for i, e := range evs {
		if e.Type == EventSubmissionAcceptance {
			if acceptance == nil {
				acceptance = newAcceptanceCheck(&n)
			}
			if err := acceptance.check(e.Details); err != nil {
				return "", time.Time{}, err
			}
			marked = e.Details[DetailLetterStatus] != ""
		}
		reached, moved := e.Details[DetailLetterStatus]
		if marked && !moved || !marked && !legacyMoves(status, e.Type) {
			continue
		}
		to, err := NextStatus(status, e.Type)
		if err != nil || moved && Status(reached) != to {
			return "", time.Time{}, fmt.Errorf("event %d (%s) moves the letter from %s to %q, which the lifecycle forbids", i+1, e.Type, status, reached)
		}
		status = to
		switch to {
		case StatusNotified:
			deadline, _ = time.Parse(time.RFC3339, e.Details["deadline"])
		case StatusDeposited, StatusNotificationFail:
			deadline = time.Time{}
		}
	}
	return status, deadline, nil
}

// legacyMoves is how events recorded before DetailLetterStatus moved a
// letter: every event the table allows from status, except a deferral
// (those letters never went back from notified to deposited).
func legacyMoves(status Status, typ EventType) bool {
	if typ == EventNotificationDeferred {
		return false
	}
	_, err := NextStatus(status, typ)
	return err == nil
}

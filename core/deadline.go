package core

import "time"

// DeadlinePolicy says how long a recipient has to answer. The French rule
// (R.53-3) is 15 days counted from the day after the notification, ending
// at the end of the last day in Paris time; other jurisdictions configure
// their own.
type DeadlinePolicy struct {
	Days      int
	Location  *time.Location
	Reminders []int // days after notification when a reminder is sent
}

// Deadline returns the last instant (23:59:59 local) of the Days-th day
// after the day of notifiedAt, in UTC.
func (p DeadlinePolicy) Deadline(notifiedAt time.Time) time.Time {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	l := notifiedAt.In(loc)
	end := time.Date(l.Year(), l.Month(), l.Day()+p.Days, 23, 59, 59, 0, loc)
	return end.UTC()
}

// ReminderTimes returns when reminders are due: the start of each
// configured day (09:00 local, a civil hour), if before the deadline.
func (p DeadlinePolicy) ReminderTimes(notifiedAt time.Time) []time.Time {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	l := notifiedAt.In(loc)
	deadline := p.Deadline(notifiedAt)
	var out []time.Time
	for _, d := range p.Reminders {
		t := time.Date(l.Year(), l.Month(), l.Day()+d, 9, 0, 0, 0, loc).UTC()
		if t.After(notifiedAt) && t.Before(deadline) {
			out = append(out, t)
		}
	}
	return out
}

package core

import (
	"strings"
	"time"
)

// DefaultDeadlineZone is the time zone whose end of day ends a deadline
// when none is configured: French law counts the days of R.53-3 in Paris.
// cmd's --deadline-tz defaults to it, and the adapters that print times
// (pages, mails, certificates) fall back to it when given no zone, so
// that a zone left out of the wiring never shows another one.
const DefaultDeadlineZone = "Europe/Paris"

// DefaultDeadlineLocation loads DefaultDeadlineZone, or UTC on a host
// without its zone data (cmd links time/tzdata, so it never happens there).
func DefaultDeadlineLocation() *time.Location {
	if loc, err := time.LoadLocation(DefaultDeadlineZone); err == nil {
		return loc
	}
	return time.UTC
}

// ZoneCity names a time zone the way people say "Paris time": the last
// part of its IANA name with spaces ("America/New_York" is "New York"),
// or the whole name for zones that are no place ("UTC"). Pages, mails and
// certificates all name the zone with it, so that they name the same one.
func ZoneCity(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

package main

import (
	"io"
	"strings"
	"testing"
)

// TestDeadlineZoneFlag: --deadline-tz takes an IANA zone; the host's own
// zone ("Local", or empty) would move with the machine, and an unknown
// name is refused with the flag's name.
func TestDeadlineZoneFlag(t *testing.T) {
	c, err := parseServe([]string{"--deadline-tz", "America/New_York"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if loc, err := c.deadlineZone(); err != nil || loc.String() != "America/New_York" {
		t.Errorf("deadlineZone = %v, %v", loc, err)
	}
	for _, bad := range []string{"Local", "", "Europe/Atlantis"} {
		if _, err := parseServe([]string{"--deadline-tz", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "--deadline-tz") {
			t.Errorf("--deadline-tz %q: %v, want an error naming the flag", bad, err)
		}
	}
}

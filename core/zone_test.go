package core_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones exist on a host without zoneinfo

	"github.com/lre-project/lre/core"
)

func TestZoneCity(t *testing.T) {
	for name, want := range map[string]string{
		"Europe/Paris":                   "Paris",
		"America/New_York":               "New York",
		"America/Argentina/Buenos_Aires": "Buenos Aires",
		"UTC":                            "UTC",
	} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := core.ZoneCity(loc); got != want {
			t.Errorf("ZoneCity(%s) = %q, want %q", name, got, want)
		}
	}
	if got := core.DefaultDeadlineLocation().String(); got != core.DefaultDeadlineZone {
		t.Errorf("DefaultDeadlineLocation = %s", got)
	}
}

package core_test

import (
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

func TestStageAt(t *testing.T) {
	deadline := time.Date(2026, 12, 9, 22, 59, 59, 0, time.UTC)
	for _, tt := range []struct {
		status core.Status
		now    time.Time
		want   core.Stage
	}{
		{core.StatusNotified, deadline.Add(-time.Nanosecond), core.StageOpen},
		{core.StatusNotified, deadline, core.StageOpen},
		{core.StatusNotified, deadline.Add(time.Nanosecond), core.StageExpired},
		{core.StatusDeposited, deadline.Add(time.Nanosecond), core.StageExpired},
		{core.StatusNotClaimed, deadline.Add(-time.Hour), core.StageExpired},
		{core.StatusAccepted, deadline.Add(time.Hour), core.StageAccepted},
		{core.StatusRefused, deadline.Add(time.Hour), core.StageRefused},
		{core.StatusNotificationFail, deadline.Add(-time.Hour), core.StageClosed},
		{core.StatusPendingTimestamp, deadline.Add(-time.Hour), core.StageClosed},
	} {
		if got := core.StageAt(tt.status, deadline, tt.now); got != tt.want {
			t.Errorf("StageAt(%s, deadline%+v) = %s, want %s", tt.status, tt.now.Sub(deadline), got, tt.want)
		}
	}
	if got := core.StageAt(core.StatusNotified, time.Time{}, deadline); got != core.StageOpen {
		t.Errorf("no deadline: %s, want open", got)
	}
}

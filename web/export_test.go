package web

import "time"

// VerifyMemory is the uploads' verification budget, for tests that fill it.
var VerifyMemory = verifyMemory

// VerifyBudget is its size in bytes.
const VerifyBudget = verifyBudget

// SetVerifyReadTimeout shortens the upload read deadline for a test and
// returns a function that restores it.
func SetVerifyReadTimeout(d time.Duration) (restore func()) {
	old := verifyReadTimeout
	verifyReadTimeout = d
	return func() { verifyReadTimeout = old }
}

// SetIntakePace shortens the intake's stall timeout and grace period and
// sets its minimum rate for a test; restore puts the defaults back.
func SetIntakePace(stall, grace time.Duration, minRate int64) (restore func()) {
	s, g, r := intakeStall, intakeGrace, intakeMinRate
	intakeStall, intakeGrace, intakeMinRate = stall, grace, minRate
	return func() { intakeStall, intakeGrace, intakeMinRate = s, g, r }
}

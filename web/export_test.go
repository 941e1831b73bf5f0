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

// CatalogueTexts is every text of the pages, of the error messages (core's
// English format and its French text) and of the field names, as French
// and English pairs, for the language test.
func CatalogueTexts() [][2]string {
	var out [][2]string
	for _, m := range catalogue {
		out = append(out, [2]string{m.fr, m.en})
	}
	for en, fr := range errorTextFR {
		out = append(out, [2]string{fr, en})
	}
	for _, n := range fieldNames {
		out = append(out, [2]string{n.fr, n.en})
	}
	return out
}

// AuditTexts is the verification report's sentences as French and English
// pairs, for the language test.
func AuditTexts() [][2]string {
	var out [][2]string
	for en, fr := range auditTextFR {
		out = append(out, [2]string{fr, en})
	}
	return out
}

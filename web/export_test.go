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

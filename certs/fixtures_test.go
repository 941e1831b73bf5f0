package certs_test

import "testing"

// TestFixtures checks that the saved manifest and token still describe the
// test letter; with -update it rewrites manifest.json (then rerun
// testdata/certs/mkfixtures.sh for the token).
func TestFixtures(t *testing.T) {
	_, tok := letterFixture(t)
	if tok.Serial == "" || tok.TSA == "" || tok.Time.IsZero() {
		t.Fatalf("token fields missing: %+v", tok)
	}
}

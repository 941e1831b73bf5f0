package evidence_test

import (
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
)

// TestETSIRecipientAssurance checks where the recipient's level comes
// from: the identification the decision recorded (an identity provider's
// substantial level here), never a refused one, and nothing before.
func TestETSIRecipientAssurance(t *testing.T) {
	n := core.Notice{
		ID: "LRE-AAAA-BBBB-CCCC-DDDD", Sender: core.Party{Name: "A", Email: "a@example.org"}, Recipient: core.Party{Name: "B", Email: "b@example.com"},
		Body:        core.Document{Name: "body.txt", MediaType: "text/plain", SHA256: "00"},
		SubmittedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
	}
	manifest, _, err := core.Manifest(n)
	if err != nil {
		t.Fatal(err)
	}
	l, err := evidence.ETSILetterFromManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	at := n.SubmittedAt.Add(time.Hour)
	evs := []core.Event{
		{Seq: 1, Type: core.EventSubmissionAcceptance, NoticeID: n.ID, Time: at},
		{Seq: 2, Type: core.EventIdentificationFailure, NoticeID: n.ID, Time: at, Details: map[string]string{"reason": "name_mismatch", "identification_method": "oidc", "assurance_level": "high"}},
		{Seq: 3, Type: core.EventConsignmentAcceptance, NoticeID: n.ID, Time: at.Add(time.Minute), Details: map[string]string{"identification_method": "oidc", "assurance_level": "substantial"}},
		{Seq: 4, Type: core.EventContentHandover, NoticeID: n.ID, Time: at.Add(2 * time.Minute)},
	}
	iss := evidence.ETSIIssuerOf(core.Provider{Name: "P"})
	for i, want := range []string{"", "", "http://eidas.europa.eu/LoA/substantial", "http://eidas.europa.eu/LoA/substantial"} {
		ev, err := evidence.BuildETSIEvidence(l, iss, evs[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if a := ev.RecipientDetails[0].AssuranceLevels; a != nil {
			got = a.GlobalAssuranceLevel.AssuranceLevel
			if a.AuthenticationDetails.AuthenticationMethod != "urn:lre:authn:oidc" || a.AuthenticationDetails.AuthenticationTime != evs[2].Time.Format(time.RFC3339Nano) {
				t.Errorf("record %d: authentication %+v", i+1, a.AuthenticationDetails)
			}
		}
		if got != want {
			t.Errorf("record %d (%s): recipient level %q, want %q", i+1, evs[i].Type, got, want)
		}
		// Letters deposited before the deposit recorded the sender's
		// authentication say nothing of it rather than guess.
		if ev.SenderDetails.AssuranceLevels != nil {
			t.Errorf("record %d: sender assurance %+v from an event that records none", i+1, ev.SenderDetails.AssuranceLevels)
		}
	}
	if _, err := evidence.BuildETSIEvidence(l, iss, []core.Event{{Seq: 9, Type: core.EventContentHandover, NoticeID: "LRE-OTHER"}}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("evidence of another letter's event: %v", err)
	}
}

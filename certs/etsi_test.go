package certs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/internal/etsicheck"
	"github.com/lre-project/lre/jades"
)

// letterEvents is one letter's events of every kind a letter can have, in
// an order the service could record them, chained as the log chains them.
func letterEvents(t *testing.T, id string) []core.Event {
	t.Helper()
	at := func(minutes int) time.Time { return submitted.Add(time.Duration(minutes) * time.Minute) }
	identified := func(extra map[string]string) map[string]string {
		d := map[string]string{"identification_method": "email_otp", "assurance_level": "low", "identified_at": at(40).Format(time.RFC3339Nano), "ip": "192.0.2.7"}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	events := []core.Event{
		{Type: core.EventSubmissionAcceptance, Time: at(1), Details: map[string]string{"deposit_digest": "x", core.DetailSenderMethod: "api_key", core.DetailSenderAssurance: "low"}},
		{Type: core.EventNotificationFailure, Time: at(2), Details: map[string]string{"reason": "mailbox_full", "enhanced_code": "4.2.2", "reply_text": "452 4.2.2 Mailbox full"}},
		{Type: core.EventNotificationForAcceptance, Time: at(30), Details: map[string]string{"remote_host": "mx.example.org", "reply_code": "250"}},
		{Type: core.EventNotificationAccessTracking, Time: at(35), Details: map[string]string{"ip": "192.0.2.7"}},
		{Type: core.EventReminderSent, Time: at(36), Details: map[string]string{"reply_code": "250"}},
		{Type: core.EventIdentificationFailure, Time: at(39), Details: map[string]string{"reason": "assurance_too_low", "identification_method": "oidc", "assurance_level": "low", "required_assurance": "substantial"}},
		{Type: core.EventConsignmentRejection, Time: at(41), Details: identified(map[string]string{"reason": "refused by the recipient"})},
		{Type: core.EventConsignmentAcceptance, Time: at(42), Details: identified(nil)},
		{Type: core.EventContentHandover, Time: at(43), Details: map[string]string{"document": "lettre.txt", "sha256": digest("body")}},
		{Type: core.EventContentHandoverFailure, Time: at(44), Details: map[string]string{"document": "lettre.txt"}},
		{Type: core.EventAcceptanceRejectionExpiry, Time: at(50), Details: map[string]string{"reason": "no acceptance or refusal before the deadline (non-claim)"}},
		{Type: core.EventSubmissionRejection, Time: at(51), Details: map[string]string{"reason": "timestamp_refused"}},
		{Type: core.EventContentPurged, Time: at(60), Details: map[string]string{"reason": "retention_period_elapsed"}},
	}
	prev := core.GenesisHash
	for i := range events {
		events[i].Seq, events[i].NoticeID, events[i].PrevHash = uint64(i+1), id, prev
		body, err := core.EventBytes(events[i])
		if err != nil {
			t.Fatal(err)
		}
		events[i].Hash = core.ChainHash(events[i].Seq, prev, body)
		prev = events[i].Hash
	}
	return events
}

// TestETSIEvidenceEveryKind builds and seals the evidence of every event
// kind of a letter, checks what each says of the parties and reasons, and
// has python3-jsonschema and python3-jwcrypto validate and verify all of
// them; a changed byte fails the independent check.
func TestETSIEvidenceEveryKind(t *testing.T) {
	manifest, _ := letterFixture(t)
	l, err := evidence.ETSILetterFromManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	signedAt := time.Now().UTC().Truncate(time.Second)
	signer := certs.NewEvidenceSigner(testSeal(t), func() time.Time { return signedAt }, rand.Reader)
	iss := evidence.ETSIIssuerOf(core.Provider{Name: "Recommandé Numérique SAS", Address: "12 rue de l’Épée, 75005 Paris"})
	events := letterEvents(t, l.NoticeID)
	dir := t.TempDir()
	var files []string
	for i, e := range events {
		ev, err := evidence.BuildETSIEvidence(l, iss, events[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		checkParties(t, e, ev)
		b, err := evidence.SealETSIEvidence(context.Background(), signer, ev)
		if err != nil {
			t.Fatal(err)
		}
		checkSignedInGo(t, b, ev, signedAt)
		f := filepath.Join(dir, filepath.Base(evidence.ETSIFileName(e.Seq, e.Type)))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out, ok := etsicheck.Check(t, files...)
	if !ok || strings.Count(out, "OK ") != len(events) {
		t.Fatalf("independent check of %d evidence files failed:\n%s", len(events), out)
	}
	b, _ := os.ReadFile(files[6]) // the ConsignmentRejection
	for _, tc := range []struct{ name, from, to, want string }{
		{"changed reason", "refused_by_recipient", "bad_mailbox", "hashV"},
		{"no recipient", `"RecipientDetails"`, `"Recipients"`, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, "tampered.json")
			if err := os.WriteFile(bad, bytes.Replace(b, []byte(tc.from), []byte(tc.to), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, ok := etsicheck.Check(t, bad); ok || !strings.Contains(out, tc.want) {
				t.Fatalf("the independent check did not fail with %s:\n%s", tc.want, out)
			}
		})
	}
}

// checkParties asserts what the evidence of e must say: the sender's
// authentication always, the recipient's only once identified, a reason on
// every negative event.
func checkParties(t *testing.T, e core.Event, ev evidence.ETSIEvidence) {
	t.Helper()
	if ev.ERDSEventID != e.Type.URI() || ev.Extensions[0].LogSeq != e.Seq || ev.MessageIdentifier != "LRE-ABCD-EFGH-IJKL-MNOP" {
		t.Errorf("%s: evidence names %s record %d of %s", e.Type, ev.ERDSEventID, ev.Extensions[0].LogSeq, ev.MessageIdentifier)
	}
	s := ev.SenderDetails.AssuranceLevels
	if s == nil || s.GlobalAssuranceLevel.AssuranceLevel != "http://eidas.europa.eu/LoA/low" || s.AuthenticationDetails.AuthenticationMethod != "urn:lre:authn:api_key" {
		t.Errorf("%s: sender assurance %+v", e.Type, s)
	}
	identified := e.Seq >= 7 // record 7 is the first after the identification (6 is a refused one)
	r := ev.RecipientDetails[0].AssuranceLevels
	if identified != (r != nil) {
		t.Errorf("%s: recipient assurance %+v, identified=%v", e.Type, r, identified)
	}
	if r != nil && (r.AuthenticationDetails.AuthenticationMethod != "urn:lre:authn:email_otp" || r.AuthenticationDetails.AuthenticationTime != submitted.Add(40*time.Minute).Format(time.RFC3339Nano)) {
		t.Errorf("%s: recipient authentication %+v", e.Type, r.AuthenticationDetails)
	}
	negative := map[core.EventType]string{
		core.EventNotificationFailure: "urn:lre:reason:mailbox_full", core.EventConsignmentRejection: "urn:lre:reason:refused_by_recipient",
		core.EventAcceptanceRejectionExpiry: "urn:lre:reason:deadline_passed", core.EventContentHandoverFailure: "urn:lre:reason:other",
		core.EventSubmissionRejection: "urn:lre:reason:timestamp_refused", core.EventContentPurged: "urn:lre:reason:retention_period_elapsed",
		core.EventIdentificationFailure: "urn:lre:reason:assurance_too_low",
	}
	want, neg := negative[e.Type]
	switch {
	case neg && (ev.EventReasons == nil || ev.EventReasons.EventReason[0].Code != want):
		t.Errorf("%s: reasons %+v, want code %s", e.Type, ev.EventReasons, want)
	case !neg && ev.EventReasons != nil:
		t.Errorf("%s: a positive event with reasons %+v", e.Type, ev.EventReasons)
	}
	if n := len(ev.UserContentInfo.PartsInfo.PartInfo); n != 3 || ev.UserContentInfo.ComposingParts != 3 {
		t.Errorf("%s: %d content parts, want the body and 2 documents", e.Type, n)
	}
}

// checkSignedInGo verifies the file with lre's own verifier too, which
// audit uses.
func checkSignedInGo(t *testing.T, file []byte, ev evidence.ETSIEvidence, signedAt time.Time) {
	t.Helper()
	canon, sig, err := evidence.ETSISignedBytes(file)
	if err != nil || sig == nil {
		t.Fatalf("read back: %v", err)
	}
	want, _ := evidence.ETSICanonical(ev)
	if !bytes.Equal(canon, want) {
		t.Fatalf("the file's signed bytes differ from the evidence built")
	}
	v, err := jades.Verify(jades.Signature{Protected: sig.CompactDetached.Protected, Signature: sig.CompactDetached.Signature}, evidence.ETSIReference(ev.EvidenceIdentifier), canon)
	if err != nil || !v.SigningTime.Equal(signedAt) || !v.Chain[0].Equal(testSeal(t).Certificate()) {
		t.Fatalf("jades.Verify: %v (%+v)", err, v)
	}
	var generic map[string]any
	if err := json.Unmarshal(file, &generic); err != nil || generic["version"] != evidence.ETSIVersion {
		t.Fatalf("not an evidence object: %v", err)
	}
}

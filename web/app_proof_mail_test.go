package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	lresmtp "github.com/lre-project/lre/smtp"
	"github.com/lre-project/lre/storage"
)

// TestProofMailToSender: when a letter is accepted, refused or not
// claimed, its sender gets one mail with the signed proof attached (the
// same bytes the letter page serves), unless they opted out on the
// settings page.
func TestProofMailToSender(t *testing.T) {
	for _, tc := range []struct {
		name    string
		end     func(t *testing.T, s *site, b *browser, m core.OutgoingMail)
		cert    core.CertificateKind
		optOut  bool
		subject string
	}{
		{name: "accepted", cert: core.CertReceipt, end: decide("accept"), subject: "acceptée : la preuve est jointe"},
		{name: "refused", cert: core.CertRefusal, end: decide("refuse"), subject: "refusée : la preuve est jointe"},
		{name: "not claimed", cert: core.CertNonClaim, end: expire, subject: "non réclamée : la preuve est jointe"},
		{name: "opted out", cert: core.CertReceipt, end: decide("accept"), optOut: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := appSiteOn(t, func(db *storage.DB, a *rfc3161.Authority) []services.Option {
				return []services.Option{lretest.Proofs(t, db, a)}
			})
			_, key := s.account(t, "alice@acme.example", "ACME", core.RoleSender)
			sender := s.browser(t)
			sender.login("alice@acme.example")
			x := want(t, "settings", sender.get("/app/settings"), http.StatusOK)
			checkPage(t, x.body)
			if !bytes.Contains([]byte(x.body), []byte(`value="on" aria-describedby="proof_mails-help" checked`)) {
				t.Fatalf("proof mails are not on by default: %s", x)
			}
			if tc.optOut {
				x = want(t, "opt out", sender.post("/app/settings", url.Values{}), http.StatusSeeOther)
				x = want(t, "saved", sender.get(x.header.Get("Location")), http.StatusOK)
				if !hasID(x.body, "settings-saved") || bytes.Contains([]byte(x.body), []byte(" checked")) {
					t.Fatalf("after opting out: %s", x)
				}
			}

			id, m := s.notified(t, key, letterFields())
			tc.end(t, s, s.browser(t), m)
			s.outbox(t)
			s.outbox(t)
			if tc.optOut {
				if n := s.mail.Count(core.MailProof); n != 0 {
					t.Fatalf("%d proof mails after opting out", n)
				}
				return
			}
			if n := s.mail.Count(core.MailProof); n != 1 {
				t.Fatalf("%d proof mails, want exactly one", n)
			}
			pm := s.mail.Last(t, core.MailProof, "alice@acme.example")
			if pm.NoticeID != id || pm.Certificate != tc.cert {
				t.Fatalf("proof mail %+v", pm)
			}
			page := want(t, "certificate", s.api(t, key, http.MethodGet, "/api/v1/notices/"+id+"/certificates/"+string(tc.cert)+".pdf", nil), http.StatusOK)
			if !bytes.Equal(pm.Proof, []byte(page.body)) {
				t.Errorf("the mailed proof (%d bytes) is not the one the letter page serves (%d bytes)", len(pm.Proof), len(page.body))
			}

			raw, err := lresmtp.Compose(pm, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := env.GetHeader("Subject"); !bytes.Contains([]byte(got), []byte(tc.subject)) || !bytes.Contains([]byte(got), []byte(id)) {
				t.Errorf("subject %q", got)
			}
			if len(env.Attachments) != 1 || env.Attachments[0].ContentType != "application/pdf" || !bytes.Equal(env.Attachments[0].Content, pm.Proof) {
				t.Errorf("the composed mail does not carry the proof: %d attachments", len(env.Attachments))
			}
		})
	}
}

func decide(action string) func(*testing.T, *site, *browser, core.OutgoingMail) {
	return func(t *testing.T, s *site, b *browser, m core.OutgoingMail) {
		token := b.identify(m.Link, "")
		if x := b.decide(token, action); x.status >= 400 {
			t.Fatalf("%s: %s", action, x)
		}
	}
}

func expire(t *testing.T, s *site, _ *browser, m core.OutgoingMail) {
	s.clock.Add(m.Deadline.Sub(s.clock.Now()) + time.Minute)
	if n, err := s.svc.Letters.ExpireDeadlines(context.Background()); err != nil || n != 1 {
		t.Fatalf("ExpireDeadlines = %d, %v", n, err)
	}
}

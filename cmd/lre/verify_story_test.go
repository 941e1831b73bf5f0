package main

import (
	"context"
	"crypto/rand"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
)

// story is one lre with a letter that went all the way: deposited with an
// attachment, notified, the recipient identified by a one-time code,
// accepted and downloaded it. It uses the real service, store, authority,
// certificate renderer and transparency log, as lre serve wires them.
type story struct {
	t      *testing.T
	dir    string
	db     *storage.DB
	svc    *services.Set
	signer *tlog.Signer
	ts     core.Timestamper
	mail   *lretest.Mailer
	sender core.User
	notice core.Notice
	// earlier is a checkpoint published right after the deposit.
	earlier evidence.Checkpoint
}

func newStory(t *testing.T) *story {
	t.Helper()
	dir := t.TempDir()
	s := &story{t: t, dir: dir}
	s.open(dir)
	return s.play()
}

// open wires a service over the data dir, creating its keys on first use.
// The store is the bbolt file of dir whatever the store under test, since
// the lre commands the tests run read it there.
func (s *story) open(dir string) {
	t := s.t
	db, err := storage.Open(dir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := lretest.AuthorityIn(t, filepath.Join(dir, "tsa"), time.Now, rfc3161.WithCRLURL("https://lre.test/api/v1/tsa/crl"))
	seal, err := certs.LoadOrCreateSeal(filepath.Join(dir, "seal"), "lre test", time.Now, rand.Reader, certs.WithCRLURL("https://lre.test/api/v1/seal/crl"))
	if err != nil {
		t.Fatal(err)
	}
	if s.signer, err = keyfile.LoadOrCreateLogSigner(filepath.Join(dir, "log"), tlog.Origin("lre test"), rand.Reader); err != nil {
		t.Fatal(err)
	}
	ts := rfc3161.NewLocal(a)
	e := lretest.Build(t, lretest.Fixture{DB: db, Authority: a, Clock: lretest.Following()},
		services.WithProvider(core.Provider{Name: "lre test", FromEmail: "noreply@lre.test"}),
		services.WithEvidence(evidence.WithRenderer(certs.NewRenderer(seal, ts, certs.WithValidationData(validationData(a, a.GenerationsPEM))))),
		services.WithEvidence(evidence.WithETSIEvidence(certs.NewEvidenceSigner(seal, time.Now, rand.Reader), db)),
		services.WithEvidence(evidence.WithTransparencyLog(db, s.signer)),
		services.WithEvidence(evidence.WithAuditMaterial(evidence.AuditMaterial{TSAChainPEM: a.GenerationsPEM(), SealPEM: seal.GenerationsPEM()})),
	)
	s.db, s.mail, s.ts, s.svc, s.sender = db, e.Mailer, ts, e.Svc, e.Sender
}

func (s *story) play() *story {
	t, ctx := s.t, context.Background()
	var err error
	mailer := s.mail
	up, err := core.ReadUpload("contrat.pdf", "application/pdf", strings.NewReader("%PDF-1.4 contrat de bail, article 7"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	s.notice, _, err = s.svc.Letters.Deposit(ctx, core.DepositRequest{
		Sender: s.sender, RecipientEmail: "bob@example.com", RecipientName: "Bob Durand",
		Subject: "Mise en demeure", Body: "Madame, Monsieur, veuillez trouver ci-joint...", Attachments: []core.Upload{up},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.earlier, _, err = s.svc.Evidence.PublishCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	s.process()
	token := path.Base(mailer.Last(t, core.MailNotification, "bob@example.com").Link)
	access := core.Access{IP: "192.0.2.7", UserAgent: "test"}
	if err := s.svc.Letters.RequestCode(ctx, token, access); err != nil {
		t.Fatal(err)
	}
	s.process()
	session, err := s.svc.Letters.VerifyCode(ctx, token, mailer.Last(t, core.MailOTP, "bob@example.com").Code, "", access)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Letters.Decide(ctx, token, session, true, access); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Letters.Handover(ctx, token, session, s.notice.Documents[0].Key, access); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *story) process() {
	s.t.Helper()
	if _, err := s.svc.Letters.ProcessOutbox(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// bundle downloads the letter's evidence bundle.
func (s *story) bundle(consistencyFrom uint64) []byte {
	s.t.Helper()
	b, err := s.svc.Evidence.EvidenceBundle(context.Background(), s.sender, s.notice.ID, consistencyFrom)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// logNoise appends n events of no letter (consent mail does that).
func (s *story) logNoise(tag string, n int) {
	s.t.Helper()
	for i := range n {
		ev := core.Event{Type: core.EventConsentGiven, Time: time.Now().UTC(), Details: map[string]string{"tag": tag, "n": string(rune('a' + i))}}
		if err := s.db.ApplyChange(context.Background(), core.Change{Events: []core.Event{ev}}); err != nil {
			s.t.Fatal(err)
		}
	}
}

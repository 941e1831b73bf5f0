package evidence

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// A certificate's check code lets whoever holds the paper or the PDF ask
// the provider, at /verify?id=…&c=…, whether it issued that certificate for
// that letter. It is an HMAC of what the certificate attests (letter, kind,
// deposit digest, attested event) under a key only the provider holds, so
// nobody can make up a code for another letter or another state, and
// nothing is stored: the same certificate always gets the same code.

// WithCheckKey sets the secret key of certificates' check codes (32 random
// bytes kept in the data directory). Without it certificates carry none.
func WithCheckKey(key []byte) Option { return func(s *Service) { s.checkKey = key } }

// CertificateCheck is what /verify confirms from a check code: never a
// party's name or the content, only what the certificate itself shows.
type CertificateCheck struct {
	NoticeID  string
	Kind      core.CertificateKind
	Digest    string      // the deposit digest (SHA-256 of the manifest)
	EventTime time.Time   // when the attested event was recorded
	Status    core.Status // the letter's status now
}

// checkCode is the code of the certificate of kind for n attesting e, as
// XXXX-XXXX-XXXX-XXXX (80 bits), or "" without a key.
func (s *Service) checkCode(n core.Notice, kind core.CertificateKind, e core.Event) string {
	if len(s.checkKey) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, s.checkKey)
	fmt.Fprintf(m, "lre certificate check v1\x00%s\x00%s\x00%s\x00%s", n.ID, kind, n.Digest, hex.EncodeToString(e.Hash))
	c := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:10])
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// CheckCertificate tells whether code is the check code of one of the
// certificates of letter id. It reads only. Errors: ENOTFOUND for an
// unknown letter or a code that matches none of its certificates (the
// same answer, so that a guess learns nothing).
func (s *Service) CheckCertificate(ctx context.Context, id, code string) (CertificateCheck, error) {
	noMatch := core.Errorf(core.ENOTFOUND, "no certificate of letter %q has this check code", id)
	if len(s.checkKey) == 0 || !core.ValidNoticeID(id) {
		return CertificateCheck{}, noMatch
	}
	n, err := s.store.Notice(ctx, id)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return CertificateCheck{}, noMatch
	}
	if err != nil {
		return CertificateCheck{}, fmt.Errorf("check certificate: %w", err)
	}
	evs, err := s.store.NoticeEvents(ctx, id)
	if err != nil {
		return CertificateCheck{}, fmt.Errorf("check certificate: %w", err)
	}
	want := normalCode(code)
	for _, kind := range core.CertificateKinds {
		t, _ := kind.AttestedEvent()
		for _, e := range evs {
			if e.Type == t && hmac.Equal([]byte(normalCode(s.checkCode(n, kind, e))), []byte(want)) {
				return CertificateCheck{NoticeID: n.ID, Kind: kind, Digest: n.Digest, EventTime: e.Time, Status: n.Status}, nil
			}
		}
	}
	return CertificateCheck{}, noMatch
}

// normalCode accepts a code as typed: any case, with or without dashes
// and spaces.
func normalCode(c string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(c))
}

package certs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/digitorus/pkcs7"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

var (
	oidSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTimeStampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// signature returns the CMS in the document's first /Contents (the seal's;
// document time-stamps follow) and the bytes its /ByteRange covers.
func signature(t *testing.T, pdf []byte) (*pkcs7.PKCS7, []byte) {
	t.Helper()
	m := regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]\s*/Contents <([0-9a-fA-F]+)>`).FindAllSubmatch(pdf, -1)
	if m == nil {
		t.Fatal("no signature dictionary")
	}
	last := m[0]
	der, err := hex.DecodeString(string(last[4]))
	if err != nil {
		t.Fatal(err)
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(der, &raw); err != nil { // drop the zero padding
		t.Fatal(err)
	}
	p7, err := pkcs7.Parse(raw.FullBytes)
	if err != nil {
		t.Fatal(err)
	}
	a, b, n := atoi(t, last[1]), atoi(t, last[2]), atoi(t, last[3])
	return p7, append(append([]byte{}, pdf[:a]...), pdf[b:b+n]...)
}

func atoi(t *testing.T, b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestSignatureTimestamp seals with a time-stamping authority: the CMS is a
// PAdES baseline signature (no signing-time, signing-certificate-v2 naming
// the seal) carrying a token over its signature value that openssl accepts.
func TestSignatureTimestamp(t *testing.T) {
	seal := testSeal(t)
	tsa, chain := testAuthority(t)
	pdf, err := certs.NewRenderer(seal, tsa).Render(context.Background(), certificate(t, core.CertRefusal, "en"))
	if err != nil {
		t.Fatal(err)
	}
	checkSignature(t, writeTemp(t, pdf))

	p7, signed := signature(t, pdf)
	p7.Content = signed
	if err := p7.Verify(); err != nil {
		t.Fatalf("CMS does not verify over the byte range: %v", err)
	}
	si := p7.Signers[0]
	var ess bool
	for _, a := range si.AuthenticatedAttributes {
		switch {
		case a.Type.Equal(oidSigningTime):
			t.Error("signing-time present: PAdES baseline forbids it")
		case a.Type.Equal(oidSigningCertificateV2):
			sum := sha256.Sum256(seal.Certificate().Raw)
			ess = bytes.Contains(a.Value.Bytes, sum[:])
		}
	}
	if !ess {
		t.Error("no signing-certificate-v2 attribute with the seal's SHA-256")
	}
	var token []byte
	for _, a := range si.UnauthenticatedAttributes {
		if a.Type.Equal(oidTimeStampToken) {
			token = a.Value.Bytes
		}
	}
	if token == nil {
		t.Fatal("no signature time-stamp")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token.der"), token, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(si.EncryptedDigest)
	out := run(t, "openssl", "ts", "-verify", "-token_in", "-in", filepath.Join(dir, "token.der"),
		"-digest", hex.EncodeToString(sum[:]), "-CAfile", chain)
	if !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify of the signature time-stamp:\n%s", out)
	}
}

type failingTSA struct{}

func (failingTSA) Timestamp(context.Context, []byte) (core.Token, error) {
	return core.Token{}, core.Errorf(core.EUNAVAILABLE, "no authority answered")
}

// TestTimestampUnavailable: no half-sealed proof when the authority fails;
// the caller sees EUNAVAILABLE and can retry.
func TestTimestampUnavailable(t *testing.T) {
	_, err := certs.NewRenderer(testSeal(t), failingTSA{}).Render(context.Background(), certificate(t, core.CertDeposit, "fr"))
	var e *core.Error
	if !errors.As(err, &e) || core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
}

package rfc3161_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

// TestMisbehavingAuthority puts a dishonest or broken authority behind a
// real HTTP server and checks that the client refuses its token with the
// sentinel naming the fault.
func TestMisbehavingAuthority(t *testing.T) {
	honest := newAuthority(t)
	stranger := newAuthority(t)
	good := newTestPKI(t, nil)
	nonCritical := newTestPKI(t, func(c *x509.Certificate) {
		c.ExtraExtensions, c.ExtKeyUsage = nil, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	})
	extraEKU := newTestPKI(t, func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{ekuExtension(t, true, oidTimeStamping, oidCodeSigning)}
	})
	noEKU := newTestPKI(t, func(c *x509.Certificate) { c.ExtraExtensions = nil })
	ca := newTestPKI(t, func(c *x509.Certificate) {
		c.IsCA, c.KeyUsage = true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	})
	sha1Sum := sha1.Sum([]byte("deposit"))
	tests := []struct {
		name   string
		answer func([]byte) []byte
		roots  *x509.CertPool
		want   error
	}{
		{"wrong nonce", rewrite(t, honest, func(r *timestamp.Request) { r.Nonce = new(big.Int).Add(r.Nonce, big.NewInt(1)) }), honest.Roots(), rfc3161.ErrNonce},
		{"missing nonce", rewrite(t, honest, func(r *timestamp.Request) { r.Nonce = nil }), honest.Roots(), rfc3161.ErrNonce},
		{"wrong imprint", rewrite(t, honest, func(r *timestamp.Request) { r.HashedMessage = sum256("other") }), honest.Roots(), rfc3161.ErrImprint},
		{"rejection", rewrite(t, honest, func(r *timestamp.Request) { r.TSAPolicyOID = []int{1, 2, 3} }), honest.Roots(), rfc3161.ErrStatus},
		{"no signer certificate", rewrite(t, honest, func(r *timestamp.Request) { r.Certificates = false }), honest.Roots(), rfc3161.ErrSignature},
		{"garbage", func([]byte) []byte { return []byte("not a time-stamp") }, honest.Roots(), rfc3161.ErrMalformed},
		{"untrusted root", rewrite(t, stranger, func(*timestamp.Request) {}), honest.Roots(), rfc3161.ErrChain},
		{"sha-1 imprint", good.answer(t, forged{hash: oidSHA1, imprint: sha1Sum[:]}), good.roots, rfc3161.ErrWeakHash},
		{"signed by another key", good.answer(t, forged{signKey: mustKey(t)}), good.roots, rfc3161.ErrSignature},
		{"ESS names another certificate", good.answer(t, forged{essCert: good.root}), good.roots, rfc3161.ErrSignature},
		{"genTime after signer expiry", good.answer(t, forged{genTime: good.cert.NotAfter.Add(time.Hour).UTC()}), good.roots, rfc3161.ErrChain},
		{"EKU not critical", nonCritical.answer(t, forged{}), nonCritical.roots, rfc3161.ErrUsage},
		{"extra EKU", extraEKU.answer(t, forged{}), extraEKU.roots, rfc3161.ErrUsage},
		{"no EKU", noEKU.answer(t, forged{}), noEKU.roots, rfc3161.ErrUsage},
		{"signer is a CA", ca.answer(t, forged{}), ca.roots, rfc3161.ErrUsage},
	}
	digest := sum256("deposit")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tsaFunc(t, tt.answer)
			c, err := rfc3161.NewClient([]string{srv.URL}, tt.roots, rfc3161.WithRetries(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Timestamp(context.Background(), digest)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if code := core.ErrorCode(err); code != core.EUNAVAILABLE {
				t.Errorf("code = %s, want %s", code, core.EUNAVAILABLE)
			}
		})
	}
}

// issue asks a for a token over digest with a known nonce, in-process.
func issue(t testing.TB, a *rfc3161.Authority, digest []byte, nonce *big.Int) []byte {
	t.Helper()
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Certificates: true, Nonce: nonce}
	reqDER, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Respond(reqDER)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestVerify(t *testing.T) {
	a := newAuthority(t)
	digest, nonce := sum256("deposit"), big.NewInt(7)
	before := time.Now().Add(-time.Second)
	resp := issue(t, a, digest, nonce)
	tests := []struct {
		name   string
		resp   []byte
		digest []byte
		nonce  *big.Int
		roots  *x509.CertPool
		want   error
	}{
		{"fresh token", resp, digest, nonce, a.Roots(), nil},
		{"stored token, nonce unknown", resp, digest, nil, a.Roots(), nil},
		{"other digest", resp, sum256("other"), nonce, a.Roots(), rfc3161.ErrImprint},
		{"other nonce", resp, digest, big.NewInt(8), a.Roots(), rfc3161.ErrNonce},
		{"no roots", resp, digest, nonce, nil, rfc3161.ErrChain},
		{"foreign roots", resp, digest, nonce, newAuthority(t).Roots(), rfc3161.ErrChain},
		{"trailing bytes", append(bytes.Clone(resp), 0), digest, nonce, a.Roots(), rfc3161.ErrMalformed},
		{"truncated", resp[:len(resp)/2], digest, nonce, a.Roots(), rfc3161.ErrMalformed},
		{"empty", nil, digest, nonce, a.Roots(), rfc3161.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := rfc3161.Verify(tt.resp, tt.digest, tt.nonce, tt.roots, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if tok.Time.Before(before) || tok.Time.After(time.Now()) || tok.Time.Location() != time.UTC {
				t.Errorf("Time = %s, want UTC now", tok.Time)
			}
			if _, ok := new(big.Int).SetString(tok.Serial, 10); !ok {
				t.Errorf("Serial = %q, want decimal", tok.Serial)
			}
			if tok.Policy != rfc3161.EmbeddedPolicy || tok.TSA != "lre-test embedded TSA (non-qualified)" || tok.Qualified {
				t.Errorf("token = %+v", tok)
			}
			if !bytes.Equal(tok.DER, resp) {
				t.Error("DER is not the response as issued")
			}
		})
	}
}

func TestVerifyTokenNeedsSignerWhenDetached(t *testing.T) {
	a := newAuthority(t)
	digest := sum256("deposit")
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest}
	reqDER, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Respond(reqDER)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rfc3161.VerifyToken(resp, digest, a.Roots(), nil); !errors.Is(err, rfc3161.ErrSignature) {
		t.Fatalf("without certificates: err = %v, want ErrSignature", err)
	}
	if _, err := rfc3161.VerifyToken(resp, digest, a.Roots(), a.Certificates()[:1]); err != nil {
		t.Fatalf("with the signer supplied: %v", err)
	}
}

// TestChainCheckedAtEveryGenTime: a chain verified once for one token is
// remembered only for the span in which all its certificates are valid, so
// a later token of the same signer dated outside it is still refused.
func TestChainCheckedAtEveryGenTime(t *testing.T) {
	p := newTestPKI(t, nil)
	digest := sum256("deposit")
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Certificates: true, Nonce: big.NewInt(9)}
	reqDER, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		genTime time.Time
		want    error
	}{
		{"inside the span", time.Now().UTC().Truncate(time.Second), nil},
		{"after the signer expired", p.cert.NotAfter.Add(time.Second).UTC(), rfc3161.ErrChain},
		{"before the signer was issued", p.cert.NotBefore.Add(-time.Second).UTC(), rfc3161.ErrChain},
		{"after the root expired", p.root.NotAfter.Add(time.Second).UTC(), rfc3161.ErrChain},
		{"on the signer's last second", p.cert.NotAfter.UTC(), nil},
		{"inside again", time.Now().Add(time.Hour).UTC().Truncate(time.Second), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := p.answer(t, forged{genTime: tt.genTime})(reqDER)
			for range 2 {
				if _, err := rfc3161.VerifyToken(resp, digest, p.roots, nil); !errors.Is(err, tt.want) {
					t.Fatalf("VerifyToken at %s = %v, want %v", tt.genTime, err, tt.want)
				}
			}
		})
	}
}

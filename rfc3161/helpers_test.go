package rfc3161_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/rfc3161"
)

func newAuthority(t testing.TB) *rfc3161.Authority {
	t.Helper()
	a, err := rfc3161.LoadOrCreateAuthority(t.TempDir(), "lre-test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func sum256(data string) []byte {
	s := sha256.Sum256([]byte(data))
	return s[:]
}

// tsaFunc serves RFC 3161 over HTTP with answer computing the reply, so that
// a test can put any authority, honest or not, behind a real socket.
func tsaFunc(t testing.TB, answer func(reqDER []byte) []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(answer(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// rewrite returns an answer that alters the request, then lets a answer it:
// an honest signer fed a dishonest request.
func rewrite(t testing.TB, a *rfc3161.Authority, change func(*timestamp.Request)) func([]byte) []byte {
	return func(reqDER []byte) []byte {
		req, err := timestamp.ParseRequest(reqDER)
		if err != nil {
			t.Error(err)
			return nil
		}
		change(req)
		reqDER, err = req.Marshal()
		if err != nil {
			t.Error(err)
			return nil
		}
		resp, err := a.Respond(reqDER)
		if err != nil {
			t.Error(err)
		}
		return resp
	}
}

// testPKI is a second, independent TSA built straight on crypto/x509 and
// pkcs7, so that Verify meets tokens our Authority would never produce.
type testPKI struct {
	root, cert *x509.Certificate
	key        crypto.Signer
	roots      *x509.CertPool
}

var (
	oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidCodeSigning  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	oidSHA1         = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

func ekuExtension(t testing.TB, critical bool, oids ...asn1.ObjectIdentifier) pkix.Extension {
	der, err := asn1.Marshal(oids)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: critical, Value: der}
}

// newTestPKI issues a TSA certificate from a fresh root; adjust edits the
// leaf template, which starts out correct (critical timeStamping-only EKU).
func newTestPKI(t testing.TB, adjust func(*x509.Certificate)) *testPKI {
	t.Helper()
	now := time.Now()
	rootKey := mustKey(t)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	root := mustCert(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	key := mustKey(t)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test tsa"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(12 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		ExtraExtensions: []pkix.Extension{ekuExtension(t, true, oidTimeStamping)},
	}
	if adjust != nil {
		adjust(leaf)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	return &testPKI{root: root, cert: mustCert(t, leaf, root, key.Public(), rootKey), key: key, roots: roots}
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// forged describes the token a testPKI signs; zero fields take values
// copied from the request.
type forged struct {
	hash    asn1.ObjectIdentifier
	imprint []byte
	genTime time.Time
	signKey crypto.Signer // signs instead of the certified key
	essCert *x509.Certificate
}

type testTSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber *big.Int
	GenTime      time.Time `asn1:"generalized"`
	Nonce        *big.Int  `asn1:"optional"`
}

type testESSCertIDv2 struct {
	CertHash []byte
}

// answer signs a token for the request described by f.
func (p *testPKI) answer(t testing.TB, f forged) func([]byte) []byte {
	return func(reqDER []byte) []byte {
		req, err := timestamp.ParseRequest(reqDER)
		if err != nil {
			t.Error(err)
			return nil
		}
		var info testTSTInfo
		info.Version, info.Policy, info.SerialNumber, info.Nonce = 1, asn1.ObjectIdentifier{1, 2, 3}, big.NewInt(42), req.Nonce
		info.MessageImprint.HashAlgorithm = pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
		info.MessageImprint.HashedMessage = req.HashedMessage
		info.GenTime = time.Now().UTC().Truncate(time.Second)
		if f.hash != nil {
			info.MessageImprint.HashAlgorithm.Algorithm, info.MessageImprint.HashedMessage = f.hash, f.imprint
		}
		if !f.genTime.IsZero() {
			info.GenTime = f.genTime
		}
		return p.sign(t, info, f)
	}
}

func (p *testPKI) sign(t testing.TB, info testTSTInfo, f forged) []byte {
	content, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	sd.SetContentType(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4})
	essCert, key := p.cert, p.key
	if f.essCert != nil {
		essCert = f.essCert
	}
	if f.signKey != nil {
		key = f.signKey
	}
	certHash := sha256.Sum256(essCert.Raw)
	ess, err := asn1.Marshal(struct{ Certs []testESSCertIDv2 }{[]testESSCertIDv2{{CertHash: certHash[:]}}})
	if err != nil {
		t.Fatal(err)
	}
	err = sd.AddSigner(p.cert, key, pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}, Value: asn1.RawValue{FullBytes: ess}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	token, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := asn1.Marshal(struct {
		Status struct{ Status int }
		Token  asn1.RawValue
	}{Token: asn1.RawValue{FullBytes: token}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

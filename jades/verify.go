package jades

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Sentinel errors of Verify, one per check, so that a verifier can say
// which one failed.
var (
	ErrHeader    = errors.New("jades: malformed protected header")
	ErrReference = errors.New("jades: the signature does not cover this object")
	ErrSignature = errors.New("jades: the signature value does not verify")
	ErrChain     = errors.New("jades: the certificate chain is broken")
)

// Verified is what a valid signature establishes: the chain that signed it
// (signer first, as x5c carries it) and the claimed signing time.
type Verified struct {
	Chain       []*x509.Certificate
	SigningTime time.Time
}

// maxProtected bounds the header a verifier decodes (a chain of a few
// certificates is a few kilobytes).
const maxProtected = 64 << 10

// Verify checks sig over the object named ref whose exact bytes are data:
// the header is the one Sign writes (crit, sigT, sigD by URI hash, x5c with
// its x5t#S256), sigD references ref with SHA-256(data), the signature value
// verifies with x5c[0]'s key, each certificate of x5c is issued by the next
// and the signer's certificate was valid at the signing time. It does not
// decide whether the chain's root is trusted: that is the caller's
// anchor.
func Verify(sig Signature, ref string, data []byte) (Verified, error) {
	h, chain, err := decodeHeader(sig.Protected)
	if err != nil {
		return Verified{}, err
	}
	at, err := time.Parse(SigningTimeForm, h.SigT)
	if err != nil {
		return Verified{}, fmt.Errorf("%w: sigT %q is not a UTC time", ErrHeader, h.SigT)
	}
	sum := sha256.Sum256(data)
	d := h.SigD
	if d.MID != MechanismURIHash || d.HashM != HashSHA256 || len(d.Pars) != 1 || len(d.HashV) != 1 {
		return Verified{}, fmt.Errorf("%w: sigD is not one object referenced by URI and SHA-256", ErrHeader)
	}
	if d.Pars[0] != ref || d.HashV[0] != b64url.EncodeToString(sum[:]) {
		return Verified{}, fmt.Errorf("%w: it references %q with another digest", ErrReference, d.Pars[0])
	}
	if err := verifyValue(h, chain[0], sig); err != nil {
		return Verified{}, err
	}
	if err := verifyChain(chain, at); err != nil {
		return Verified{}, err
	}
	return Verified{Chain: chain, SigningTime: at}, nil
}

func decodeHeader(protected string) (Header, []*x509.Certificate, error) {
	if len(protected) > maxProtected {
		return Header{}, nil, fmt.Errorf("%w: %d bytes", ErrHeader, len(protected))
	}
	raw, err := b64url.DecodeString(protected)
	if err != nil {
		return Header{}, nil, fmt.Errorf("%w: not base64url", ErrHeader)
	}
	var h Header
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&h); err != nil {
		return Header{}, nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	if !slices.Equal(h.Crit, critical) {
		return Header{}, nil, fmt.Errorf("%w: crit must be %q, got %q", ErrHeader, critical, h.Crit)
	}
	if len(h.X5c) == 0 {
		return Header{}, nil, fmt.Errorf("%w: no x5c certificate chain", ErrHeader)
	}
	chain := make([]*x509.Certificate, len(h.X5c))
	for i, s := range h.X5c {
		der, err := base64.StdEncoding.DecodeString(s)
		if err == nil {
			chain[i], err = x509.ParseCertificate(der)
		}
		if err != nil {
			return Header{}, nil, fmt.Errorf("%w: x5c[%d]: %v", ErrHeader, i, err)
		}
	}
	thumb := sha256.Sum256(chain[0].Raw)
	if h.X5tS256 != b64url.EncodeToString(thumb[:]) {
		return Header{}, nil, fmt.Errorf("%w: x5t#S256 is not the thumbprint of x5c[0]", ErrHeader)
	}
	return h, chain, nil
}

func verifyValue(h Header, signer *x509.Certificate, sig Signature) error {
	alg, err := algorithmOf(signer.PublicKey)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrHeader, err)
	}
	if h.Alg != alg.name {
		return fmt.Errorf("%w: alg %q does not fit the signer's key (%s)", ErrHeader, h.Alg, alg.name)
	}
	value, err := b64url.DecodeString(sig.Signature)
	if err != nil || !alg.verify(signer.PublicKey, alg.digest([]byte(sig.Protected+".")), value) {
		return ErrSignature
	}
	return nil
}

func verifyChain(chain []*x509.Certificate, at time.Time) error {
	if at.Before(chain[0].NotBefore) || at.After(chain[0].NotAfter) {
		return fmt.Errorf("%w: the signer's certificate was not valid at the signing time %s", ErrChain, at.Format(time.RFC3339))
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return fmt.Errorf("%w: x5c[%d] is not issued by x5c[%d]: %v", ErrChain, i, i+1, err)
		}
	}
	return nil
}

func encodeHeader(h Header) (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("jades: header: %w", err)
	}
	return b64url.EncodeToString(b), nil
}

// Package jades signs and verifies detached JAdES signatures (ETSI TS 119
// 182-1, a JWS profile) over one JSON object, as ETSI EN 319 522-3 evidence
// carries them in its jadesSignature member.
//
// The signed object is referenced by hash, not carried as the JWS payload:
// the protected header's sigD names it (mechanism ObjectIdByURIHash: its URI
// in pars, its SHA-256 in hashV) and the JWS payload is empty. Any JOSE
// library checks the signature over the header alone; the caller compares
// hashV with the object's digest. The compact serialization of a signature
// is therefore `protected..signature`.
//
// It is a leaf: the standard library only, so that the seal (certs) and the
// offline verifier (audit) share one home for the format's rules.
package jades

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"
)

// Signature is a detached compact JAdES signature: the base64url protected
// header and signature value (the payload between them is empty).
type Signature struct {
	Protected string `json:"protected"`
	Signature string `json:"signature"`
}

// Compact returns the JWS compact serialization with the detached (empty)
// payload, `protected..signature`, as JOSE libraries read it.
func (s Signature) Compact() string { return s.Protected + ".." + s.Signature }

// Header is the protected header lre writes and accepts, in this field
// order: the algorithm, the signing certificate's SHA-256 thumbprint and its
// chain (signer first, base64 DER), the claimed signing time and the
// reference to the signed object. sigT and sigD are JAdES parameters that
// a plain JWS verifier does not know, so crit lists them (RFC 7515 4.1.11).
type Header struct {
	Alg     string   `json:"alg"`
	X5tS256 string   `json:"x5t#S256"`
	X5c     []string `json:"x5c"`
	SigT    string   `json:"sigT"`
	SigD    SigD     `json:"sigD"`
	Crit    []string `json:"crit"`
}

// SigD references the signed data objects by URI and hash (TS 119 182-1
// 5.2.8, mechanism ObjectIdByURIHash): hashV[i] is the base64url digest,
// with hashM, of the object pars[i], whose media type is ctys[i].
type SigD struct {
	MID   string   `json:"mId"`
	Pars  []string `json:"pars"`
	HashM string   `json:"hashM"`
	HashV []string `json:"hashV"`
	Ctys  []string `json:"ctys"`
}

// Fixed values of the header.
const (
	MechanismURIHash = "http://uri.etsi.org/19182/ObjectIdByURIHash"
	HashSHA256       = "S256"
	SigningTimeForm  = "2006-01-02T15:04:05Z" // sigT: UTC, whole seconds
)

// critical is what crit must list, in this order.
var critical = []string{"sigT", "sigD"}

var b64url = base64.RawURLEncoding

// Sign signs the object named ref, whose exact bytes are data (media type
// cty), with key, whose certificate is chain[0] (then its issuers), claiming
// signing time at. key may be any crypto.Signer (a file key, a PKCS#11
// token): ECDSA P-256/P-384/P-521 (ES256/384/512), RSA (PS256) or Ed25519
// (EdDSA). rand is passed to key.Sign.
func Sign(key crypto.Signer, chain []*x509.Certificate, at time.Time, ref, cty string, data []byte, rand io.Reader) (Signature, error) {
	if len(chain) == 0 {
		return Signature{}, errors.New("jades: no signing certificate")
	}
	alg, err := algorithmOf(key.Public())
	if err != nil {
		return Signature{}, err
	}
	if !publicKeysEqual(key.Public(), chain[0].PublicKey) {
		return Signature{}, errors.New("jades: the signing certificate does not hold the signing key's public key")
	}
	sum := sha256.Sum256(data)
	thumb := sha256.Sum256(chain[0].Raw)
	h := Header{
		Alg: alg.name, X5tS256: b64url.EncodeToString(thumb[:]), SigT: at.UTC().Format(SigningTimeForm),
		SigD: SigD{MID: MechanismURIHash, Pars: []string{ref}, HashM: HashSHA256, HashV: []string{b64url.EncodeToString(sum[:])}, Ctys: []string{cty}},
		Crit: critical,
	}
	for _, c := range chain {
		h.X5c = append(h.X5c, base64.StdEncoding.EncodeToString(c.Raw))
	}
	protected, err := encodeHeader(h)
	if err != nil {
		return Signature{}, err
	}
	sig, err := alg.sign(key, []byte(protected+"."), rand)
	if err != nil {
		return Signature{}, fmt.Errorf("jades: sign: %w", err)
	}
	return Signature{Protected: protected, Signature: b64url.EncodeToString(sig)}, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// algorithm is one JWS algorithm: its name, and how to sign and verify.
type algorithm struct {
	name   string
	hash   crypto.Hash // 0 for EdDSA, which signs the message itself
	size   int         // ECDSA: bytes of r and of s
	pss    bool
	verify func(pub crypto.PublicKey, digest, sig []byte) bool
}

func algorithmOf(pub crypto.PublicKey) (algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return ecAlg("ES256", crypto.SHA256, 32), nil
		case 384:
			return ecAlg("ES384", crypto.SHA384, 48), nil
		case 521:
			return ecAlg("ES512", crypto.SHA512, 66), nil
		}
		return algorithm{}, fmt.Errorf("jades: unsupported curve %s", k.Curve.Params().Name)
	case *rsa.PublicKey:
		return algorithm{name: "PS256", hash: crypto.SHA256, pss: true, verify: func(p crypto.PublicKey, d, s []byte) bool {
			return rsa.VerifyPSS(p.(*rsa.PublicKey), crypto.SHA256, d, s, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}}, nil
	case ed25519.PublicKey:
		return algorithm{name: "EdDSA", verify: func(p crypto.PublicKey, m, s []byte) bool {
			return ed25519.Verify(p.(ed25519.PublicKey), m, s)
		}}, nil
	}
	return algorithm{}, fmt.Errorf("jades: unsupported key type %T", pub)
}

func ecAlg(name string, h crypto.Hash, size int) algorithm {
	return algorithm{name: name, hash: h, size: size, verify: func(p crypto.PublicKey, d, s []byte) bool {
		if len(s) != 2*size {
			return false
		}
		return ecdsa.VerifyASN1(p.(*ecdsa.PublicKey), d, rawToASN1(s))
	}}
}

// digest is what the key signs: the hash of the signing input, or the input
// itself for EdDSA.
func (a algorithm) digest(input []byte) []byte {
	if a.hash == 0 {
		return input
	}
	h := a.hash.New()
	h.Write(input)
	return h.Sum(nil)
}

func (a algorithm) sign(key crypto.Signer, input []byte, rand io.Reader) ([]byte, error) {
	var opts crypto.SignerOpts = a.hash
	if a.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}
	}
	sig, err := key.Sign(rand, a.digest(input), opts)
	if err != nil || a.size == 0 {
		return sig, err
	}
	// crypto.Signer returns ECDSA signatures in ASN.1; JWS wants r || s.
	return asn1ToRaw(sig, a.size)
}

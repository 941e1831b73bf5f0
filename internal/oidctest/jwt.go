package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// b64 is the unpadded base64url of JOSE (RFC 7515 section 2).
var b64 = base64.RawURLEncoding

// sign makes a compact JWS of claims with the provider's key (or the
// foreign one). It is written here rather than taken from the library lre
// verifies with, so that a bug shared by signer and verifier cannot hide.
func (p *Provider) sign(claims map[string]any, foreign bool) (string, error) {
	key := p.key
	if foreign {
		key = p.foreign
	}
	header, err := json.Marshal(map[string]string{"alg": p.alg, "typ": "JWT", "kid": p.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, k, digest[:]); err == nil {
			sig = make([]byte, 64) // JWS ES256: R and S, 32 bytes each, big-endian
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	default:
		err = fmt.Errorf("oidctest: key type %T", key)
	}
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// jwk is the public half of the provider's key as RFC 7517 writes it.
func (p *Provider) jwk() map[string]string {
	k := map[string]string{"kid": p.kid, "use": "sig", "alg": p.alg}
	switch pub := p.key.Public().(type) {
	case *rsa.PublicKey:
		k["kty"], k["n"], k["e"] = "RSA", b64.EncodeToString(pub.N.Bytes()), b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		b, _ := pub.Bytes() // uncompressed point: 0x04 || X || Y
		k["kty"], k["crv"], k["x"], k["y"] = "EC", "P-256", b64.EncodeToString(b[1:33]), b64.EncodeToString(b[33:])
	}
	return k
}

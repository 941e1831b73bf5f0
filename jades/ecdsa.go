package jades

import (
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// asn1ToRaw turns an ASN.1 ECDSA-Sig-Value into JWS's fixed-width r || s
// (RFC 7518 3.4).
func asn1ToRaw(der []byte, size int) ([]byte, error) {
	var r, s big.Int
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(&r) || !seq.ReadASN1Integer(&s) || !seq.Empty() {
		return nil, errors.New("jades: the key returned a malformed ECDSA signature")
	}
	if r.Sign() <= 0 || s.Sign() <= 0 || len(r.Bytes()) > size || len(s.Bytes()) > size {
		return nil, errors.New("jades: the key returned an out-of-range ECDSA signature")
	}
	out := make([]byte, 2*size)
	r.FillBytes(out[:size])
	s.FillBytes(out[size:])
	return out, nil
}

// rawToASN1 is the inverse, for crypto/ecdsa's verifier.
func rawToASN1(raw []byte) []byte {
	half := len(raw) / 2
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(raw[:half]))
		b.AddASN1BigInt(new(big.Int).SetBytes(raw[half:]))
	})
	return b.BytesOrPanic()
}

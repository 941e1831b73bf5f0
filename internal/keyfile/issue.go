package keyfile

import (
	"io"
	"math/big"
)

// RandomPositive returns a 127-bit positive integer, for certificate serials
// and request nonces: far beyond the 64 bits RFC 3161 advises for nonces,
// within the 20 octets RFC 5280 allows for serials, and never zero because
// the second-highest bit is set.
func RandomPositive(rand io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, err
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}

package rfc3161

import (
	"crypto"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
)

// newRequest builds the DER TimeStampReq both timestampers send: SHA-256
// imprint, a fresh nonce so that a replayed answer is caught, and certReq so
// that the token carries its signer certificate and stays checkable offline.
func newRequest(digest []byte, rand io.Reader) ([]byte, *big.Int, error) {
	nonce, err := keyfile.RandomPositive(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("draw nonce: %w", err)
	}
	req := timestamp.Request{
		HashAlgorithm: crypto.SHA256,
		HashedMessage: digest,
		Certificates:  true,
		Nonce:         nonce,
	}
	der, err := req.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("encode time-stamp request: %w", err)
	}
	return der, nonce, nil
}

// checkDigest rejects a caller bug early: core.Timestamper takes SHA-256.
func checkDigest(digest []byte) error {
	if len(digest) != sha256.Size {
		return core.Errorf(core.EINVALID, "a time-stamp needs a %d-byte SHA-256 digest, got %d bytes", sha256.Size, len(digest))
	}
	return nil
}

// unavailable is the error core.Timestamper promises when no valid token
// came back: the caller keeps the work pending and retries later.
func unavailable(cause error, msg string) error {
	e := core.Errorf(core.EUNAVAILABLE, "%s", msg)
	e.Err = cause
	return e
}

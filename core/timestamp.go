package core

import (
	"context"
	"time"
)

// Token is a verified RFC 3161 timestamp over a deposit digest or another
// evidence artefact. DER holds the whole TimeStampResp exactly as received so
// that a third party can check it with `openssl ts -verify`.
type Token struct {
	DER       []byte    // the complete DER TimeStampResp
	Time      time.Time // genTime, UTC
	Serial    string    // the token's serial number, decimal
	TSA       string    // the authority's name (subject of the signing certificate)
	Policy    string    // the policy OID, dotted
	Qualified bool      // true only for a configured qualified authority
}

// Timestamper obtains a verified RFC 3161 token over a SHA-256 digest.
// Implementations verify every token before returning it (status, imprint,
// nonce, signature, timeStamping usage, chain). A failure returns an *Error
// with code EUNAVAILABLE when no authority answered with a valid token, so the
// caller can keep the work pending and retry later.
type Timestamper interface {
	Timestamp(ctx context.Context, digest []byte) (Token, error)
}

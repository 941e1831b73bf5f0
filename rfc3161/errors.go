package rfc3161

import "errors"

// Each verification check fails with its own sentinel so that callers and
// tests can tell with errors.Is which property a token lacked. Verify wraps
// exactly one of them in every error it returns. None of them is worth an
// immediate retry against the same authority except ErrStatus (the authority
// may be waiting or overloaded); the Client fails over on all of them because
// another authority may well answer correctly.
var (
	// ErrMalformed means the bytes are not a DER TimeStampResp holding a CMS
	// SignedData over a TSTInfo. Log the authority's URL: it is not speaking
	// RFC 3161, or something between us mangled the reply.
	ErrMalformed = errors.New("rfc3161: malformed time-stamp response")

	// ErrStatus means the authority answered but did not grant a token
	// (rejection, waiting, revocation). The error text carries its status
	// string and failure info; a different authority may still grant one.
	ErrStatus = errors.New("rfc3161: time-stamp not granted")

	// ErrWeakHash means the token uses a hash algorithm we do not accept as
	// evidence (SHA-1, MD5 or anything weaker than SHA-256), for the imprint
	// or for the signature digest. Configure a better authority.
	ErrWeakHash = errors.New("rfc3161: weak or unknown hash algorithm")

	// ErrImprint means the token time-stamps some other data than the digest
	// we asked for. Never store such a token.
	ErrImprint = errors.New("rfc3161: message imprint differs from the digest")

	// ErrNonce means the token does not echo the nonce we sent: it may be a
	// replay of an older answer. Never store such a token.
	ErrNonce = errors.New("rfc3161: nonce mismatch")

	// ErrSignature means no signer certificate could be found, the CMS
	// signature does not verify, or the ESS signing-certificate attribute
	// does not bind the signer certificate.
	ErrSignature = errors.New("rfc3161: invalid token signature")

	// ErrUsage means the signer certificate is not fit for time-stamping: its
	// extended key usage must be present, critical and timeStamping only, and
	// it must not be a CA (RFC 3161 section 2.3).
	ErrUsage = errors.New("rfc3161: signer certificate not restricted to time-stamping")

	// ErrChain means the signer certificate does not chain to a configured
	// root at the token's own time. Either the root is missing from the
	// configuration or the authority is not the one we trust.
	ErrChain = errors.New("rfc3161: signer certificate not trusted")
)

// reasons name the sentinels for metrics and logs, in a fixed vocabulary.
var reasons = []struct {
	err  error
	name string
}{
	{ErrGenTime, "gen_time"}, {ErrMalformed, "malformed"}, {ErrStatus, "status"}, {ErrWeakHash, "weak_hash"},
	{ErrImprint, "imprint"}, {ErrNonce, "nonce"}, {ErrSignature, "signature"}, {ErrUsage, "usage"}, {ErrChain, "chain"},
}

// reason names the check err failed, or "transport" when the authority gave
// no response to check (network, HTTP status, content type).
func reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "transport"
}

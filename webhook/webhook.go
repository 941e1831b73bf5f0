// Package webhook delivers lre's evidence events to integrators over HTTP.
// Each body is signed with HMAC-SHA256 under the webhook's secret, over
// "<unix time>.<body>", in the header
//
//	Lre-Signature: t=1767225600,v1=5257a869e7ec...
//
// Receivers recompute the HMAC (Verify does it), compare in constant time
// and reject timestamps too far from their clock, which defeats replays of
// captured requests. The client refuses loopback, private and link-local
// addresses after name resolution, follows no redirect, bounds every
// request in time and reads at most a few kilobytes of any answer.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of every delivery.
const (
	SignatureHeader = "Lre-Signature"
	DeliveryHeader  = "Lre-Delivery"
)

// Sign returns the Lre-Signature value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(mac(secret, t.Unix(), body)))
}

func mac(secret string, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verification failures. A receiver answers any of them with 400 and
// drops the request; lre retries only on its own failures.
var (
	ErrNoSignature  = errors.New("webhook: missing or malformed Lre-Signature header")
	ErrBadSignature = errors.New("webhook: signature does not match the body")
	ErrStale        = errors.New("webhook: signature timestamp outside the tolerance")
)

// Verify checks an Lre-Signature header against body and secret, and that
// its timestamp is within tolerance of now. Any v1 value may match, so a
// sender may sign with two secrets during a rotation.
func Verify(header, secret string, body []byte, now time.Time, tolerance time.Duration) error {
	var unix int64 = -1
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrNoSignature
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return ErrNoSignature
			}
			unix = n
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return ErrNoSignature
			}
			sigs = append(sigs, b)
		}
	}
	if unix < 0 || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	want := mac(secret, unix, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

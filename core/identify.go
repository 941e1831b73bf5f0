package core

import (
	"crypto/subtle"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// Identification methods and their eIDAS assurance levels. An email code
// only proves access to the mailbox, so it is "low"; an eID or wallet method
// (OpenID Connect) would add "substantial" or "high" through the same
// Identity value without touching the acceptance logic.
const (
	MethodEmailOTP     = "email_otp"
	MethodKnowledge    = "knowledge_check"
	AssuranceLow       = "low"
	otpValidity        = 10 * time.Minute
	otpTriesPerCode    = 5
	otpTriesPerLetter  = 10
	sessionValidity    = 30 * time.Minute
	maxKnowledgeAnswer = 200
)

// Identity is how a recipient was identified; it goes into every decision
// event and proof.
type Identity struct {
	Methods   []string `json:"methods"`
	Assurance string   `json:"assurance"`
	At        time.Time
	// Issuer and Subject name the identity provider and the pseudonymous
	// identifier it gave the person (OpenID Connect only); NameMatch is the
	// comparison of the name it returned with the recipient's (NameMatch.Result).
	Issuer    string `json:"issuer,omitempty"`
	Subject   string `json:"subject,omitempty"`
	NameMatch string `json:"name_match,omitempty"`
}

// Method joins the methods used, e.g. "email_otp+knowledge_check".
func (i Identity) Method() string { return strings.Join(i.Methods, "+") }

// Identification is the per-letter state of the recipient's identification:
// the hash of the current one-time code, its expiry and the wrong tries.
type Identification struct {
	CodeHash     []byte    `json:"code_hash,omitempty"`
	CodeExpires  time.Time `json:"code_expires,omitzero"`
	CodeTries    int       `json:"code_tries"`
	LetterTries  int       `json:"letter_tries"`
	Lockouts     int       `json:"lockouts"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	CodesSent    int       `json:"codes_sent"`
	CodeSeries   int       `json:"code_series"` // codes of the current series (codeDelay)
	LastCodeSent time.Time `json:"last_code_sent,omitzero"`
	// ProviderFailures counts refused identity-provider sign-ins, so that
	// the evidence records a bounded number of them.
	ProviderFailures int `json:"provider_failures,omitempty"`
}

// KnowledgeCheck is an optional question the sender set at deposit, whose
// answer the recipient must know (a client or contract number). Only the
// normalised answer's hash is kept.
type KnowledgeCheck struct {
	Question   string `json:"question"`
	AnswerHash []byte `json:"answer_hash"`
}

func normaliseAnswer(a string) string {
	return strings.ToUpper(strings.Join(strings.Fields(a), ""))
}

func knowledgeHash(noticeID, answer string) []byte {
	return HashSecret("knowledge:" + noticeID + ":" + normaliseAnswer(answer))
}

// checkKnowledge compares in constant time.
func (k *KnowledgeCheck) check(noticeID, answer string) bool {
	if k == nil {
		return true
	}
	return subtle.ConstantTimeCompare(knowledgeHash(noticeID, answer), k.AnswerHash) == 1
}

// newOTP returns a uniformly random 6-digit code.
func newOTP(rand io.Reader) (string, error) {
	n, err := randInt(rand, 1_000_000)
	if err != nil {
		return "", fmt.Errorf("one-time code: %w", err)
	}
	return fmt.Sprintf("%06d", n), nil
}

func randInt(r io.Reader, n int64) (int64, error) {
	var b [8]byte
	limit := new(big.Int).Lsh(big.NewInt(1), 64)
	limit.Sub(limit, new(big.Int).Mod(limit, big.NewInt(n)))
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		v := new(big.Int).SetBytes(b[:])
		if v.Cmp(limit) < 0 {
			return v.Mod(v, big.NewInt(n)).Int64(), nil
		}
	}
}

func otpHash(noticeID, code string) []byte {
	return HashSecret("otp:" + noticeID + ":" + strings.TrimSpace(code))
}

// lockFor grows with each lockout: 1, 2, 4, ... minutes, at most a day.
func lockFor(lockouts int) time.Duration {
	d := time.Minute << min(lockouts, 11)
	return min(d, 24*time.Hour)
}

package tlog

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
)

// Signer signs checkpoints with the log's Ed25519 note key. It is safe for
// concurrent use.
type Signer struct {
	signer   note.Signer
	verifier string
}

// Origin returns the log origin (and key name) for a provider: the words
// "<provider> lre evidence log" lower-cased and joined by dashes, since a
// note key name holds no spaces and c2sp.org/tlog-checkpoint wants the
// origin to be the key name.
func Origin(provider string) string {
	words := strings.FieldsFunc(strings.ToLower(provider+" lre evidence log"), func(r rune) bool {
		return !(r == '.' || r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	})
	return strings.Join(words, "-")
}

// NewSigner returns a signer over a note private key string and its
// verifier key (keyfile.LoadOrCreateLogSigner reads them from the data
// directory).
func NewSigner(skey, vkey string) (*Signer, error) { return newSigner(skey, vkey) }

func newSigner(skey, vkey string) (*Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
		return nil, errors.New("log key: the public key does not belong to the private key")
	}
	return &Signer{signer: s, verifier: strings.TrimSpace(vkey)}, nil
}

// Origin returns the log's origin, the name of its key.
func (s *Signer) Origin() string { return s.signer.Name() }

// VerifierKey returns the note verifier key that opens the checkpoints.
func (s *Signer) VerifierKey() string { return s.verifier }

// SignCheckpoint returns the signed note of the checkpoint (size, root).
func (s *Signer) SignCheckpoint(size uint64, root []byte) ([]byte, error) {
	body := Checkpoint{Origin: s.Origin(), Size: size, Root: root}.Marshal()
	b, err := note.Sign(&note.Note{Text: string(body)}, s.signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return b, nil
}

package tlog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
)

// Key files in the signer's directory. The private key never leaves it.
const (
	privateKeyFile = "checkpoint.key"
	publicKeyFile  = "checkpoint.pub"
)

// Signer signs checkpoints with the log's Ed25519 note key. It is safe for
// concurrent use.
type Signer struct {
	signer   note.Signer
	verifier string
}

var _ core.CheckpointSigner = (*Signer)(nil)

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

// LoadOrCreateSigner loads the note key kept in dir, or creates one named
// origin on first start (the private key with mode 0600). The origin is
// fixed at creation: a log's origin never changes, so a later provider name
// does not rename it. A directory holding only one of the two key files is
// an error, never overwritten: it may hold the only copy of the key.
func LoadOrCreateSigner(dir, origin string, rand io.Reader) (*Signer, error) {
	priv, pub := filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile)
	skey, err1 := os.ReadFile(priv)
	vkey, err2 := os.ReadFile(pub)
	switch {
	case err1 == nil && err2 == nil:
		return newSigner(string(skey), string(vkey))
	case !errors.Is(err1, fs.ErrNotExist) || !errors.Is(err2, fs.ErrNotExist):
		return nil, fmt.Errorf("log key in %s: found only part of the key files (%v; %v): restore them from a backup", dir, err1, err2)
	}
	s, v, err := note.GenerateKey(rand, origin)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if err := keyfile.WriteNew(priv, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if err := keyfile.WriteNew(pub, []byte(v+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return newSigner(s, v)
}

// NewSigner returns a signer over a note private key string and its
// verifier key (tests and tools; the service uses LoadOrCreateSigner).
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

// LoadVerifierKey reads the log's public note key from dir, as written by
// LoadOrCreateSigner, for tools that only verify.
func LoadVerifierKey(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, publicKeyFile))
	if err != nil {
		return "", fmt.Errorf("log key: %w", err)
	}
	vkey := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("log key %s: %w", filepath.Join(dir, publicKeyFile), err)
	}
	return vkey, nil
}

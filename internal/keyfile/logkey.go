package keyfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/lre-project/lre/tlog"
)

// Key files in the log key's directory. The private key never leaves it.
const (
	privateKeyFile = "checkpoint.key"
	publicKeyFile  = "checkpoint.pub"
)

// LoadOrCreateLogSigner loads the transparency log's signer: it loads the note key kept in dir, or creates one named
// origin on first start (the private key with mode 0600). The origin is
// fixed at creation: a log's origin never changes, so a later provider name
// does not rename it. A directory holding only one of the two key files is
// an error, never overwritten: it may hold the only copy of the key.
func LoadOrCreateLogSigner(dir, origin string, rand io.Reader) (*tlog.Signer, error) {
	priv, pub := filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile)
	skey, err1 := os.ReadFile(priv)
	vkey, err2 := os.ReadFile(pub)
	switch {
	case err1 == nil && err2 == nil:
		return tlog.NewSigner(string(skey), string(vkey))
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
	if err := WriteNew(priv, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if err := WriteNew(pub, []byte(v+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return tlog.NewSigner(s, v)
}

// LoadLogVerifierKey reads the log's public note key from dir, as written by
// LoadOrCreateLogSigner, for tools that only verify.
func LoadLogVerifierKey(dir string) (string, error) {
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

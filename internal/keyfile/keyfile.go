// Package keyfile keeps private keys and certificates in the data directory:
// the embedded time-stamping authority, the PDF seal, the log key and the
// master key all need the same few guarantees, so they live in one place. A
// key is never half written (atomic replace, or exclusive create), never
// readable by anyone but its owner, and a certificate is only believed when
// its key file holds the matching private key.
package keyfile

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PEM block types of the files this package writes: PKCS#8 keys and DER
// certificates, what openssl and NSS read without options.
const (
	keyBlock  = "PRIVATE KEY"
	certBlock = "CERTIFICATE"
)

// WriteAtomic replaces path with data, mode perm, through a temporary file in
// the same directory that is synced and then renamed: a crash leaves either
// the old file or the new one, never half a key.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(perm), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteNew creates path with data and mode perm, failing with an error that
// wraps fs.ErrExist when the file is already there: for a key generated once,
// where a second creator must not replace the first one's key.
// Errors from the file system name the path already.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// EncodePEM returns der as one PEM block of type blockType.
func EncodePEM(blockType string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
}

// ReadPair reads a certificate and its private key, as WritePair wrote them,
// refusing a key file that group or others may read (see ReadPrivate).
func ReadPair(keyPath, certPath string) (*x509.Certificate, crypto.Signer, error) {
	return OpenPair(Files{}, keyPath, certPath)
}

func readPEM[T any](path, blockType string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != blockType {
		return zero, fmt.Errorf("read %s: no %s PEM block", path, blockType)
	}
	v, err := parse(block.Bytes)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}

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

// WritePair writes key (PKCS#8 PEM, mode 0600) and then cert (PEM, mode
// 0644), each atomically. The certificate comes last so that its presence
// marks a completed pair.
func WritePair(keyPath, certPath string, key crypto.Signer, cert *x509.Certificate) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key for %s: %w", keyPath, err)
	}
	if err := WriteAtomic(keyPath, EncodePEM(keyBlock, der), 0o600); err != nil {
		return err
	}
	return WriteAtomic(certPath, EncodePEM(certBlock, cert.Raw), 0o644)
}

// ReadPair reads a certificate and its private key, as WritePair wrote them.
// It refuses a key file that group or others may read, as ssh does: a leaked
// authority or seal key lets anyone back-date or forge evidence.
func ReadPair(keyPath, certPath string) (*x509.Certificate, crypto.Signer, error) {
	info, err := os.Stat(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, nil, fmt.Errorf("key %s has mode %o, want 600", keyPath, perm)
	}
	cert, err := readPEM(certPath, certBlock, x509.ParseCertificate)
	if err != nil {
		return nil, nil, err
	}
	k, err := readPEM(keyPath, keyBlock, x509.ParsePKCS8PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("read key %s: %T cannot sign", keyPath, k)
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s does not hold the key of %s", filepath.Base(keyPath), filepath.Base(certPath))
	}
	return cert, key, nil
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

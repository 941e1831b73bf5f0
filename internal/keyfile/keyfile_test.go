package keyfile_test

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/internal/keyfile"
)

func TestWriteAtomicLeavesOnlyTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.key")
	for _, data := range []string{"first", "second"} {
		if err := keyfile.WriteAtomic(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "k.key" {
		t.Errorf("directory holds %v, want only k.key", entries)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "second" {
		t.Errorf("content %q, %v: want the last write", b, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", info.Mode().Perm())
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "k.key")
	if err := keyfile.WriteAtomic(path, []byte("x"), 0o600); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("write into a missing directory: %v, want an error naming the path", err)
	}
}

func TestWriteNewRefusesExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "content.key")
	if err := keyfile.WriteNew(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := keyfile.WriteNew(path, []byte("second"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second create: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("content %q: the first key was replaced", b)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", info.Mode().Perm())
	}
}

// writeRootAndLeaf issues a self-signed root and a leaf it signs, and writes
// both pairs into dir.
func writeRootAndLeaf(t *testing.T, dir string) (root, leaf *x509.Certificate) {
	t.Helper()
	now := time.Now()
	rootTmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: "test root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	root, rootKey, err := keyfile.GeneratePair(keyfile.Files{}, filepath.Join(dir, "root.key"), filepath.Join(dir, "root.pem"), rootTmpl, nil, nil, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: "test leaf"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leaf, _, err = keyfile.GeneratePair(keyfile.Files{}, filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.pem"), leafTmpl, root, rootKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return root, leaf
}

func TestGeneratePairSignsWithParent(t *testing.T) {
	root, leaf := writeRootAndLeaf(t, t.TempDir())
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Errorf("root is not self-signed: %v", err)
	}
	if err := leaf.CheckSignatureFrom(root); err != nil {
		t.Errorf("leaf is not signed by the root: %v", err)
	}
	if leaf.Subject.CommonName != "test leaf" || leaf.Issuer.CommonName != "test root" {
		t.Errorf("leaf subject %s issuer %s", leaf.Subject, leaf.Issuer)
	}
	if leaf.SerialNumber.Sign() <= 0 || leaf.SerialNumber.Cmp(root.SerialNumber) == 0 {
		t.Errorf("serials root %v leaf %v: want positive and distinct", root.SerialNumber, leaf.SerialNumber)
	}
}

func TestReadPairRoundTrip(t *testing.T) {
	dir := t.TempDir()
	_, leaf := writeRootAndLeaf(t, dir)
	for name, want := range map[string]os.FileMode{"leaf.key": 0o600, "leaf.pem": 0o644} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: %v, want mode %o", name, err, want)
		}
	}
	cert, key, err := keyfile.ReadPair(filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Equal(leaf) {
		t.Error("read another certificate than the one written")
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
		t.Error("read another key than the one written")
	}
}

func TestReadPairRefuses(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(dir string) error
		want  string
	}{
		{"key readable by others", func(dir string) error { return os.Chmod(filepath.Join(dir, "leaf.key"), 0o644) }, "mode 644"},
		{"key readable by group", func(dir string) error { return os.Chmod(filepath.Join(dir, "leaf.key"), 0o640) }, "mode 640"},
		{"missing key", func(dir string) error { return os.Remove(filepath.Join(dir, "leaf.key")) }, "read key"},
		{"key of another certificate", func(dir string) error {
			return os.Rename(filepath.Join(dir, "root.key"), filepath.Join(dir, "leaf.key"))
		}, "does not hold the key"},
		{"corrupt certificate", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "leaf.pem"), []byte("x"), 0o644)
		}, "no CERTIFICATE PEM block"},
		{"certificate in the key file", func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, "leaf.pem"))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "leaf.key"), b, 0o600)
		}, "no PRIVATE KEY PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRootAndLeaf(t, dir)
			if err := tt.spoil(dir); err != nil {
				t.Fatal(err)
			}
			_, _, err := keyfile.ReadPair(filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.pem"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadPair: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestRandomPositive(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n, err := keyfile.RandomPositive(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if n.Sign() <= 0 || n.BitLen() != 127 || seen[n.String()] {
			t.Fatalf("%v: want a fresh positive 127-bit integer", n)
		}
		seen[n.String()] = true
	}
	if _, err := keyfile.RandomPositive(strings.NewReader("short")); err == nil {
		t.Error("a short random source gave a number")
	}
}

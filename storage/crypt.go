package storage

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/storage/kv"
)

// Contents at rest. Each letter's body and attachments are sealed with
// AES-256-GCM under a random key of the letter's own; that letter key is
// sealed under the master key in DATA/content.key and kept in
// bktContentKeys. Purging a letter deletes its key and its ciphertext
// (crypto-shredding); manifest, digests, token and events stay. Webhook
// secrets are sealed under the master key too, so a copy of lre.db alone
// reveals neither contents nor secrets.
var (
	bktContentKeys = []byte("content_keys") // notice id -> sealed letter key
	bktRetention   = []byte("retention")    // submission time | notice id -> nil while content is stored
	bktPurged      = []byte("purged")       // notice id -> nil once content was destroyed
)

// MasterKeyFile is the master key's file name in the data directory: 64 hex
// digits, mode 0600. Back it up apart from lre.db; without it no content
// and no webhook secret can be read.
const MasterKeyFile = "content.key"

// sealVersion prefixes every sealed value so the format can evolve.
const sealVersion = 1

// keyring holds the master key. It is nil for a read-only store opened on
// a directory without content.key (log verification of a copy).
type keyring struct {
	master cipher.AEAD
}

// loadKeyring reads the master key, creating it only for a store that
// holds no letter yet: afterwards its loss is an ErrKeyMissing to repair.
func loadKeyring(dir string, readOnly bool, e kv.Engine) (*keyring, error) {
	path := filepath.Join(dir, MasterKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if readOnly {
			return nil, nil
		}
		holds, herr := holdsData(e)
		if herr != nil {
			return nil, herr
		}
		if holds {
			return nil, fmt.Errorf("%w: %s is missing, and the letters' contents and webhook secrets are sealed under it; "+
				"restore it from your key backup into %s (a new key would make them unreadable), then start lre again", ErrKeyMissing, path, dir)
		}
		b, err = createMasterKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("master key %s: want 64 hex digits", path)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &keyring{master: aead}, nil
}

// createMasterKey writes a new random key; a concurrent creator wins.
func createMasterKey(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	text := []byte(hex.EncodeToString(key) + "\n")
	err := keyfile.WriteNew(path, text, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return text, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns version | nonce | ciphertext of plain, bound to aad.
func seal(a cipher.AEAD, plain []byte, aad string) ([]byte, error) {
	return sealAppend(a, make([]byte, 0, sealedSize(a, len(plain))), plain, aad)
}

// sealAppend appends version | nonce | ciphertext of plain to dst.
func sealAppend(a cipher.AEAD, dst, plain []byte, aad string) ([]byte, error) {
	start := len(dst)
	dst = append(dst, sealVersion)
	dst = append(dst, make([]byte, a.NonceSize())...)
	nonce := dst[start+1:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return a.Seal(dst, nonce, plain, []byte(aad)), nil
}

// sealedSize is the length of a sealed value of n plain bytes.
func sealedSize(a cipher.AEAD, n int) int { return 1 + a.NonceSize() + n + a.Overhead() }

func unseal(a cipher.AEAD, sealed []byte, aad string) ([]byte, error) {
	n := a.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, errors.New("sealed value malformed")
	}
	return a.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(aad))
}

func (k *keyring) ready() error {
	if k == nil {
		return fmt.Errorf("%s missing from the data directory: contents and webhook secrets cannot be read", MasterKeyFile)
	}
	return nil
}

// sealedDeposit is a deposit's contents as stored.
type sealedDeposit struct {
	key      []byte            // the letter key, sealed under the master key
	contents map[string][]byte // Document.Key -> sealed bytes
	buf      *[]byte           // the pooled buffer contents point into, if any
}

// release gives the buffer of the sealed contents back once they are in
// their segment file: nothing reads them after that. Contents that a
// transaction stores itself (no content files) are never pooled.
func (s *sealedDeposit) release() {
	if s.buf != nil {
		sealBuffers.Put(s.buf)
		s.buf, s.contents = nil, nil
	}
}

// sealBuffers hold the sealed copies of deposits between sealing and the
// segment write. A fresh copy per letter was a sixth of the bytes a 100 KB
// deposit allocated (BenchmarkNoticeCreate, -memprofile), zeroed by the
// runtime before being overwritten and then left to the collector.
var sealBuffers = sync.Pool{New: func() any { return new([]byte) }}

// sealDeposit encrypts a deposit's contents under a fresh letter key. It
// runs before the transaction: bbolt may run a batch function twice. With
// pooled, the sealed contents share one buffer from sealBuffers, to be
// released once written.
func (k *keyring) sealDeposit(id string, contents map[string][]byte, pooled bool) (sealedDeposit, error) {
	if err := k.ready(); err != nil {
		return sealedDeposit{}, err
	}
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return sealedDeposit{}, err
	}
	a, err := newAEAD(dek)
	if err != nil {
		return sealedDeposit{}, err
	}
	// every document of the letter goes into one buffer: pooled, or fresh
	// when the transaction keeps the bytes (no content files)
	need := 0
	for _, b := range contents {
		need += sealedSize(a, len(b))
	}
	out := sealedDeposit{contents: make(map[string][]byte, len(contents))}
	var buf []byte
	if pooled {
		out.buf = sealBuffers.Get().(*[]byte)
		if cap(*out.buf) < need {
			*out.buf = make([]byte, 0, need)
		}
		buf = (*out.buf)[:0]
	} else {
		buf = make([]byte, 0, need)
	}
	for key, b := range contents {
		start := len(buf)
		if buf, err = sealAppend(a, buf, b, contentAAD(id, key)); err != nil {
			out.release()
			return sealedDeposit{}, err
		}
		out.contents[key] = buf[start:len(buf):len(buf)]
	}
	out.key, err = seal(k.master, dek, "lre-letter-key-v1\x00"+id)
	if err != nil {
		out.release()
	}
	return out, err
}

func contentAAD(id, key string) string { return "lre-content-v1\x00" + id + "/" + key }

// putContents stores the reference to n's bytes in a content segment (written before
// the transaction), or the sealed contents themselves on a store without
// content files (PostgreSQL), then the letter key and the retention index
// entry of n.
func putContents(tx kv.Tx, n core.Notice, ref *contentRef, s sealedDeposit) error {
	if ref != nil {
		if err := putRef(tx, n.ID, *ref); err != nil {
			return err
		}
	}
	for key, b := range s.contents {
		if ref != nil {
			break
		}
		if err := tx.Bucket(bktContents).Put(contentKey(n.ID, key), b); err != nil {
			return fmt.Errorf("save content %s: %w", key, err)
		}
	}
	if err := tx.Bucket(bktContentKeys).Put([]byte(n.ID), s.key); err != nil {
		return fmt.Errorf("save content key: %w", err)
	}
	if err := tx.Bucket(bktRetention).Put(timeKey(n.SubmittedAt, n.ID), nil); err != nil {
		return fmt.Errorf("save retention index: %w", err)
	}
	return nil
}

// readContent decrypts one document of notice id inside tx. Contents
// stored before encryption existed have no letter key and are read as is.
func (db *DB) readContent(tx kv.Tx, id, key string) ([]byte, error) {
	k := db.keys
	v, found, err := db.sealedContent(tx, id, key)
	if err != nil {
		return nil, err
	}
	if !found {
		if tx.Bucket(bktPurged).Get([]byte(id)) != nil {
			return nil, core.Errorf(core.EGONE, "the content of letter %s was deleted at the end of its retention period; its proofs remain", id)
		}
		return nil, core.Errorf(core.ENOTFOUND, "no document %q in letter %q", key, id)
	}
	wrapped := tx.Bucket(bktContentKeys).Get([]byte(id))
	if wrapped == nil {
		return v, nil
	}
	if err := k.ready(); err != nil {
		return nil, err
	}
	dek, err := unseal(k.master, wrapped, "lre-letter-key-v1\x00"+id)
	if err != nil {
		return nil, fmt.Errorf("open letter key of %s: %w", id, err)
	}
	a, err := newAEAD(dek)
	if err != nil {
		return nil, err
	}
	b, err := unseal(a, v, contentAAD(id, key))
	if err != nil {
		return nil, fmt.Errorf("decrypt %s/%s: %w", id, key, err)
	}
	return b, nil
}

// purgeContent destroys the letter key and every document of notice id,
// or the reference to its bytes in a segment, which the caller removes
// after the commit once no reference names it (purgedSegments).
func purgeContent(tx kv.Tx, id string) error {
	n, err := getNotice(tx, id)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bktContentKeys).Delete([]byte(id)); err != nil {
		return fmt.Errorf("purge %s: %w", id, err)
	}
	if err := dropRef(tx, id); err != nil {
		return fmt.Errorf("purge %s: %w", id, err)
	}
	prefix := []byte(id + "/")
	var keys [][]byte
	c := tx.Bucket(bktContents).Cursor()
	for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
		keys = append(keys, clone(k))
	}
	for _, k := range keys {
		if err := tx.Bucket(bktContents).Delete(k); err != nil {
			return fmt.Errorf("purge %s: %w", id, err)
		}
	}
	if err := tx.Bucket(bktRetention).Delete(timeKey(n.SubmittedAt, n.ID)); err != nil {
		return fmt.Errorf("purge %s: %w", id, err)
	}
	return tx.Bucket(bktPurged).Put([]byte(id), nil)
}

// ContentExpiring lists letters submitted before cutoff whose content is
// still stored, oldest first.
func (db *DB) ContentExpiring(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	var out []string
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktRetention).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if len(k) < 8 || !timeOfKey(k).Before(cutoff) {
				break
			}
			out = append(out, string(k[8:]))
		}
		return nil
	})
	return out, err
}

// catchUpRetention indexes letters stored before the retention index
// existed, once.
func catchUpRetention(tx kv.Tx) error {
	meta := tx.Bucket(bktMeta)
	if meta.Get(keyRetentionIndexed) != nil {
		return nil
	}
	ret, purged := tx.Bucket(bktRetention), tx.Bucket(bktPurged)
	err := tx.Bucket(bktNotices).ForEach(func(k, _ []byte) error {
		if purged.Get(k) != nil {
			return nil
		}
		n, err := getNotice(tx, string(k))
		if err != nil {
			return err
		}
		return ret.Put(timeKey(n.SubmittedAt, n.ID), nil)
	})
	if err != nil {
		return fmt.Errorf("index retention: %w", err)
	}
	return meta.Put(keyRetentionIndexed, []byte{1})
}

var keyRetentionIndexed = []byte("retention_indexed")

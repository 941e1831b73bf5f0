package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/lre-project/lre/storage/kv"
)

// migrateBatch is how many keys one transaction of a migration copies.
const migrateBatch = 500

// MigrateStats says what Migrate copied.
type MigrateStats struct {
	Buckets, Keys int
	Bytes         int64
}

// Migrate copies every bucket of src into dst, key for key, with their
// sequences, then checks that dst's evidence log verifies and ends on the
// same record as src's. dst must hold no evidence yet: a migration never
// merges two logs. Both stores must use the same master key (content.key),
// since sealed contents and secrets are copied as they are.
func Migrate(ctx context.Context, src, dst *DB) (MigrateStats, error) {
	var st MigrateStats
	if n := logSizeOf(dst); n != 0 {
		return st, fmt.Errorf("migrate: the target already holds %d evidence records; migrate into an empty store", n)
	}
	for _, name := range allBuckets {
		if bytes.Equal(name, bktSegmentLive) {
			continue // counted again by migrateContentFiles
		}
		if bytes.Equal(name, bktContentFiles) {
			if err := migrateContentFiles(src, dst, &st); err != nil {
				return st, fmt.Errorf("migrate content files: %w", err)
			}
			st.Buckets++
			continue
		}
		if err := copyBucket(src, dst, name, &st); err != nil {
			return st, fmt.Errorf("migrate bucket %s: %w", name, err)
		}
		st.Buckets++
	}
	want, err := src.VerifyLog(ctx)
	if err != nil {
		return st, fmt.Errorf("migrate: the source log does not verify: %w", err)
	}
	got, err := dst.VerifyLog(ctx)
	if err != nil {
		return st, fmt.Errorf("migrate: the copied log does not verify: %w", err)
	}
	if got != want || !bytes.Equal(headHash(src), headHash(dst)) {
		return st, fmt.Errorf("migrate: the copied log ends at record %d, the source's at %d", got, want)
	}
	return st, nil
}

// copyBucket copies one bucket in batches, each its own transaction on
// both sides, resuming after the last key copied.
func copyBucket(src, dst *DB, name []byte, st *MigrateStats) error {
	var after []byte
	for {
		type pair struct{ k, v []byte }
		var batch []pair
		var seq uint64
		err := src.kv.View(func(tx kv.Tx) error {
			b := tx.Bucket(name)
			if b == nil {
				return nil
			}
			seq = b.Sequence()
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(batch) < migrateBatch; k, v = c.Next() {
				batch = append(batch, pair{clone(k), clone(v)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = dst.kv.Update(func(tx kv.Tx) error {
			b := tx.Bucket(name)
			for _, p := range batch {
				if err := b.Put(p.k, p.v); err != nil {
					return err
				}
				st.Keys++
				st.Bytes += int64(len(p.k) + len(p.v))
			}
			if seq > b.Sequence() {
				return b.SetSequence(seq)
			}
			return nil
		})
		if err != nil || len(batch) < migrateBatch {
			return err
		}
		after = batch[len(batch)-1].k
	}
}

func logSizeOf(db *DB) uint64 {
	var n uint64
	db.kv.View(func(tx kv.Tx) error { n = logSize(tx); return nil })
	return n
}

func headHash(db *DB) []byte {
	var h []byte
	db.kv.View(func(tx kv.Tx) error { _, h = logHead(tx); h = clone(h); return nil })
	return h
}

// migrateContentFiles moves the documents of src's content segments into
// dst: appended to dst's segments when it has them, else (PostgreSQL) as the
// sealed values of bktContents, which is how a store without files keeps
// them. The sealed bytes are copied as they are.
func migrateContentFiles(src, dst *DB, st *MigrateStats) error {
	var refs []struct {
		id  string
		ref contentRef
	}
	err := src.kv.View(func(tx kv.Tx) error {
		b := tx.Bucket(bktContentFiles)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := decodeContentRef(v)
			if err != nil {
				return fmt.Errorf("letter %s: %w", k, err)
			}
			refs = append(refs, struct {
				id  string
				ref contentRef
			}{string(k), r})
			return nil
		})
	})
	if err != nil || len(refs) == 0 {
		return err
	}
	if src.files == nil {
		return errors.New("the source references content files but has none")
	}
	for _, r := range refs {
		docs := make(map[string][]byte, len(r.ref.docs))
		parts := make([][]byte, 0, len(r.ref.docs)) // in file order
		for _, d := range r.ref.docs {
			if docs[d.key], err = readAt(src.files, r.ref.name, d.off, d.len); err != nil {
				return err
			}
			parts = append(parts, docs[d.key])
		}
		var moved contentRef
		if dst.files != nil {
			keys := make([]string, len(r.ref.docs))
			for i, d := range r.ref.docs {
				keys[i] = d.key
			}
			if moved, err = appendParts(dst.files, keys, parts); err != nil {
				return err
			}
			defer dst.files.Release(moved.name)
		}
		err := dst.kv.Update(func(tx kv.Tx) error {
			if dst.files != nil {
				return putRef(tx, r.id, moved)
			}
			for key, b := range docs {
				if err := tx.Bucket(bktContents).Put(contentKey(r.id, key), b); err != nil {
					return err
				}
				st.Keys++
				st.Bytes += int64(len(b))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

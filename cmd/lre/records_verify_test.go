package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestLogVerifyNamesTamperedLetter changes one byte of a letter's stored
// record (not of the log) with bbolt directly, as someone with the file
// would, and expects lre log verify to fail naming that letter. The
// recipient's address is what later codes and reminders are mailed to.
func TestLogVerifyNamesTamperedLetter(t *testing.T) {
	f := newLogFixture(t, 3)
	original, err := os.ReadFile(filepath.Join(f.dir, "lre.db"))
	if err != nil {
		t.Fatal(err)
	}
	id := f.events[1].NoticeID
	// the deposit token is stored once, apart from the record updates rewrite
	for _, tt := range []struct{ name, bucket, field string }{
		{"recipient address", "notices", `"email":"bob@example.net"`},
		{"subject", "notices", `"subject":"Lettre 1"`},
		{"status", "notices", `"status":"deposited"`},
		{"timestamp serial", "notice_tokens", `"Serial":"`},
		{"timestamp token", "notice_tokens", `"DER":"MIIE`},
		{"submission time", "notices", `"submitted_at":"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.CopyFS(dir, os.DirFS(f.dir)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "lre.db"), original, 0o600); err != nil {
				t.Fatal(err)
			}
			flipInRecord(t, filepath.Join(dir, "lre.db"), tt.bucket, id, tt.field)
			out, _, err := runCLI(t, "log", "verify", "--data", dir)
			if err == nil {
				t.Fatalf("log verify accepted a changed letter record:\n%s", out)
			}
			if !strings.Contains(err.Error(), id) {
				t.Errorf("log verify: %v; want it to name letter %s", err, id)
			}
		})
	}
	out, _, err := runCLI(t, "log", "verify", "--data", f.dir)
	if err != nil || !strings.Contains(out, "letters OK: 3 stored records") {
		t.Errorf("the untouched original: %v\n%s", err, out)
	}
}

// flipInRecord changes the character after field's text (or its last
// character) in the record of id in bucket, keeping the JSON valid.
func flipInRecord(t *testing.T, path, bucket, id, field string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		rec := bytes.Clone(b.Get([]byte(id)))
		at := bytes.Index(rec, []byte(field))
		if at < 0 {
			t.Fatalf("%s not in the record %s", field, rec)
		}
		pos := at + len(field)
		if strings.HasSuffix(field, `"`) && !strings.HasSuffix(field, `:"`) {
			pos = at + len(field) - 2
		}
		switch c := rec[pos]; {
		case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
			rec[pos] = c + 1
		default:
			rec[pos] = c - 1
		}
		return b.Put([]byte(id), rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

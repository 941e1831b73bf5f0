package storage_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStoreRunsOnKV keeps every store method on the storage/kv engine: a
// method written against *bolt.Tx or db.bolt compiles, passes on bbolt and
// panics on PostgreSQL. Only the bbolt file's own chores (bucket creation,
// the file copy of a backup) may use bbolt directly.
func TestStoreRunsOnKV(t *testing.T) {
	direct := regexp.MustCompile(`\*bolt\.(Tx|Bucket|Cursor)\b|db\.bolt\.(View|Update|Batch)\(`)
	allowed := map[string]bool{"db.go": true, "backup.go": true}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || allowed[f] {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d uses bbolt directly; write it against kv.Tx (db.kv) so that it runs on PostgreSQL too: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

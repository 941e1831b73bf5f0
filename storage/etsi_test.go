package storage_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/pgtest"
	"github.com/lre-project/lre/storage"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// TestETSIEvidenceStore keeps each evidence once, on both engines: the
// first issued wins, so that two concurrent first downloads serve the same
// signed bytes ever after.
func TestETSIEvidenceStore(t *testing.T) {
	for _, engine := range []string{"bbolt", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := storage.Options{LockTimeout: time.Second}
			if engine == "postgres" {
				o.URL = pgtest.Shared(t).NewDatabase(t)
			}
			db, err := storage.Open(t.TempDir(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if _, err := db.StoredETSIEvidence(ctx, 7); core.ErrorCode(err) != core.ENOTFOUND {
				t.Fatalf("before issuance: %v, want ENOTFOUND", err)
			}
			if err := db.PutETSIEvidence(ctx, 7, []byte(`{"first":1}`)); err != nil {
				t.Fatal(err)
			}
			if err := db.PutETSIEvidence(ctx, 7, []byte(`{"second":2}`)); err != nil {
				t.Fatal(err)
			}
			b, err := db.StoredETSIEvidence(ctx, 7)
			if err != nil || string(b) != `{"first":1}` {
				t.Fatalf("stored %s, %v; want the first", b, err)
			}
			if _, err := db.StoredETSIEvidence(ctx, 8); core.ErrorCode(err) != core.ENOTFOUND {
				t.Fatalf("another record: %v", err)
			}
		})
	}
}

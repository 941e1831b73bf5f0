package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lre-project/lre/storage"
)

const migrateSummary = `Copy a bbolt store into an empty PostgreSQL store and verify the copy.

  lre migrate --from ./lre-data --to postgres://lre@db.internal/lre

Stop lre first. Every bucket is copied key for key (contents and secrets
stay sealed under DATA/content.key), then the copied evidence log is
re-verified and compared with the source's, and every checkpoint is checked
against the copied tree. Afterwards start lre with --data ./lre-data (for the
keys) and --store set to the same URL.`

// runMigrate is `lre migrate`.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("migrate", migrateSummary, stderr)
	var from, to string
	f.string(&from, "from", "LRE_DATA", "./lre-data", "data directory of the bbolt store to copy (its keys stay in use)")
	f.string(&to, "to", "LRE_STORE", "", "PostgreSQL URL of the empty target store (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if to == "" {
		return fmt.Errorf("--to is required: %w", errUsage)
	}
	src, err := storage.Open(from, storage.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := openStore(from, to, storage.Options{})
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	st, err := storage.Migrate(ctx, src, dst)
	if err != nil {
		return err
	}
	records, err := dst.VerifyLog(ctx)
	if err != nil {
		return err
	}
	cps, err := verifyCheckpoints(ctx, dst, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %d buckets, %d keys (%d bytes); evidence log of %d records and %d checkpoints verified on the target\n", st.Buckets, st.Keys, st.Bytes, records, cps)
	return nil
}

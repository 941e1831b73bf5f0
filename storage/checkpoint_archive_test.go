package storage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestCheckpointArchive: archive tokens are appended in order, a renewal
// that read a stale count is refused, and nothing else of the checkpoint
// changes.
func TestCheckpointArchive(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, t.TempDir())
	s := signer(t)
	logEvents(t, db, "a", 3)
	c3 := checkpoint(t, db, s)
	logEvents(t, db, "b", 2)
	checkpoint(t, db, s)
	if err := db.AddArchiveToken(ctx, 3, 0, token(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.AddArchiveToken(ctx, 3, 0, token(2)); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("a second renewal that read no archive token: %v, want ECONFLICT", err)
	}
	if err := db.AddArchiveToken(ctx, 3, 1, token(2)); err != nil {
		t.Fatal(err)
	}
	if err := db.AddArchiveToken(ctx, 4, 0, token(3)); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("archive token for a size never published: %v, want ENOTFOUND", err)
	}
	got, err := db.Checkpoint(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Archive) != 2 || got.Archive[0].Serial != token(1).Serial || got.Archive[1].Serial != token(2).Serial {
		t.Errorf("archive tokens read back as %+v, want tokens 1 then 2", got.Archive)
	}
	if !bytes.Equal(got.Note, c3.Note) || !bytes.Equal(got.Root, c3.Root) || !bytes.Equal(got.Token.DER, c3.Token.DER) || !got.PublishedAt.Equal(c3.PublishedAt) {
		t.Errorf("adding archive tokens changed the checkpoint: %+v, was %+v", got, c3)
	}
	for _, c := range []struct {
		after uint64
		limit int
		want  []uint64
	}{{0, 10, []uint64{3, 5}}, {0, 1, []uint64{3}}, {3, 10, []uint64{5}}, {5, 10, nil}} {
		cps, err := db.CheckpointsAfter(ctx, c.after, c.limit)
		var sizes []uint64
		for _, cp := range cps {
			sizes = append(sizes, cp.Size)
		}
		if err != nil || len(sizes) != len(c.want) || (len(sizes) > 0 && sizes[0] != c.want[0]) {
			t.Errorf("CheckpointsAfter(%d, %d) = %v, %v; want %v", c.after, c.limit, sizes, err, c.want)
		}
	}
}

package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/lre-project/lre/core/accounts"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/storage"
)

func openAccounts(t *testing.T) (*storage.DB, core.User) {
	t.Helper()
	db := storetest.Open(t, t.TempDir(), storage.Options{})
	u := core.User{ID: "usr_1", Email: "alice@example.org", Name: "Alice", Organisation: "ACME", Role: core.RoleSender, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := db.CreateUser(context.Background(), u, core.HashSecret("lre_first")); err != nil {
		t.Fatal(err)
	}
	return db, u
}

// The first key, made with the user, has no metadata: it is listed from
// the user record, gets a last use when used, and can be revoked.
func TestFirstKeyIsManaged(t *testing.T) {
	db, u := openAccounts(t)
	ctx := context.Background()
	hash := core.HashSecret("lre_first")
	keys, err := db.APIKeys(ctx, u.ID)
	if err != nil || len(keys) != 1 || keys[0].ID != accounts.APIKeyID(hash) || !keys[0].CreatedAt.Equal(u.CreatedAt) {
		t.Fatalf("keys %+v, %v", keys, err)
	}
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	for _, when := range []time.Time{at, at.Add(-time.Hour)} {
		if err := db.TouchAPIKey(ctx, hash, when); err != nil {
			t.Fatal(err)
		}
	}
	keys, _ = db.APIKeys(ctx, u.ID)
	if !keys[0].LastUsedAt.Equal(at) {
		t.Errorf("last use %s, want %s (an earlier time never goes back)", keys[0].LastUsedAt, at)
	}
	if err := db.RevokeAPIKey(ctx, "usr_other", keys[0].ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("revoke by another user: %v", err)
	}
	if err := db.RevokeAPIKey(ctx, u.ID, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UserByKeyHash(ctx, hash); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("revoked key still authenticates: %v", err)
	}
	if err := db.TouchAPIKey(ctx, hash, at.Add(time.Hour)); err != nil {
		t.Errorf("touching a revoked key: %v", err)
	}
	if keys, _ := db.APIKeys(ctx, u.ID); len(keys) != 0 {
		t.Errorf("keys after revocation: %+v", keys)
	}
}

// Opening a session forgets the user's expired ones; a new password
// forgets them all.
func TestSessionsArePurged(t *testing.T) {
	db, u := openAccounts(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	put := func(name string, at time.Time) {
		t.Helper()
		s := accounts.Session{UserID: u.ID, CreatedAt: at, LastSeen: at, Expires: at.Add(30 * time.Minute)}
		if err := db.PutSession(ctx, core.HashSecret(name), s); err != nil {
			t.Fatal(err)
		}
	}
	alive := func(name string) bool {
		_, err := db.Session(ctx, core.HashSecret(name))
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	put("old", t0)
	put("recent", t0.Add(20*time.Minute))
	put("new", t0.Add(40*time.Minute))
	if alive("old") || !alive("recent") || !alive("new") {
		t.Errorf("after a new session: old %v recent %v new %v", alive("old"), alive("recent"), alive("new"))
	}
	if err := db.DeleteSession(ctx, core.HashSecret("recent")); err != nil || alive("recent") {
		t.Fatalf("delete: %v", err)
	}
	if err := db.SetPassword(ctx, u.ID, accounts.PasswordHash{Algorithm: "argon2id"}, nil, t0); err != nil {
		t.Fatal(err)
	}
	if alive("new") {
		t.Error("a session survived a new password")
	}
}

package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/accounts"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
)

const goodPassword = "correct horse battery staple"

func accountHarness(t *testing.T) *lretest.Env {
	t.Helper()
	h := lretest.New(t, lretest.CheapPasswords)
	if err := h.Svc.Accounts.SetPassword(context.Background(), "Alice@Example.org", goodPassword); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestLogin(t *testing.T) {
	h := accountHarness(t)
	ctx := context.Background()
	u, token, err := h.Svc.Accounts.Login(ctx, " ALICE@example.org", goodPassword, "192.0.2.1")
	if err != nil || u.ID != h.Sender.ID {
		t.Fatalf("login: %v, %v", u, err)
	}
	if !strings.HasPrefix(token, "lrs_") || len(token) < 4+40 {
		t.Errorf("session id %q is not lrs_ and 200+ bits", token)
	}
	got, err := h.Svc.Accounts.SessionUser(ctx, token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("session user: %v, %v", got, err)
	}
	if _, err := h.DB.Session(ctx, []byte(token)); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the session id itself is a key in the store (%v): only its hash may be", err)
	}

	if _, _, err := h.Svc.Accounts.AddUser(ctx, "nopass@example.org", "No Password", "Cabinet Martin", core.RoleSender); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, c := range []struct{ email, pw string }{
		{"alice@example.org", "wrong password!!"},
		{"nobody@example.org", goodPassword},
		{"nopass@example.org", goodPassword},
		{"not an email", goodPassword},
		{"alice@example.org", ""},
	} {
		_, _, err := h.Svc.Accounts.Login(ctx, c.email, c.pw, "192.0.2.1")
		if core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("login %s: %v, want unauthorized", c.email, err)
		}
		msgs = append(msgs, core.ErrorMessage(err))
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Errorf("failed logins answer differently: %q vs %q", m, msgs[0])
		}
	}
}

func throttleWait(err error) time.Duration {
	var te *accounts.ThrottledError
	if errors.As(err, &te) {
		return te.Wait
	}
	return 0
}

func TestLoginThrottle(t *testing.T) {
	h := accountHarness(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", "wrong password!!", "192.0.2.1"); core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// The right password from another address is refused too while locked.
	_, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "198.51.100.7")
	if w := throttleWait(err); core.ErrorCode(err) != core.EUNAVAILABLE || w != 30*time.Second {
		t.Fatalf("6th attempt: %v (wait %s), want throttled for 30s", err, w)
	}
	h.Clock.Add(30 * time.Second)
	if _, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", "wrong again!!!", "192.0.2.1"); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("after the wait: %v", err)
	}
	_, _, err = h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "192.0.2.1")
	if w := throttleWait(err); w != time.Minute {
		t.Fatalf("after a 6th failure: wait %s (%v), want it doubled to 1m", w, err)
	}
	h.Clock.Add(time.Minute)
	if _, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("after the doubled wait, the right password: %v", err)
	}
	if _, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", "wrong once more", "192.0.2.1"); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("a success resets the account's count; got %v", err)
	}

	// One address guessing many accounts is throttled on its own count.
	for i := 0; i < 20; i++ {
		h.Svc.Accounts.Login(ctx, "guess"+string(rune('a'+i))+"@example.org", "whatever password", "203.0.113.9")
	}
	_, _, err = h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "203.0.113.9")
	if throttleWait(err) == 0 {
		t.Errorf("21st attempt from one address: %v, want throttled", err)
	}
	if _, _, err := h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("another address is not throttled: %v", err)
	}
}

func TestSessionTimeouts(t *testing.T) {
	h := accountHarness(t)
	ctx := context.Background()
	login := func() string {
		t.Helper()
		_, tok, err := h.Svc.Accounts.Login(ctx, "alice@example.org", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alive := func(tok string) bool {
		_, err := h.Svc.Accounts.SessionUser(ctx, tok)
		if err != nil && core.ErrorCode(err) != core.EUNAUTHORIZED {
			t.Fatal(err)
		}
		return err == nil
	}

	idle := login()
	h.Clock.Add(29 * time.Minute)
	if !alive(idle) {
		t.Fatal("session ended after 29 idle minutes")
	}
	h.Clock.Add(29 * time.Minute)
	if !alive(idle) {
		t.Fatal("a use pushes the idle timeout back")
	}
	h.Clock.Add(30 * time.Minute)
	if alive(idle) {
		t.Fatal("session alive after 30 idle minutes")
	}

	busy := login()
	for i := 0; i < 12*3-1; i++ {
		h.Clock.Add(20 * time.Minute)
		if !alive(busy) {
			t.Fatalf("busy session ended after %d minutes", (i+1)*20)
		}
	}
	h.Clock.Add(20 * time.Minute)
	if alive(busy) {
		t.Fatal("session alive after 12 hours, however busy")
	}

	out := login()
	if err := h.Svc.Accounts.Logout(ctx, out); err != nil {
		t.Fatal(err)
	}
	if alive(out) {
		t.Fatal("session alive after logout")
	}

	reset := login()
	if err := h.Svc.Accounts.SetPassword(ctx, "alice@example.org", "another long password"); err != nil {
		t.Fatal(err)
	}
	if alive(reset) {
		t.Fatal("session alive after a password change")
	}
	for _, bad := range []string{"", "lrs_", "lre_" + strings.Repeat("a", 52), "lrs_" + strings.Repeat("a", 200)} {
		if alive(bad) {
			t.Errorf("session %q accepted", bad)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	h := accountHarness(t)
	ctx := context.Background()
	for _, pw := range []string{"short", strings.Repeat("x", 1025), "\xff\xfe not utf-8 at all"} {
		if err := h.Svc.Accounts.SetPassword(ctx, "alice@example.org", pw); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("password %.12q: %v, want invalid", pw, err)
		}
	}
	if err := h.Svc.Accounts.SetPassword(ctx, "nobody@example.org", goodPassword); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	stored, err := h.DB.Password(ctx, h.Sender.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Algorithm != "argon2id" || len(stored.Salt) != 16 || len(stored.Key) != 32 || stored.Params.Memory != 64 {
		t.Errorf("stored hash %+v: want argon2id with its salt and parameters", stored)
	}
	if err := h.Svc.Accounts.SetPassword(ctx, "alice@example.org", goodPassword); err != nil {
		t.Fatal(err)
	}
	again, _ := h.DB.Password(ctx, h.Sender.ID)
	if string(again.Salt) == string(stored.Salt) {
		t.Error("the salt is reused across hashes")
	}
}

func TestAPIKeys(t *testing.T) {
	h := lretest.New(t)
	ctx := context.Background()
	other, _, err := h.Svc.Accounts.AddUser(ctx, "eve@example.net", "Eve", "Other Firm", core.RoleSender)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := h.Svc.Accounts.APIKeys(ctx, h.Sender)
	if err != nil || len(keys) != 1 || keys[0].Prefix != "lre_" {
		t.Fatalf("keys of a new user: %+v, %v; want the first key", keys, err)
	}
	h.Clock.Add(time.Second)
	k, secret, err := h.Svc.Accounts.CreateAPIKey(ctx, h.Sender, "CRM integration")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, k.Prefix) || len(k.Prefix) != 12 || k.Label != "CRM integration" {
		t.Errorf("key %+v does not describe its secret", k)
	}
	h.Clock.Add(90 * time.Second)
	if u, err := h.Svc.Accounts.Authenticate(ctx, secret); err != nil || u.ID != h.Sender.ID {
		t.Fatalf("new key: %v, %v", u, err)
	}
	keys, _ = h.Svc.Accounts.APIKeys(ctx, h.Sender)
	if len(keys) != 2 || keys[1].ID != k.ID || keys[1].LastUsedAt.IsZero() {
		t.Fatalf("keys: %+v, want the new one with its last use", keys)
	}
	if err := h.Svc.Accounts.RevokeAPIKey(ctx, other, k.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another user revokes my key: %v, want not found", err)
	}
	if err := h.Svc.Accounts.RevokeAPIKey(ctx, h.Sender, "key_zz"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("malformed id: %v", err)
	}
	if err := h.Svc.Accounts.RevokeAPIKey(ctx, h.Sender, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.Accounts.Authenticate(ctx, secret); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("revoked key: %v, want unauthorized", err)
	}
	if err := h.Svc.Accounts.RevokeAPIKey(ctx, h.Sender, keys[0].ID); err != nil {
		t.Errorf("revoking the first key: %v", err)
	}
	for i := 0; i < 20; i++ {
		if _, _, err := h.Svc.Accounts.CreateAPIKey(ctx, h.Sender, ""); err != nil {
			t.Fatalf("key %d: %v", i+1, err)
		}
	}
	if _, _, err := h.Svc.Accounts.CreateAPIKey(ctx, h.Sender, ""); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("21st key: %v, want conflict", err)
	}
}

func TestOrgUsers(t *testing.T) {
	h := lretest.New(t, lretest.CheapPasswords)
	ctx := context.Background()
	admin, _, err := h.Svc.Accounts.AddUser(ctx, "root@example.org", "Root", "Cabinet Martin", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	lone, _, _ := h.Svc.Accounts.AddUser(ctx, "lone@example.org", "Lone", "", core.RoleAdmin)
	foreign, _, _ := h.Svc.Accounts.AddUser(ctx, "boss@other.example", "Boss", "Other Firm", core.RoleAdmin)

	for _, who := range []core.User{h.Sender, lone} {
		if _, _, err := h.Svc.Accounts.CreateOrgUser(ctx, who, "x@example.org", "X", core.RoleSender); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Errorf("%s creates a user: %v, want forbidden", who.Email, err)
		}
		if _, err := h.Svc.Accounts.OrgUsers(ctx, who); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Errorf("%s lists users: %v, want forbidden", who.Email, err)
		}
	}
	u, inv, err := h.Svc.Accounts.CreateOrgUser(ctx, admin, "Carol@Example.org", "Carol", core.RoleAuditor)
	if err != nil {
		t.Fatal(err)
	}
	if u.Organisation != "Cabinet Martin" || u.Role != core.RoleAuditor || !strings.HasPrefix(inv.APIKey, "lre_") {
		t.Errorf("created %+v with %+v", u, inv)
	}
	token, ok := strings.CutPrefix(inv.PasswordURL, "https://lre.test/account/password/")
	if !ok || !inv.Expires.Equal(h.Clock.Now().Add(72*time.Hour)) {
		t.Fatalf("password link %q expiring %s", inv.PasswordURL, inv.Expires)
	}
	list, err := h.Svc.Accounts.OrgUsers(ctx, admin)
	if err != nil || len(list) != 3 {
		t.Fatalf("org users: %v, %v; want alice, root and carol", list, err)
	}
	if list, _ := h.Svc.Accounts.OrgUsers(ctx, foreign); len(list) != 1 || list[0].ID != foreign.ID {
		t.Errorf("another organisation's admin sees %v", list)
	}

	if _, err := h.Svc.Accounts.SetPasswordWithToken(ctx, token, "short"); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("short password: %v", err)
	}
	if got, err := h.Svc.Accounts.SetPasswordWithToken(ctx, token, goodPassword); err != nil || got.ID != u.ID {
		t.Fatalf("set password: %v, %v", got, err)
	}
	if _, err := h.Svc.Accounts.SetPasswordWithToken(ctx, token, goodPassword); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("link used twice: %v, want not found", err)
	}
	if _, _, err := h.Svc.Accounts.Login(ctx, "carol@example.org", goodPassword, ""); err != nil {
		t.Errorf("login with the chosen password: %v", err)
	}
	_, inv, _ = h.Svc.Accounts.CreateOrgUser(ctx, admin, "dan@example.org", "Dan", core.RoleSender)
	h.Clock.Add(72 * time.Hour)
	late, _ := strings.CutPrefix(inv.PasswordURL, "https://lre.test/account/password/")
	if _, err := h.Svc.Accounts.PasswordTokenUser(ctx, late); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("expired link: %v, want not found", err)
	}
}

// touchCounter counts the store's TouchAPIKey calls; everything else goes
// to the real store underneath.
type touchCounter struct {
	services.Store
	mu    sync.Mutex
	calls int
}

func (c *touchCounter) TouchAPIKey(ctx context.Context, hash []byte, at time.Time) error {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Store.TouchAPIKey(ctx, hash, at)
}

func (c *touchCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// TestAuthenticateRecordsUseOncePerMinute: many requests with one key in a
// minute ask the store to record its use once (a read transaction each,
// before); the next minute asks again and the key's last use moves on.
func TestAuthenticateRecordsUseOncePerMinute(t *testing.T) {
	ctx := context.Background()
	counter := &touchCounter{}
	h := lretest.Build(t, lretest.Fixture{WrapStore: func(db *storage.DB) services.Store {
		counter.Store = db
		return counter
	}}, lretest.CheapPasswords)
	k, secret, err := h.Svc.Accounts.CreateAPIKey(ctx, h.Sender, "CRM")
	if err != nil {
		t.Fatal(err)
	}
	lastUse := func() time.Time {
		keys, err := h.Svc.Accounts.APIKeys(ctx, h.Sender)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range keys {
			if o.ID == k.ID {
				return o.LastUsedAt
			}
		}
		t.Fatalf("key %s not listed: %+v", k.ID, keys)
		return time.Time{}
	}
	for range 20 {
		if _, err := h.Svc.Accounts.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if got := counter.count(); got != 1 {
		t.Errorf("20 requests in one minute recorded the key's use %d times, want 1", got)
	}
	first := lastUse()
	if !first.Equal(h.Clock.Now().Truncate(time.Minute)) {
		t.Errorf("last use %s, want the minute of the requests %s", first, h.Clock.Now().Truncate(time.Minute))
	}
	h.Clock.Add(time.Minute)
	for range 5 {
		if _, err := h.Svc.Accounts.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if got := counter.count(); got != 2 {
		t.Errorf("after a minute: %d records in all, want 2", got)
	}
	if got := lastUse(); !got.Equal(first.Add(time.Minute)) {
		t.Errorf("last use %s, want %s", got, first.Add(time.Minute))
	}
}

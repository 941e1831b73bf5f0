// Package pkcs11test creates throw-away SoftHSM tokens for tests: a real
// PKCS#11 implementation (Debian's softhsm2), not a mock of one.
package pkcs11test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lre-project/lre/internal/pkcs11key"
)

// Module paths where Debian and other distributions install SoftHSM.
var modules = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
}

// NewToken initialises a SoftHSM token in a temporary directory and returns
// how to open it. SOFTHSM2_CONF is set for the test (so the test cannot run
// in parallel with another that sets it). Without softhsm2 the test is
// skipped, or fails under CI=true, where it must be installed.
func NewToken(t testing.TB) pkcs11key.Config {
	t.Helper()
	module := ""
	for _, m := range modules {
		if _, err := os.Stat(m); err == nil {
			module = m
			break
		}
	}
	util, err := exec.LookPath("softhsm2-util")
	if module == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("softhsm2 not installed: apt-get install softhsm2")
		}
		t.Skip("softhsm2 not installed")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	cfg := pkcs11key.Config{Module: module, TokenLabel: "lre-test", PIN: "1234"}
	out, err := exec.Command(util, "--init-token", "--free", "--label", cfg.TokenLabel, "--pin", cfg.PIN, "--so-pin", "5678").CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	return cfg
}

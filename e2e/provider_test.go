package e2e_test

import (
	"strings"
	"testing"
	"time"
)

// TestProviderRequiredInPublic: outside development lre serve refuses to
// start without the provider's name and postal address and names both
// flags; on a loopback base URL it starts with a development name that
// no recipient could take for a real provider, never the bare "lre".
func TestProviderRequiredInPublic(t *testing.T) {
	t.Run("public base URL without provider", func(t *testing.T) {
		p := newProc(t, t.TempDir(), "--base-url", "https://lre.example.test", "--smtp", "127.0.0.1:1")
		if err := p.tryStart(15 * time.Second); err == nil || !strings.Contains(err.Error(), "exited") {
			t.Fatalf("lre serve started on a public base URL without a provider (%v)", err)
		}
		logs := p.logs.tail(10)
		for _, w := range []string{"--provider-name", "LRE_PROVIDER_NAME", "--provider-address", "LRE_PROVIDER_ADDRESS"} {
			if !strings.Contains(logs, w) {
				t.Errorf("the refusal does not name %s:\n%s", w, logs)
			}
		}
	})
	t.Run("public base URL with only the name", func(t *testing.T) {
		p := newProc(t, t.TempDir(), "--base-url", "https://lre.example.test", "--smtp", "127.0.0.1:1", "--provider-name", "Recommandé Numérique")
		if err := p.tryStart(15 * time.Second); err == nil {
			t.Fatal("lre serve started without --provider-address")
		}
		if logs := p.logs.tail(10); !strings.Contains(logs, "--provider-address") || strings.Contains(logs, "--provider-name (") {
			t.Errorf("the refusal should name only the missing --provider-address:\n%s", logs)
		}
	})
	t.Run("loopback: development defaults", func(t *testing.T) {
		p := newProc(t, t.TempDir())
		p.start()
		page := string(newClient(p.url(""), "", 5*time.Second).mustGet(t, "/").body)
		if !strings.Contains(page, "LRE-DEV") || !strings.Contains(page, p.url("")+" (dev)") {
			t.Errorf("the home page does not show the development provider and address:\n%s", page)
		}
		if strings.Contains(page, `<p class="brand">lre</p>`) {
			t.Errorf("the home page still brands itself lre")
		}
	})
}

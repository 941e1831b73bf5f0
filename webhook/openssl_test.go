package webhook_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/webhook"
)

// TestREADMERecipe checks the README's shell recipe for receivers:
// printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
// gives the v1 value of the signature.
func TestREADMERecipe(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is missing on CI")
		}
		t.Skip("openssl not installed")
	}
	body := `{"delivery_id":"42","seq":7,"type":"ConsignmentAcceptance"}`
	at := time.Unix(1795000000, 0)
	sig := webhook.Sign("whsec_example", at, []byte(body))
	cmd := exec.Command("sh", "-c", `printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"`)
	cmd.Env = append(os.Environ(), "T=1795000000", "BODY="+body, "SECRET=whsec_example")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	fields := strings.Fields(string(out))
	if want := "t=1795000000,v1=" + fields[len(fields)-1]; sig != want {
		t.Errorf("Sign = %s; the README recipe gives %s", sig, want)
	}
}

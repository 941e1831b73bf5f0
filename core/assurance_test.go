package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

// TestRequiredAssurance: the level a letter requires is the sender's,
// else the operator's consumer default, else low; it is refused when
// unknown, stored with the letter, and in the manifest (so under the
// deposit's timestamp) when above low, with the sender's birth date.
func TestRequiredAssurance(t *testing.T) {
	h := newHarness(t, services.WithIdentityPolicy(core.IdentityPolicy{ConsumerDefault: core.AssuranceSubstantial}))
	ctx := context.Background()
	req := func(level, rtype, birth string) core.DepositRequest {
		return core.DepositRequest{Sender: h.Sender, RecipientEmail: "carole@example.net", RecipientName: "Carole Petit", RecipientType: rtype,
			Subject: "Résiliation", Body: "Madame,", RequiredAssurance: level, RecipientBirthdate: birth}
	}
	if _, err := h.Svc.Consent.RequestConsent(ctx, h.Sender, "carole@example.net", "Carole Petit", "fr"); err != nil {
		t.Fatal(err)
	}
	h.process()
	var link string
	for _, m := range h.mailer.Sent() {
		if m.Kind == core.MailConsent {
			link = m.Link
		}
	}
	if _, err := h.Svc.Consent.SetConsent(ctx, link[strings.LastIndex(link, "/")+1:], true, core.Access{IP: "192.0.2.1"}); err != nil {
		t.Fatalf("consent: %v", err)
	}
	for _, tt := range []struct {
		name, level, rtype, birth string
		want, field               string
	}{
		{"default", "", "", "", core.AssuranceLow, ""},
		{"sender's choice", "high", "", "1980-02-29", core.AssuranceHigh, ""},
		{"consumer default", "", core.RecipientConsumer, "", core.AssuranceSubstantial, ""},
		{"consumer letter may ask less explicitly", "low", core.RecipientConsumer, "", core.AssuranceLow, ""},
		{"unknown level", "medium", "", "", "", "required_assurance"},
		{"bad birth date", "", "", "29/02/1980", "", "recipient_birthdate"},
		{"impossible birth date", "", "", "1981-02-29", "", "recipient_birthdate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Svc.Letters.CheckDeposit(ctx, req(tt.level, tt.rtype, tt.birth))
			var ce *core.Error
			if tt.field != "" {
				if core.ErrorCode(err) != core.EINVALID || !errors.As(err, &ce) || ce.Field != tt.field {
					t.Fatalf("CheckDeposit = %v, want EINVALID on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckDeposit: %v", err)
			}
			n, _, err := h.Svc.Letters.Deposit(ctx, req(tt.level, tt.rtype, tt.birth))
			if err != nil {
				t.Fatal(err)
			}
			if got := h.notice(n.ID).RequiredLevel(); got != tt.want {
				t.Errorf("stored level %q, want %q", got, tt.want)
			}
			m, _, err := core.Manifest(h.notice(n.ID))
			if err != nil {
				t.Fatal(err)
			}
			inManifest := strings.Contains(string(m), `"required_assurance":"`+tt.want+`"`)
			if inManifest != (tt.want != core.AssuranceLow) || strings.Contains(string(m), "1980-02-29") != (tt.birth != "") {
				t.Errorf("manifest %s: level or birth date not covered as expected", m)
			}
		})
	}
}

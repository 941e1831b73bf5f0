package certs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// TestRenderProviderIdentification: a receipt of a recipient identified
// through an identity provider, and a deposit by a sender who logged in
// through one, say so in words (pdftotext), issuer, pseudonymous subject
// and name match included, in French and English.
func TestRenderProviderIdentification(t *testing.T) {
	r := certs.NewRenderer(testSeal(t), nil)
	want := map[string][]string{
		"fr": {"identité numérique vérifiée par un fournisseur d’identité (OpenID Connect) (oidc)", "substantiel (eIDAS)",
			"Fournisseur d’identité : https://idp.example", "Identifiant pseudonyme chez ce fournisseur : pairwise-7f3a", "Nom comparé au destinataire désigné : concordant (match)"},
		"en": {"digital identity checked by an identity provider (OpenID Connect) (oidc)", "substantial (eIDAS)",
			"Identity provider: https://idp.example", "Pseudonymous identifier at that provider: pairwise-7f3a", "Name compared with the named recipient: matches (match)"},
	}
	senderWant := map[string][]string{
		"fr": {"Expéditeur authentifié par Méthode", "Fournisseur d’identité : https://idp.example", "pairwise-sender"},
		"en": {"Sender authenticated by Method", "Identity provider: https://idp.example", "pairwise-sender"},
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			c := certificate(t, core.CertReceipt, lang)
			c.Event.Details = map[string]string{
				"identification_method": "oidc", "assurance_level": "substantial", "recipient": c.Notice.Recipient.Email,
				"identification_issuer": "https://idp.example", "identification_subject": "pairwise-7f3a", "name_match": "match",
			}
			c.Events[len(c.Events)-1] = c.Event
			pdf, err := r.Render(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			for _, w := range want[lang] {
				if !strings.Contains(text, collapse(w)) {
					t.Errorf("receipt misses %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "identification_subject =") {
				t.Errorf("the subject is printed raw among other details too")
			}
			d := certificate(t, core.CertDeposit, lang)
			d.Event.Details = map[string]string{
				core.DetailSenderMethod: "oidc", core.DetailSenderAssurance: "substantial",
				"sender_authentication_issuer": "https://idp.example", "sender_authentication_subject": "pairwise-sender",
			}
			d.Events[0] = d.Event
			pdf, err = r.Render(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			text = pdfText(t, pdf)
			for _, w := range senderWant[lang] {
				if !strings.Contains(text, collapse(w)) {
					t.Errorf("deposit certificate misses %q:\n%s", w, text)
				}
			}
		})
	}
}

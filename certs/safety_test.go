package certs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
)

// TestSenderText renders text a sender controls that would break a careless
// renderer: markup, PDF string delimiters, escapes, control characters, and
// characters beyond Windows-1252 (which take the Unicode font path).
func TestSenderText(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*core.Certificate)
		want  []string // as pdftotext extracts them
		avoid []string
	}{
		{
			name: "markup and delimiters",
			edit: func(c *core.Certificate) {
				c.Notice.Sender.Name = `Robert"); <script>alert('x')</script> \ (par) \\ ) (`
				c.Notice.Subject = `<b>Objet</b> ) Tj ET BT (injected) Tj % \n`
				c.Notice.Documents[0].Name = `a) Tj /F1 99 Tf (b.pdf`
			},
			want: []string{`Robert"); <script>alert('x')</script> \ (par) \\ ) (`, `<b>Objet</b> ) Tj ET BT (injected) Tj % \n`, `a) Tj /F1 99 Tf (b.pdf`},
		},
		{
			name: "control characters cannot add lines",
			edit: func(c *core.Certificate) {
				c.Notice.Sender.Organisation = "ACME\nDestinataire : Quelqu’un d’autre\r\x00\x1b[31m\u202eevil"
			},
			want:  []string{"ACME Destinataire : Quelqu’un d’autre"},
			avoid: []string{"\x1b", "\u202e"},
		},
		{
			name: "beyond Windows-1252",
			edit: func(c *core.Certificate) {
				c.Notice.Recipient.Name = "Łukasz Żółć-Ελένη Παπαδοπούλου"
				c.Notice.Sender.Organisation = "Ковальский и партнёры ✓ 😀"
			},
			want: []string{"Łukasz Żółć-Ελένη Παπαδοπούλου", "Ковальский и партнёры ✓ �", "Preuve de réception", "« dernier rappel »"},
		},
	}
	r := certs.NewRenderer(testSeal(t), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := certificate(t, core.CertReceipt, "fr")
			tt.edit(&c)
			pdf, err := r.Render(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			for _, w := range tt.want {
				if !strings.Contains(text, collapse(w)) {
					t.Errorf("pdftotext misses %q in:\n%s", w, text)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(text, a) {
					t.Errorf("pdftotext shows %q", a)
				}
			}
			checkInfo(t, writeTemp(t, pdf), "Preuve de réception")
			checkSignature(t, writeTemp(t, pdf))
		})
	}
}

// TestManyDocuments spreads a certificate over several pages: every digest
// must still be printed whole, and the seal's widget stays on page 1.
func TestManyDocuments(t *testing.T) {
	c := certificate(t, core.CertDeposit, "en")
	for i := range 60 {
		name := fmt.Sprintf("Annexe %02d – pièce justificative avec un nom de fichier assez long pour passer à la ligne.pdf", i)
		c.Notice.Documents = append(c.Notice.Documents, core.Document{Name: name, MediaType: "application/pdf", Size: int64(1000 * i), SHA256: digest(name)})
	}
	pdf, err := certs.NewRenderer(testSeal(t), nil).Render(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, pdf)
	info := run(t, "pdfinfo", path)
	if strings.Contains(info, "Pages:           1\n") {
		t.Errorf("60 documents on one page?\n%s", info)
	}
	text := pdfText(t, pdf)
	for _, d := range c.Notice.Documents {
		if !strings.Contains(text, d.SHA256) {
			t.Errorf("digest of %s missing or broken", d.Name)
		}
	}
	checkSignature(t, path)
}

func TestRenderRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*core.Certificate)
	}{
		{"unknown kind", func(c *core.Certificate) { c.Kind = "birthday" }},
		{"event of another kind", func(c *core.Certificate) { c.Kind = core.CertRefusal }},
		{"no deposit token", func(c *core.Certificate) { c.Notice.Token = nil }},
		{"no manifest", func(c *core.Certificate) { c.Manifest = nil }},
		{"manifest of another letter", func(c *core.Certificate) { c.Manifest = append(c.Manifest, ' ') }},
	}
	r := certs.NewRenderer(testSeal(t), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := certificate(t, core.CertReceipt, "fr")
			tt.edit(&c)
			if _, err := r.Render(context.Background(), c); err == nil {
				t.Fatal("rendered")
			}
		})
	}
	if _, err := certs.NewRenderer(nil, nil).Render(context.Background(), certificate(t, core.CertReceipt, "fr")); err == nil {
		t.Fatal("rendered without a seal")
	}
}

// TestQualifiedProvider: the status line follows the provider, the token
// line follows the token.
func TestQualifiedProvider(t *testing.T) {
	c := certificate(t, core.CertDeposit, "fr")
	c.Provider.Qualified = true
	c.Notice.Token.Qualified = true
	pdf, err := certs.NewRenderer(nil, nil).RenderUnsigned(c)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if strings.Contains(text, "non qualifié") || !strings.Contains(text, "Service qualifié d’envoi recommandé électronique") ||
		!strings.Contains(text, "Horodatage qualifié oui") {
		t.Errorf("qualified provider rendered as:\n%s", text)
	}
}

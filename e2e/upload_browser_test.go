package e2e_test

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// uploadLimit is the server's largest letter in this test: small, so that
// a file just over it is quick to write and, were the check to let it
// through, to refuse.
const uploadLimit = 64 << 10

// TestBrowserUploadCheck plays a sender in headless Chromium, on a French
// page of the real binary started with --max-total-size 65536: a file too
// large is listed and refused in French before anything is uploaded, the
// form does not leave the page; a letter the server refuses comes back
// with the chosen file kept and the refused field's border in the error
// colour; the next try sends the kept file. The focus ring and the
// refused field are checked on the computed style, as drawn.
func TestBrowserUploadCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	chromium := needTool(t, "chromium")
	b := startBrowser(t, chromium)
	sk := startSink(t, behaviour{})
	dir := t.TempDir()
	p := newProc(t, dir)
	p.reconfigure("--smtp", sk.addr, "--smtp-starttls", "off", "--base-url", p.url(""), "--max-total-size", fmt.Sprint(uploadLimit))
	addAccount(t, dir, alice, cabinetOrg, "sender")
	p.start()
	base := p.url("")

	files := t.TempDir()
	big := filepath.Join(files, "dossier-complet.pdf")
	small := filepath.Join(files, "mise-en-demeure.pdf")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), uploadLimit+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(small, []byte("%PDF-1.4 mise en demeure\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	sender := openTab(t, b, "sender", time.Now().Add(scenarioTime))
	sender.open(base+"/login?lang=fr", http.StatusOK)
	sender.login(base, alice.email, alice.password)
	sender.open(base+"/app/letters/new", http.StatusOK)

	sender.do("focus the recipient's address", chromedp.Focus(chromedp.CSS("#recipient_email")))
	ring := computed(sender, "#recipient_email", "outlineStyle", "outlineWidth", "outlineColor")
	bg := computed(sender, "body", "backgroundColor")["backgroundColor"]
	if ring["outlineStyle"] != "solid" || ring["outlineWidth"] != "3px" {
		t.Errorf("focus ring %v, want a solid 3px outline", ring)
	}
	if c := rgbContrast(t, ring["outlineColor"], bg); c < 3 {
		t.Errorf("focus ring %s on %s: contrast %.2f:1, want 3:1", ring["outlineColor"], bg, c)
	}

	sender.do("choose a file too large", chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{big}))
	sender.do("wait for the check", chromedp.WaitVisible(chromedp.CSS("#attachments-check")))
	if got := sender.text("#attachments-check"); !strings.Contains(got, "Avec ces fichiers la lettre ferait 64,1 ko") || !strings.Contains(got, "la limite est de 64 ko") {
		t.Errorf("the check says %q, want the French size message", got)
	}
	if got := sender.text("#attachments-chosen"); !strings.Contains(got, "dossier-complet.pdf (64 ko)") {
		t.Errorf("the chosen files read %q", got)
	}
	if got := sender.attr("#attachments", "aria-invalid"); got != "true" {
		t.Errorf("the file input is not marked invalid: %q", got)
	}
	checkInvalidBorder(t, sender, "#attachments", bg)
	sender.fill("#recipient_email", "bob@example.net")
	sender.fill("#recipient_name", "Bob Martin")
	sender.fill("#subject", "Mise en demeure")
	sender.do("write and try to send", chromedp.SetValue(chromedp.CSS("#body"), "Madame, Monsieur,"), chromedp.Click(chromedp.CSS("#preview")))
	time.Sleep(300 * time.Millisecond)
	if loc := sender.location(); loc != base+"/app/letters/new" {
		t.Fatalf("the form left for %s with a file too large", loc)
	}

	sender.do("choose a file that fits, for a consumer without consent",
		chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{small}),
		chromedp.SetValue(chromedp.CSS("#recipient_type"), "consumer"))
	if n := sender.count("#attachments-check:not([hidden])"); n != 0 {
		t.Errorf("the check still refuses a file that fits: %q", sender.text("#attachments-check"))
	}
	sender.submit("#preview", http.StatusUnprocessableEntity)
	if got := sender.text("#kept-files"); !strings.Contains(got, "mise-en-demeure.pdf") {
		t.Fatalf("the refused letter did not keep the file: %q", got)
	}
	if got := sender.attr("#recipient_type", "aria-invalid"); got != "true" {
		t.Errorf("the refused select is not marked: %q", got)
	}
	checkInvalidBorder(t, sender, "#recipient_type", bg)

	sender.do("send to a professional", chromedp.SetValue(chromedp.CSS("#recipient_type"), "professional"))
	sender.submit("#preview", http.StatusOK)
	if got := sender.text("tr.part.attachment td.name"); got != "mise-en-demeure.pdf" {
		t.Errorf("the preview lists %q, want the kept file", got)
	}
	sender.submit("#send", http.StatusOK)
	checkPrint(t, sender, base)
}

// checkPrint prints the letter page to PDF as Chromium does for a
// lawyer's file: the status, what happens next and the proofs with their
// addresses written out, the technical details; no navigation, buttons or
// forms.
func checkPrint(t *testing.T, tb *tab, base string) {
	t.Helper()
	id := tb.text("#letter-id")
	ctx, cancel := tb.bounded()
	defer cancel()
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
	if err != nil {
		t.Fatalf("print the letter page: %v", err)
	}
	text := pdfText(t, res.Data)
	for _, w := range []string{"Page imprimée depuis " + base + "/app/letters/" + id, "Et maintenant ?", "Preuve de dépôt </app/letters/" + id + "/certificates/deposit.pdf>", "Détails techniques", "SubmissionAcceptance"} {
		if !strings.Contains(text, w) {
			t.Errorf("the printed letter page lacks %q:\n%s", w, text)
		}
	}
	for _, w := range []string{"Se déconnecter", "Nouvelle lettre", "Détails de la preuve", "Vérifier qu’un avis"} {
		if strings.Contains(text, w) {
			t.Errorf("the printed letter page shows %q (navigation, buttons or footer)", w)
		}
	}
}

// computed reads properties of sel's computed style.
func computed(tb *tab, sel string, props ...string) map[string]string {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const s = getComputedStyle(document.querySelector(%q)); return Object.fromEntries(%s.map(p => [p, s[p]])); })()`, sel, jsList(props))
	return tabValue(tb, "style of "+sel, chromedp.Evaluate[map[string]string](js))
}

func jsList(ss []string) string {
	return `["` + strings.Join(ss, `","`) + `"]`
}

// checkInvalidBorder wants sel drawn with a border in the error colour,
// 3:1 against the page, and an error edge around it.
func checkInvalidBorder(t *testing.T, tb *tab, sel, bg string) {
	t.Helper()
	st := computed(tb, sel, "borderTopColor", "boxShadow")
	if st["borderTopColor"] != "rgb(179, 38, 30)" || !strings.Contains(st["boxShadow"], "rgb(179, 38, 30)") {
		t.Errorf("refused %s is drawn with border %s and shadow %s, want the error colour #b3261e", sel, st["borderTopColor"], st["boxShadow"])
	}
	if c := rgbContrast(t, st["borderTopColor"], bg); c < 3 {
		t.Errorf("refused %s's border on %s: contrast %.2f:1", sel, bg, c)
	}
}

// rgbContrast is the WCAG 2.2 contrast ratio of two computed colours
// written rgb(r, g, b).
func rgbContrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := rgbLuminance(t, a), rgbLuminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func rgbLuminance(t *testing.T, c string) float64 {
	t.Helper()
	var r, g, b float64
	if _, err := fmt.Sscanf(c, "rgb(%g, %g, %g)", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", c, err)
	}
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

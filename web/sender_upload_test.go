package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

var keptField = regexp.MustCompile(`name="kept" value="([0-9a-f]{32})"`)

// keptOf returns the id of the files a refused preview kept, or "".
func keptOf(body string) string {
	if m := keptField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// keptNames are the file names the form lists as kept.
func keptNames(body string) []string {
	var names []string
	walk(body, func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == "kept-files" {
			var rec func(*html.Node)
			rec = func(n *html.Node) {
				if n.Type == html.ElementNode && attr(n, "class") == "document" && n.FirstChild != nil {
					names = append(names, n.FirstChild.Data)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					rec(c)
				}
			}
			rec(n)
		}
	})
	return names
}

// fileInput is the attributes of the compose form's file input.
func fileInput(body string) map[string]string {
	out := map[string]string{}
	walk(body, func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == "attachments" {
			for _, a := range n.Attr {
				out[a.Key] = a.Val
			}
		}
	})
	return out
}

// TestRefusedPreviewKeepsUploadedFiles: a preview refused for a field, for
// a file too many or for a file too large keeps the files already
// uploaded as a draft of the session, lists them, says why in the page's
// language, and the next try sends them with the new files only; the
// sender may drop them, and they expire with drafts.
func TestRefusedPreviewKeepsUploadedFiles(t *testing.T) {
	s := appSiteWith(t, []services.Option{services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: 64 << 10, MaxFiles: 3, MaxNameBytes: 40}))})
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	contract := upload{"contrat.pdf", "application/pdf", bytes.Repeat([]byte("%PDF contrat "), 100)}
	annex := upload{"annexe.txt", "text/plain", []byte("état des lieux")}

	bad := composeFields()
	bad["recipient_email"] = "bob at example"
	x := want(t, "bad email", b.preview(bad, "", contract, annex), http.StatusUnprocessableEntity)
	if got := keptNames(x.body); strings.Join(got, " ") != "contrat.pdf annexe.txt" {
		t.Fatalf("refused preview keeps %v, want both files", got)
	}
	if strings.Contains(x.body, "Choisissez à nouveau les fichiers") {
		t.Error("the form asks for the kept files again")
	}
	if in := fileInput(x.body); in["data-kept-files"] != "2" || in["data-kept-bytes"] != fmt.Sprint(len(contract.data)+len(annex.data)) {
		t.Errorf("the file check does not count the kept files: %v", in)
	}
	kept := keptOf(x.body)
	fixed := composeFields()
	fixed["kept"] = kept
	x = want(t, "preview with the kept files", b.preview(fixed, ""), http.StatusOK)
	if got, wantD := strings.Join(digestsOf(x.body), " "), strings.Join([]string{sha256Hex([]byte(fixed["body"])), sha256Hex(contract.data), sha256Hex(annex.data)}, " "); got != wantD {
		t.Fatalf("preview digests %s, want the body and both kept files %s", got, wantD)
	}
	x = want(t, "send", b.post("/app/letters", url.Values{"draft": {draftOf(t, x)}}), http.StatusSeeOther)
	n, err := s.db.Notice(context.Background(), strings.TrimPrefix(x.header.Get("Location"), "/app/letters/"))
	if err != nil || len(n.Documents) != 2 || n.Documents[0].Name != "contrat.pdf" || n.Documents[1].SHA256 != sha256Hex(annex.data) {
		t.Fatalf("sent %+v, %v", n.Documents, err)
	}
	want(t, "kept files are used once", b.preview(fixed, ""), http.StatusUnprocessableEntity)

	x = want(t, "a file too many", b.preview(composeFields(), "", contract, annex, annex, annex), http.StatusRequestEntityTooLarge)
	if got := keptNames(x.body); len(got) != 3 {
		t.Errorf("a file too many keeps %v, want the three read before it", got)
	}
	big := upload{"gros.pdf", "application/pdf", bytes.Repeat([]byte("x"), 65<<10)}
	x = want(t, "a file too large", b.preview(composeFields(), "", annex, big), http.StatusRequestEntityTooLarge)
	if got := keptNames(x.body); strings.Join(got, " ") != "annexe.txt" {
		t.Errorf("a file too large keeps %v, want the one before it", got)
	}
	if !strings.Contains(x.body, "La lettre dépasse la taille maximale de 64 ko") || !hasID(x.body, "form-error") {
		t.Errorf("the refusal is not in French:\n%s", x.body)
	}
	if in := fileInput(x.body); in["aria-invalid"] != "true" || !strings.Contains(in["aria-describedby"], "form-error") {
		t.Errorf("the refused file input is not marked: %v", in)
	}

	dropped := composeFields()
	dropped["kept"], dropped["kept_drop"] = keptOf(x.body), "1"
	x = want(t, "kept files dropped", b.preview(dropped, "", contract), http.StatusOK)
	if got := len(digestsOf(x.body)); got != 2 {
		t.Errorf("dropping the kept files previews %d parts, want the body and contrat.pdf", got)
	}

	x = want(t, "keep again", b.preview(bad, "", annex), http.StatusUnprocessableEntity)
	other := s.browser(t)
	other.login("alice@acme.example")
	stolen := composeFields()
	stolen["kept"] = keptOf(x.body)
	x2 := want(t, "another session's kept files", other.preview(stolen, ""), http.StatusUnprocessableEntity)
	if !strings.Contains(x2.body, "ont expiré au bout de 15 minutes") {
		t.Errorf("another session used the kept files:\n%s", x2.body)
	}
	s.clock.Add(16 * time.Minute)
	late := composeFields()
	late["kept"] = keptOf(x.body)
	x = want(t, "expired kept files", b.preview(late, ""), http.StatusUnprocessableEntity)
	if !strings.Contains(x.body, "Les fichiers gardés de l’essai précédent ont expiré au bout de 15 minutes") {
		t.Errorf("expired kept files, not said in French:\n%s", x.body)
	}
}

// TestFileCheckAttributes: the compose and batch forms give the browser's
// file check the limits the server enforces and its messages in the
// page's language, load it from /static under a CSP that allows no
// inline script, and serve it.
func TestFileCheckAttributes(t *testing.T) {
	s := appSiteWith(t, []services.Option{services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: 64 << 10, MaxFiles: 3, MaxNameBytes: 40}))})
	s.account(t, "alice@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("alice@acme.example")
	for _, tc := range []struct{ lang, tooLarge string }{
		{"fr", "Avec ces fichiers la lettre ferait %s ; la limite est de %s."},
		{"en", "With these files the letter would be %s; the limit is %s."},
	} {
		for _, page := range []string{"/app/letters/new", "/app/batches/new"} {
			x := want(t, page, b.get(page+"?lang="+tc.lang), http.StatusOK)
			in := fileInput(x.body)
			if in["data-max-total"] != "65536" || in["data-max-files"] != "3" || in["data-max-name"] != "40" || !strings.HasPrefix(in["data-msg-too-large"], tc.tooLarge) {
				t.Errorf("%s %s: file input %v", tc.lang, page, in)
			}
			if !strings.Contains(x.body, `<script src="/static/compose.js" defer></script>`) {
				t.Errorf("%s %s does not load the file check", tc.lang, page)
			}
			csp := x.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
				t.Errorf("%s: CSP %q", page, csp)
			}
		}
	}
	x := want(t, "script", b.get("/static/compose.js"), http.StatusOK)
	if ct := x.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || !strings.Contains(x.body, "data-max-total") {
		t.Errorf("compose.js: %s", ct)
	}
}

// TestRefusedBatchKeepsAttachments: a batch refused for its rows keeps the
// attachments already uploaded; the corrected recipients file goes with
// them on the next try.
func TestRefusedBatchKeepsAttachments(t *testing.T) {
	s := appSite(t)
	s.account(t, "syndic@acme.example", "ACME", core.RoleSender)
	b := s.browser(t)
	b.login("syndic@acme.example")
	convocation := upload{"convocation.pdf", "application/pdf", []byte("%PDF-1.4 convocation")}
	x := want(t, "bad rows", b.batchPreview("email,name\nnope,Nope\n", convocation), http.StatusUnprocessableEntity)
	if got := keptNames(x.body); strings.Join(got, " ") != "convocation.pdf" {
		t.Fatalf("the refused batch keeps %v", got)
	}
	checkPage(t, withoutGetForms(x.body))
	x = want(t, "preview", b.batchPreviewWith(coowners(3), map[string]string{"kept": keptOf(x.body)}), http.StatusOK)
	if !strings.Contains(x.body, sha256Hex(convocation.data)) {
		t.Errorf("the batch preview lacks the kept attachment:\n%s", x.body)
	}
}

package e2e_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeadlineZoneEverywhere runs lre serve with --deadline-tz
// America/New_York: the deadline ends at 23:59:59 in New York, and the
// recipient's page, the notification mail (filed by the dev mailbox) and
// the notification certificate (read with pdftotext) all write that same
// local time and name New York, where before they said Paris.
func TestDeadlineZoneEverywhere(t *testing.T) {
	needTool(t, "pdftotext")
	dir := t.TempDir()
	_, key := addSender(t, dir, "durand@cabinet.example")
	p := newProc(t, dir, "--deadline-tz", "America/New_York")
	p.start()
	c := newClient(p.url(""), key, 10*time.Second)
	id := depositOne(t, c, "TZ1")
	var notified time.Time
	waitFor(t, 10*time.Second, "the notification", func() bool {
		notified = notificationTime(t, c, id)
		return !notified.IsZero()
	})

	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	n := notified.In(ny)
	deadline := time.Date(n.Year(), n.Month(), n.Day()+15, 23, 59, 59, 0, ny) // R.53-3, counted in the configured zone
	day := frenchDay(deadline)

	msg := mailboxMessage(t, filepath.Join(dir, "mailbox"), id)
	if want := day + " à 23:59 (heure de New York)"; !strings.Contains(msg, want) {
		t.Errorf("the notification mail lacks %q:\n%s", want, msg)
	}
	link := regexp.MustCompile(`http://[^\s"]+/r/[A-Za-z0-9_-]+`).FindString(msg)
	if link == "" {
		t.Fatalf("no recipient link in the mail:\n%s", msg)
	}
	page := string(c.mustGet(t, strings.TrimPrefix(link, p.url(""))).body)
	if want := "jusqu’au " + day + " à 23:59, heure de New York"; !strings.Contains(page, want) {
		t.Errorf("the recipient page lacks %q:\n%s", want, page)
	}

	var pdf []byte
	waitFor(t, 10*time.Second, "the notification certificate", func() bool {
		r, err := c.do(context.Background(), http.MethodGet, "/api/v1/notices/"+id+"/certificates/notification.pdf", "", nil)
		pdf = r.body
		return err == nil && r.status == http.StatusOK
	})
	text := pdfText(t, pdf)
	if want := day + " à 23:59:59 (heure de New York, UTC" + deadline.Format("-07:00") + ")"; !strings.Contains(text, want) {
		t.Errorf("the certificate lacks %q:\n%s", want, text)
	}
	for what, s := range map[string]string{"mail": msg, "page": page, "certificate": text} {
		if strings.Contains(s, "heure de Paris") {
			t.Errorf("the %s still names Paris time", what)
		}
	}
}

// notificationTime is when the notification of id was accepted, zero
// while it has not been.
func notificationTime(t *testing.T, c *client, id string) time.Time {
	t.Helper()
	var out struct {
		Events []struct {
			Type string    `json:"type"`
			Time time.Time `json:"time"`
		} `json:"events"`
	}
	decode(t, c.mustGet(t, "/api/v1/notices/"+id+"/events"), &out)
	for _, e := range out.Events {
		if e.Type == "NotificationForAcceptance" {
			return e.Time
		}
	}
	return time.Time{}
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDay writes t's date as the French pages, mails and certificates
// do: "1er décembre 2026", "8 décembre 2026".
func frenchDay(t time.Time) string {
	d := t.Format("2")
	if d == "1" {
		d = "1er"
	}
	return d + " " + frenchMonths[t.Month()-1] + " " + t.Format("2006")
}

// mailboxMessage reads the text part of the dev mailbox's mail about id
// (its transfer encoding undone).
func mailboxMessage(t *testing.T, dir, id string) string {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.Contains(f.Name(), strings.ToLower(id)) {
			continue
		}
		raw, err := os.Open(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		m, err := mail.ReadMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				t.Fatalf("no text part in %s: %v", f.Name(), err)
			}
			if strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
				b, err := io.ReadAll(part)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
		}
	}
	t.Fatalf("no mail about %s in %s", id, dir)
	return ""
}

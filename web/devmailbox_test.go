package web_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/web"
)

// memMailbox is a DevMailbox in memory that remembers what was read.
type memMailbox struct {
	mu    sync.Mutex
	items []web.MailboxItem
	raw   map[string][]byte
	reads []string
}

func (m *memMailbox) List() ([]web.MailboxItem, error) {
	return slices.Clone(m.items), nil
}

func (m *memMailbox) Read(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads = append(m.reads, name)
	b, ok := m.raw[name]
	if !ok {
		return nil, errors.New("no such file")
	}
	return b, nil
}

// notification is a message as the composer writes it: multipart, with
// quoted-printable parts that split and escape the link.
const notification = "From: Poste Test <noreply@lre.test>\r\n" +
	"To: Bob <bob@example.net>\r\n" +
	"Subject: Lettre recommandée\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Ouvrez ce lien : http://lre.test/r/abcdefghijklmnopqrstuvwxyz234567abcdefghij=\r\n" +
	"klmnopqrst.\r\n" +
	"V=C3=A9rifier : http://lre.test/verify\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<a href=3D\"http://lre.test/r/abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst\">ouvrir</a>\r\n" +
	"<a href=3D\"http://lre.test/page?a=3D1&amp;b=3D2\">x</a> <a href=3D\"javascript:alert(1)\">y</a>\r\n" +
	"--b1--\r\n"

func TestDevMailbox(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	mb := &memMailbox{
		items: []web.MailboxItem{
			{Name: "old.eml", To: "alice@example.org", Subject: "Ancien", Date: now.Add(-time.Hour), Size: 10},
			{Name: "new.eml", To: "bob@example.net", Subject: "Lettre <b>recommandée</b>", Date: now, Size: int64(len(notification))},
		},
		raw: map[string][]byte{"old.eml": []byte("Subject: Ancien\r\n\r\nhello"), "new.eml": []byte(notification)},
	}
	s := newSite(t, withMailbox(mb))
	b := s.browser(t)

	list := want(t, "list", b.get("/dev/mailbox"), http.StatusOK)
	ls := links(list.body)
	iNew, iOld := slices.Index(ls, "/dev/mailbox/new.eml"), slices.Index(ls, "/dev/mailbox/old.eml")
	if iNew < 0 || iOld < 0 || iNew > iOld {
		t.Errorf("list links %v, want new.eml before old.eml", ls)
	}
	if strings.Contains(list.body, "<b>recommandée") {
		t.Errorf("subject not escaped")
	}

	msg := want(t, "message", b.get("/dev/mailbox/new.eml"), http.StatusOK)
	var mailLinks []string
	walk(msg.body, func(n *htmlNode) {
		if attr(n, "class") == "mail-link" {
			mailLinks = append(mailLinks, attr(n, "href"))
		}
	})
	wantLinks := []string{
		"http://lre.test/r/abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst",
		"http://lre.test/verify",
		"http://lre.test/page?a=1&b=2",
	}
	if !slices.Equal(mailLinks, wantLinks) {
		t.Errorf("links %q, want %q", mailLinks, wantLinks)
	}
	if !strings.Contains(text(msg.body), "Content-Transfer-Encoding: quoted-printable") {
		t.Errorf("message page does not show the raw message")
	}

	raw := want(t, "raw", b.get("/dev/mailbox/new.eml/raw"), http.StatusOK)
	if raw.body != notification || !strings.HasPrefix(raw.header.Get("Content-Type"), "text/plain") {
		t.Errorf("raw: %q %q", raw.header.Get("Content-Type"), raw.body)
	}

	for _, name := range []string{"nope.eml", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd"} {
		want(t, name, b.get("/dev/mailbox/"+name), http.StatusNotFound)
	}
	for _, r := range mb.reads {
		if r != "new.eml" {
			t.Errorf("mailbox asked to read %q", r)
		}
	}

	off := newSite(t)
	want(t, "no mailbox configured", off.browser(t).get("/dev/mailbox"), http.StatusNotFound)
	want(t, "no mailbox configured", off.browser(t).get("/dev/mailbox/new.eml"), http.StatusNotFound)
}

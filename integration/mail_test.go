package integration_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// message is a received mail, read as a mail client would show it.
type message struct {
	Header  mail.Header
	Subject string // decoded
	Text    string // decoded text/plain part
	HTML    string // decoded text/html part
}

// readMessage parses what the MX received; multipart.Reader undoes the
// quoted-printable encoding, which may cut a link over two lines.
func readMessage(t *testing.T, raw []byte) message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	out := message{Header: m.Header, Subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			out.Text = string(body)
		case strings.HasPrefix(ct, "text/html"):
			out.HTML = string(body)
		}
	}
	return out
}

// messageID returns the Message-ID without angle brackets.
func (m message) messageID() string {
	return strings.Trim(m.Header.Get("Message-Id"), "<>")
}

var (
	linkRe = regexp.MustCompile(`https://lre\.test/r/([a-z0-9]+)`)
	otpRe  = regexp.MustCompile(`code d'identification est : (\d{6})`)
)

// linkToken returns the token of the retrieval link in the text part.
func (m message) linkToken(t *testing.T) string {
	t.Helper()
	sub := linkRe.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no retrieval link in:\n%s", m.Text)
	}
	return sub[1]
}

// checkNothingOfTheLetter fails if the received mail reveals the sender or
// the letter (R.53-3), in its raw form or decoded.
func checkNothingOfTheLetter(t *testing.T, raw []byte, m message) {
	t.Helper()
	all := strings.ToLower(string(raw) + m.Subject + m.Text + m.HTML)
	for _, secret := range []string{senderName, senderEmail, senderOrg, letterSubject, letterBody, "Quenouille", "Zebulon", "Xylophage"} {
		if strings.Contains(all, strings.ToLower(secret)) {
			t.Errorf("the mail to the recipient reveals %q", secret)
		}
	}
}

// dataWith returns the received messages whose Message-ID is id.
func dataWith(t *testing.T, ds []delivery, id string) int {
	t.Helper()
	n := 0
	for _, d := range ds {
		if readMessage(t, d.Data).messageID() == id {
			n++
		}
	}
	return n
}

// ntfID is the outbox entry (and Message-ID local part) of n's notification.
func ntfID(n core.Notice) string { return "ntf-" + strings.ToLower(n.ID) }

// messageIDOf is the Message-ID the composer gives outbox entry id.
func messageIDOf(entryID string) string { return entryID + "@lre.test" }

package web_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/smtp"
)

// TestDepositMalformedMultipart: bodies that are not the multipart they
// claim to be get a 4xx JSON error and store nothing. (Lying lengths,
// 10,000 parts and cut uploads are in notice_api_test.go.)
func TestDepositMalformedMultipart(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	valid := multipartBody(letter().parts(file("a.pdf", []byte("%PDF-1.7")))...)
	tests := []struct {
		name  string
		ctype string
		body  []byte
	}{
		{"no boundary parameter", "multipart/form-data", valid},
		{"empty boundary", "multipart/form-data; boundary=", valid},
		{"boundary of another body", "multipart/form-data; boundary=nope", valid},
		{"boundary over 70 characters", "multipart/form-data; boundary=" + strings.Repeat("b", 71), valid},
		{"no closing delimiter", multipartType, bytes.TrimSuffix(valid, []byte("--"+boundary+"--\r\n"))},
		{"cut inside a part header", multipartType, valid[:bytes.Index(valid, []byte("Content-Disposition"))+12]},
		{"empty body", multipartType, nil},
		{"only the closing delimiter", multipartType, []byte("--" + boundary + "--\r\n")},
		{"garbage", multipartType, []byte("\x00\x01\x02 not multipart at all")},
		{"part without Content-Disposition", multipartType, []byte("--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + boundary + "--\r\n")},
		{"disposition attachment instead of form-data", multipartType, bytes.ReplaceAll(valid, []byte("form-data; name=\"subject\""), []byte("attachment; name=\"subject\""))},
		{"unparseable disposition", multipartType, bytes.ReplaceAll(valid, []byte("form-data; name=\"subject\""), []byte("form-data; name=\"subj"))},
		{"part header without colon", multipartType, bytes.Replace(valid, []byte("Content-Disposition"), []byte("Content-Disposition-without-colon\r\nContent-Disposition"), 1)},
		{"10,000 headers in one part", multipartType, bytes.Replace(valid, []byte("Content-Disposition"), []byte(strings.Repeat("X-A: b\r\n", 10000)+"Content-Disposition"), 1)},
		{"nested multipart as an attachment", multipartType, multipartBody(letter().parts(part{name: "attachments", ctype: "multipart/mixed; boundary=inner", data: []byte("--inner\r\n\r\nx\r\n--inner--")})...)},
		{"charset that is not UTF-8", multipartType + "; charset=utf-16", multipartBody(letter().with("subject", "\xff\xfeM\x00").parts()...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/notices", bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("Authorization", "Bearer "+key)
			r := e.do(t, req)
			if r.status < 400 || r.status >= 500 {
				t.Errorf("%.300s, want a 4xx", r)
			}
			r.apiError(t)
			e.assertNothingStored(t)
		})
	}
}

// TestDepositOddInput: addresses the mailer cannot or must not write to,
// invalid UTF-8 in the fields not covered elsewhere, and CR/LF smuggled in
// through a part's own transfer encoding. Each is a 422 naming the field.
func TestDepositOddInput(t *testing.T) {
	qp := func(name, encoded string) part {
		return part{name: name, header: map[string]string{"Content-Transfer-Encoding": "quoted-printable"}, data: []byte(encoded)}
	}
	tests := []struct {
		name  string
		parts []part
		field string
	}{
		{"quoted local part", letter().with("recipient_email", `"bob martin"@example.net`).parts(), "recipient_email"},
		{"quoted local part with an at sign", letter().with("recipient_email", `"a@b"@example.net`).parts(), "recipient_email"},
		{"internationalised domain", letter().with("recipient_email", "bob@bücher.example").parts(), "recipient_email"},
		{"internationalised local part", letter().with("recipient_email", "bücher@example.net").parts(), "recipient_email"},
		{"right-to-left mark in address", letter().with("recipient_email", "bob@example.net\u200f").parts(), "recipient_email"},
		{"address ending in a dot", letter().with("recipient_email", "bob@example.net.").parts(), "recipient_email"},
		{"two dots in a row", letter().with("recipient_email", "bob..martin@example.net").parts(), "recipient_email"},
		{"invalid UTF-8 in recipient_name", letter().with("recipient_name", "Bob \xc3\x28").parts(), "recipient_name"},
		{"invalid UTF-8 in sender_reference", letter().with("sender_reference", "REF-\xff").parts(), "sender_reference"},
		{"invalid UTF-8 in a file name", letter().parts(file("facture-\xff.pdf", []byte("%PDF"))), "attachments"},
		{"right-to-left mark in recipient_name", letter().with("recipient_name", "Bob \u202eniraM").parts(), "recipient_name"},
		{"CRLF in a quoted-printable subject", append(letter().without("subject").parts(), qp("subject", "Objet=0D=0ABcc: eve@example.org")), "subject"},
		{"CRLF in a quoted-printable recipient_name", append(letter().without("recipient_name").parts(), qp("recipient_name", "Bob=0D=0ABcc: eve@example.org")), "recipient_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
			r := e.post(t, key, multipartBody(tt.parts...))
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%.300s, want 422", r)
			}
			if got := r.apiError(t).Error; got.Field != tt.field {
				t.Errorf("error %+v, want it to name %s", got, tt.field)
			}
			e.assertNothingStored(t)
		})
	}
}

// TestEncodedInjectionStaysText: percent- and MIME-encoded line breaks are
// ordinary characters, so a deposit may carry them; they must then come
// out as the same text everywhere and never be decoded into a header: in
// the notification mail as smtp composes it, and in the download's
// Content-Disposition.
func TestEncodedInjectionStaysText(t *testing.T) {
	s := newSite(t)
	key := s.sender(t, "Cabinet =?UTF-8?Q?X=0D=0ABcc:_eve@example.org?=", "")
	f := letterFields()
	f["recipient_name"] = "Bob =?UTF-8?Q?Martin=0D=0ABcc:_eve@example.org?= %0D%0ACc: eve@example.org"
	f["subject"] = "Objet %0d%0aBcc: eve@example.org =?utf-8?b?DQpCY2M6IGV2ZUBleGFtcGxlLm9yZw==?="
	f["knowledge_question"], f["knowledge_answer"] = "Numéro client ?", "42"
	names := []string{"=?UTF-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?=", "facture%0D%0AContent-Type:%20text%2Fhtml.pdf", "=?utf-8?q?facture=E2=80=AEfdp.exe?="}
	var files []upload
	for _, n := range names {
		files = append(files, upload{n, "application/pdf", []byte("%PDF-1.7 " + n)})
	}
	_, m := s.notified(t, key, f, files...)

	raw, err := smtp.Compose(m, nil, nil)
	if err != nil {
		t.Fatalf("compose the notification: %v", err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "Cc", "Content-Type: text/html"} {
		if msg.Header.Get(h) != "" {
			t.Errorf("the notification has a %s header: %q", h, msg.Header.Get(h))
		}
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "bob@example.net" {
		t.Errorf("To: %q parses to %v, %v; want bob@example.net alone", msg.Header.Get("To"), to, err)
	}
	if err == nil && len(to) == 1 && to[0].Name != f["recipient_name"] {
		t.Errorf("To: %q reads as the name %q, want %q as deposited", msg.Header.Get("To"), to[0].Name, f["recipient_name"])
	}

	b := s.browser(t)
	token := b.identify(m.Link, "42")
	want(t, "choice", b.get("/r/"+token+"/choice"), http.StatusOK)
	want(t, "accept", b.post("/r/"+token+"/decide", url.Values{"action": {"accept"}, "confirm": {"yes"}}), http.StatusSeeOther)
	for i, n := range names {
		dl := want(t, "download", b.get(fmt.Sprintf("/r/%s/documents/doc-%02d", token, i+1)), http.StatusOK)
		cd := dl.header.Get("Content-Disposition")
		_, params, err := mime.ParseMediaType(cd)
		if err != nil || params["filename"] != n || strings.ContainsAny(cd, "\r\n") {
			t.Errorf("document %d: Content-Disposition %q parses to %v, %v; want the file name %q as sent", i+1, cd, params, err, n)
		}
		if ct := dl.header.Get("Content-Type"); strings.Contains(ct, "html") {
			t.Errorf("document %d served as %s", i+1, ct)
		}
	}
}

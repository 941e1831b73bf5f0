package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/rfc3161"
)

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the fuzz seeds in testdata/api from the builders in this file")

var noticeIDShape = regexp.MustCompile(`^LRE-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`)

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDepositCreated(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	pdf := append([]byte("%PDF-1.7\n"), randomBytes(t, 5000)...)
	csv := []byte("date;amount\n2025-01-01;1200.00\n")
	f := letter()
	before := time.Now().Add(-2 * time.Second)
	r := e.post(t, key, multipartBody(f.parts(file("facture.pdf", pdf), file("détail.csv", csv))...))
	after := time.Now().Add(2 * time.Second)
	if r.status != http.StatusCreated {
		t.Fatalf("deposit: %s, want 201", r)
	}
	n := r.notice(t)

	if !noticeIDShape.MatchString(n.ID) {
		t.Errorf("id %q is not LRE-XXXX-XXXX-XXXX-XXXX", n.ID)
	}
	if got := r.header.Get("Location"); got != "/api/v1/notices/"+n.ID {
		t.Errorf("Location = %q", got)
	}
	if n.Status != "deposited" {
		t.Errorf("status = %q, want deposited", n.Status)
	}
	dep, err := time.Parse(time.RFC3339, n.DepositedAt)
	if err != nil || dep.Before(before) || dep.After(after) {
		t.Errorf("deposited_at = %q (%v), want an RFC 3339 time of now", n.DepositedAt, err)
	}
	if n.Timestamp == nil {
		t.Fatalf("no timestamp in %s", r.body)
	}
	if n.Timestamp.Time != n.DepositedAt || n.Timestamp.TSA == "" || !regexp.MustCompile(`^[0-9]+$`).MatchString(n.Timestamp.Serial) {
		t.Errorf("timestamp = %+v, want time %s, a decimal serial and a TSA name", *n.Timestamp, n.DepositedAt)
	}

	uploads := []struct {
		name string
		data []byte
	}{{"facture.pdf", pdf}, {"détail.csv", csv}}
	if len(n.Documents) != len(uploads) {
		t.Fatalf("documents = %+v, want %d", n.Documents, len(uploads))
	}
	for i, u := range uploads {
		d := n.Documents[i]
		if d.Name != u.name || d.Size != int64(len(u.data)) || d.SHA256 != sha256Hex(u.data) {
			t.Errorf("document %d = %+v, want name %q size %d sha256 %s", i, d, u.name, len(u.data), sha256Hex(u.data))
		}
	}
	if n.Body.SHA256 != sha256Hex([]byte(f["body"])) {
		t.Errorf("body sha256 = %s, want %s", n.Body.SHA256, sha256Hex([]byte(f["body"])))
	}

	m := e.get(t, key, "/api/v1/notices/"+n.ID+"/manifest.json")
	if m.status != http.StatusOK {
		t.Fatalf("manifest: %s", m)
	}
	if !hex64.MatchString(n.DepositDigest) || n.DepositDigest != sha256Hex(m.body) {
		t.Errorf("deposit_digest = %s, want sha256(manifest.json) = %s", n.DepositDigest, sha256Hex(m.body))
	}
	var manifest struct {
		NoticeID  string `json:"notice_id"`
		Documents []struct {
			SHA256 string `json:"sha256"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(m.body, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.NoticeID != n.ID || len(manifest.Documents) != 2 || manifest.Documents[0].SHA256 != sha256Hex(pdf) || manifest.Documents[1].SHA256 != sha256Hex(csv) {
		t.Errorf("manifest does not bind the id and the documents: %s", m.body)
	}

	g := e.get(t, key, "/api/v1/notices/"+n.ID)
	if g.status != http.StatusOK {
		t.Fatalf("get: %s", g)
	}
	if got := g.notice(t); got.ID != n.ID || got.DepositDigest != n.DepositDigest || got.Status != n.Status {
		t.Errorf("GET returned %+v, want the deposited notice %+v", got, n)
	}
}

func TestDepositValidation(t *testing.T) {
	pdf := []byte("%PDF-1.7 small")
	tests := []struct {
		name      string
		parts     []part
		hdr       []string
		wantField string
		bug       string
	}{
		{"invalid address", letter().with("recipient_email", "not-an-address").parts(), nil, "recipient_email", ""},
		{"address without domain dot", letter().with("recipient_email", "bob@localhost").parts(), nil, "recipient_email", ""},
		{"two addresses", letter().with("recipient_email", "a@b.com, c@d.com").parts(), nil, "recipient_email", ""},
		{"two addresses with semicolon", letter().with("recipient_email", "a@b.com;c@d.com").parts(), nil, "recipient_email", ""},
		{"two at signs", letter().with("recipient_email", "a@b@c").parts(), nil, "recipient_email", ""},
		{"display name", letter().with("recipient_email", "Bob Martin <bob@example.net>").parts(), nil, "recipient_email", ""},
		{"angle address", letter().with("recipient_email", "<bob@example.net>").parts(), nil, "recipient_email", ""},
		{"group", letter().with("recipient_email", "undisclosed:bob@example.net;").parts(), nil, "recipient_email", ""},
		{"300-char address", letter().with("recipient_email", strings.Repeat("a", 288)+"@example.net").parts(), nil, "recipient_email", ""},
		{"CRLF in address", letter().with("recipient_email", "bob@example.net\r\nBcc: eve@example.org").parts(), nil, "recipient_email", ""},
		{"missing address", letter().without("recipient_email").parts(), nil, "recipient_email", ""},
		{"CRLF in recipient_name", letter().with("recipient_name", "Bob\r\nBcc: eve@example.org").parts(), nil, "recipient_name", ""},
		{"LF in subject", letter().with("subject", "Mise\nen demeure").parts(), nil, "subject", ""},
		{"CR in sender_reference", letter().with("sender_reference", "REF\rX").parts(), nil, "sender_reference", ""},
		{"empty subject", letter().with("subject", "").parts(), nil, "subject", ""},
		{"blank subject", letter().with("subject", " \t ").parts(), nil, "subject", ""},
		{"right-to-left override in subject", letter().with("subject", "Facture \u202Efdp.exe").parts(), nil, "subject", ""},
		{"invalid UTF-8 in subject", letter().with("subject", "Mise \xff\xfe demeure").parts(), nil, "subject", ""},
		{"invalid UTF-8 in body", letter().with("body", "Madame \xc3\x28 Monsieur").parts(), nil, "body", ""},
		{"no body and no attachment", letter().with("body", "  ").parts(), nil, "body", ""},
		{"file name with slash", letter().parts(file("a/b.pdf", pdf)), nil, "attachments", ""},
		{"file name climbing up", letter().parts(file("../../etc/passwd", pdf)), nil, "attachments", ""},
		{"file name slash only", letter().parts(file("/", pdf)), nil, "attachments", ""},
		{"file name with backslash", letter().parts(file(`a\b.pdf`, pdf)), nil, "attachments", ""},
		{"file name dot dot", letter().parts(file("..", pdf)), nil, "attachments", ""},
		{"file name with NUL", letter().parts(file("a\x00.pdf", pdf)), nil, "attachments", ""},
		{"file name with right-to-left override", letter().parts(file("facture\u202Efdp.exe", pdf)), nil, "attachments", ""},
		{"file without name", letter().parts(file("", pdf)), nil, "attachments", ""},
		{"bad language", letter().with("language", "de").parts(), nil, "language", ""},
		{"bad recipient_type", letter().with("recipient_type", "robot").parts(), nil, "recipient_type", ""},
		{"unknown field", letter().with("cc", "eve@example.org").parts(), nil, "cc", ""},
		{"duplicated field", append(letter().parts(), field("subject", "Second subject")), nil, "subject", ""},
		{"duplicated address", append(letter().parts(), field("recipient_email", "eve@example.org")), nil, "recipient_email", ""},
		{"Idempotency-Key with space", letter().parts(), []string{"Idempotency-Key", "a b"}, "Idempotency-Key", ""},
		{"Idempotency-Key too long", letter().parts(), []string{"Idempotency-Key", strings.Repeat("k", 300)}, "Idempotency-Key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bug != "" {
				t.Skip("BUG: " + tt.bug)
			}
			e := newEnv(t)
			key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
			r := e.post(t, key, multipartBody(tt.parts...), tt.hdr...)
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s, want 422", r)
			}
			if got := r.apiError(t).Error; got.Field != tt.wantField || got.Code != core.EINVALID {
				t.Errorf("error = %+v, want code %s naming field %s", got, core.EINVALID, tt.wantField)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("refused request has Location %s", loc)
			}
			e.assertNothingStored(t)
		})
	}

	t.Run("not multipart", func(t *testing.T) {
		e := newEnv(t)
		key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/notices", strings.NewReader(`{"subject":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		r := e.do(t, req)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("%s, want 4xx", r)
		}
		r.apiError(t)
		e.assertNothingStored(t)
	})
}

func TestDepositLimits(t *testing.T) {
	limits := core.Limits{MaxTotalBytes: 1024, MaxFiles: 2, MaxNameBytes: 16}
	e := newEnv(t, withLimits(limits))
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	tests := []struct {
		name      string
		parts     []part
		chunked   bool
		wantLimit string
		wantField string
	}{
		{"one file over the total", letter().parts(file("a.pdf", make([]byte, 2000))), false, "max_total_size", "attachments"},
		{"files adding up over the total", letter().parts(file("a.pdf", make([]byte, 600)), file("b.pdf", make([]byte, 600))), false, "max_total_size", "attachments"},
		{"body plus file over the total", letter().with("body", strings.Repeat("x", 900)).parts(file("a.pdf", make([]byte, 200))), false, "max_total_size", "attachments"},
		{"body alone over the total", letter().with("body", strings.Repeat("x", 2000)).parts(), false, "max_total_size", ""},
		{"three files", letter().parts(file("a.pdf", []byte("a")), file("b.pdf", []byte("b")), file("c.pdf", []byte("c"))), false, "max_files", "attachments"},
		{"17-byte file name", letter().parts(file("abcdefghijklm.pdf", []byte("a"))), false, "max_file_name", "attachments"},
		{"part Content-Length lies", letter().parts(part{name: "attachments", filename: "a.pdf", file: true, header: map[string]string{"Content-Length": "10"}, data: make([]byte, 4000)}), false, "max_total_size", "attachments"},
		{"chunked body far over the limit", letter().parts(file("a.pdf", make([]byte, 3<<20))), true, "max_total_size", "attachments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := multipartBody(tt.parts...)
			var rd io.Reader = bytes.NewReader(body)
			if tt.chunked {
				rd = io.MultiReader(rd) // hides the length: sent chunked, no Content-Length
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/notices", rd)
			req.Header.Set("Content-Type", multipartType)
			req.Header.Set("Authorization", "Bearer "+key)
			r := e.do(t, req)
			if r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s, want 413", r)
			}
			got := r.apiError(t).Error
			if got.Code != core.ETOOLARGE || !strings.Contains(got.Message, tt.wantLimit) || got.Field == "" || (tt.wantField != "" && got.Field != tt.wantField) {
				t.Errorf("error = %+v, want code %s naming %s (field %q)", got, core.ETOOLARGE, tt.wantLimit, tt.wantField)
			}
			e.assertNothingStored(t)
		})
	}

	// At the limits exactly, letters go through.
	ok := newEnv(t, withLimits(limits))
	okKey := ok.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	body := letter()["body"]
	accepted := []struct {
		name  string
		files []part
	}{
		{"16-byte name and total exactly at the limit", []part{file("abcdefghijkl.pdf", make([]byte, int(limits.MaxTotalBytes)-len(body)))}},
		{"two files", []part{file("a.pdf", []byte("a")), file("b.pdf", []byte("b"))}},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			ok.deposit(t, okKey, http.StatusCreated, tt.files...)
		})
	}
}

// TestDepositManyTinyParts: a request of 10,000 small parts must be refused
// early, with a 4xx, not parsed to the end nor answered with a 5xx.
func TestDepositManyTinyParts(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	many := func(p part) []part {
		out := letter().parts()
		for range 10000 {
			out = append(out, p)
		}
		return out
	}
	tests := []struct {
		name       string
		parts      []part
		wantStatus int
		wantLimit  string
	}{
		{"10,000 one-byte attachments", many(file("a.txt", []byte("a"))), http.StatusRequestEntityTooLarge, "max_files"},
		{"10,000 unnamed parts", many(field("", "x")), http.StatusUnprocessableEntity, ""},
		{"10,000 copies of a field", many(field("sender_reference", "x")), http.StatusUnprocessableEntity, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := multipartBody(tt.parts...)
			r := e.post(t, key, body)
			if r.status != tt.wantStatus {
				t.Errorf("%.200s, want %d", r, tt.wantStatus)
			}
			if got := r.apiError(t).Error; !strings.Contains(got.Message, tt.wantLimit) {
				t.Errorf("error = %+v, want it to name %q", got, tt.wantLimit)
			}
			e.assertNothingStored(t)

			// Refused early: the handler stops reading long before the end.
			cr := &countingReader{r: bytes.NewReader(body)}
			req := httptest.NewRequest(http.MethodPost, "/api/v1/notices", cr)
			req.Header.Set("Content-Type", multipartType)
			req.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			e.web.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || cr.n > int64(len(body))/10 {
				t.Errorf("handler answered %d after reading %d of %d bytes; want %d within the first tenth", rec.Code, cr.n, len(body), tt.wantStatus)
			}
		})
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestDepositLyingRequestContentLength speaks raw HTTP/1.1: when the body
// the server receives is not the whole letter, the answer is a clean 4xx and
// nothing is stored.
func TestDepositLyingRequestContentLength(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	body := multipartBody(letter().parts(file("a.pdf", make([]byte, 3000)))...)
	tests := []struct {
		name          string
		contentLength int
		send          []byte
	}{
		{"declared shorter than the body", 200, body},
		{"declared longer, upload cut in the file", len(body), body[:len(body)-1500]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST /api/v1/notices HTTP/1.1\r\nHost: lre.test\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", key, multipartType, tt.contentLength)
			conn.Write(tt.send)
			conn.(*net.TCPConn).CloseWrite()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			b, _ := io.ReadAll(res.Body)
			r := response{status: res.StatusCode, header: res.Header, body: b}
			if r.status < 400 || r.status >= 500 {
				t.Errorf("%s, want 4xx", r)
			}
			r.apiError(t)
			e.assertNothingStored(t)
		})
	}
}

func flipLast(s string) string {
	if strings.HasSuffix(s, "a") {
		return s[:len(s)-1] + "b"
	}
	return s[:len(s)-1] + "a"
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	n := e.deposit(t, key, http.StatusCreated)
	records := e.logRecords(t)
	wrong, _, err := core.NewSecret(rand.Reader, "lre_")
	if err != nil {
		t.Fatal(err)
	}
	headers := []struct {
		name, value string
	}{
		{"no header", ""},
		{"wrong key", "Bearer " + wrong},
		{"key with its last character changed", "Bearer " + flipLast(key)},
		{"key without prefix", "Bearer " + strings.TrimPrefix(key, "lre_")},
		{"empty bearer", "Bearer "},
		{"scheme only", "Bearer"},
		{"basic scheme", "Basic YWxpY2U6c2VjcmV0"},
		{"raw key", key},
		{"overlong key", "Bearer lre_" + strings.Repeat("a", 500)},
	}
	paths := []struct{ method, path string }{
		{http.MethodPost, "/api/v1/notices"},
		{http.MethodGet, "/api/v1/notices/" + n.ID},
		{http.MethodGet, "/api/v1/notices/" + n.ID + "/manifest.json"},
		{http.MethodGet, "/api/v1/notices/" + n.ID + "/events"},
	}
	for _, h := range headers {
		for _, p := range paths {
			t.Run(h.name+" "+p.method+" "+p.path, func(t *testing.T) {
				var body io.Reader
				if p.method == http.MethodPost {
					body = bytes.NewReader(multipartBody(letter().parts()...))
				}
				req, _ := http.NewRequest(p.method, e.srv.URL+p.path, body)
				req.Header.Set("Content-Type", multipartType)
				if h.value != "" {
					req.Header.Set("Authorization", h.value)
				}
				r := e.do(t, req)
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s, want 401", r)
				}
				if got := r.apiError(t).Error.Code; got != core.EUNAUTHORIZED {
					t.Errorf("code %q, want %q", got, core.EUNAUTHORIZED)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
				if strings.Contains(string(r.body), n.ID) {
					t.Errorf("401 body mentions the letter: %s", r.body)
				}
			})
		}
	}
	if got := e.logRecords(t); got != records {
		t.Errorf("log grew from %d to %d records on unauthenticated requests", records, got)
	}
}

func TestNoticeVisibility(t *testing.T) {
	e := newEnv(t)
	owner := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	n := e.deposit(t, owner, http.StatusCreated)
	orphanOwner := e.addUser(t, "solo@example.org", "", core.RoleSender)
	orphan := e.deposit(t, orphanOwner, http.StatusCreated)
	tests := []struct {
		name  string
		key   string
		id    string
		wantS int
	}{
		{"owner", owner, n.ID, http.StatusOK},
		{"other sender of the same organisation", e.addUser(t, "bob@acme.example", "ACME", core.RoleSender), n.ID, http.StatusNotFound},
		{"sender of another organisation", e.addUser(t, "frank@globex.example", "Globex", core.RoleSender), n.ID, http.StatusNotFound},
		{"auditor of the same organisation", e.addUser(t, "carol@acme.example", "ACME", core.RoleAuditor), n.ID, http.StatusOK},
		{"auditor of another organisation", e.addUser(t, "dave@globex.example", "Globex", core.RoleAuditor), n.ID, http.StatusNotFound},
		{"admin of the same organisation", e.addUser(t, "erin@acme.example", "ACME", core.RoleAdmin), n.ID, http.StatusOK},
		{"admin of another organisation", e.addUser(t, "gina@globex.example", "Globex", core.RoleAdmin), n.ID, http.StatusNotFound},
		{"auditor without organisation, sender without organisation", e.addUser(t, "hank@example.org", "", core.RoleAuditor), orphan.ID, http.StatusNotFound},
	}
	unknown := "LRE-AAAA-AAAA-AAAA-AAAA"
	for _, tt := range tests {
		for _, suffix := range []string{"", "/manifest.json", "/timestamp.tsr", "/events"} {
			t.Run(tt.name+suffix, func(t *testing.T) {
				r := e.get(t, tt.key, "/api/v1/notices/"+tt.id+suffix)
				if r.status != tt.wantS {
					t.Fatalf("%.300s, want %d", r, tt.wantS)
				}
				if tt.wantS != http.StatusNotFound {
					return
				}
				hidden := r.apiError(t).Error
				if hidden.Code != core.ENOTFOUND {
					t.Errorf("code %q, want %q", hidden.Code, core.ENOTFOUND)
				}
				// A hidden letter must be indistinguishable from no letter.
				none := e.get(t, tt.key, "/api/v1/notices/"+unknown+suffix)
				want := none.apiError(t).Error
				if none.status != r.status || strings.ReplaceAll(hidden.Message, tt.id, unknown) != want.Message {
					t.Errorf("hidden letter answers %d %q, unknown letter %d %q", r.status, hidden.Message, none.status, want.Message)
				}
			})
		}
	}
	t.Run("malformed id", func(t *testing.T) {
		if r := e.get(t, owner, "/api/v1/notices/..%2F..%2Fetc"); r.status != http.StatusNotFound {
			t.Errorf("%s, want 404", r)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	t.Run("same sender twice", func(t *testing.T) {
		e := newEnv(t)
		key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		first := e.post(t, key, multipartBody(letter().parts()...), "Idempotency-Key", "order-1")
		second := e.post(t, key, multipartBody(letter().parts()...), "Idempotency-Key", "order-1")
		if first.status != http.StatusCreated || second.status != http.StatusCreated {
			t.Fatalf("first %s, second %s; want 201 twice", first, second)
		}
		a, b := first.notice(t), second.notice(t)
		if a.ID != b.ID || a.DepositDigest != b.DepositDigest {
			t.Errorf("replay returned %s (%s), want %s (%s)", b.ID, b.DepositDigest, a.ID, a.DepositDigest)
		}
		if first.header.Get("Idempotent-Replayed") != "" || second.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("Idempotent-Replayed: first %q, second %q; want \"\" then \"true\"", first.header.Get("Idempotent-Replayed"), second.header.Get("Idempotent-Replayed"))
		}
		if evs := e.events(t, key, a.ID); len(evs) != 1 {
			t.Errorf("%d events, want 1", len(evs))
		}
		if n := e.logRecords(t); n != 1 {
			t.Errorf("log holds %d records, want 1", n)
		}
	})

	t.Run("same key, different letter", func(t *testing.T) {
		e := newEnv(t)
		key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		first := e.post(t, key, multipartBody(letter().parts(file("a.pdf", []byte("%PDF one")))...), "Idempotency-Key", "order-2")
		if first.status != http.StatusCreated {
			t.Fatalf("first %s, want 201", first)
		}
		for name, l := range map[string][]part{
			"subject":    letter().with("subject", "changed").parts(file("a.pdf", []byte("%PDF one"))),
			"recipient":  letter().with("recipient_email", "eve@evil.example").parts(file("a.pdf", []byte("%PDF one"))),
			"attachment": letter().parts(file("a.pdf", []byte("%PDF two"))),
			"no file":    letter().parts(),
		} {
			r := e.post(t, key, multipartBody(l...), "Idempotency-Key", "order-2")
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s changed: %s, want 422", name, r)
				continue
			}
			if ae := r.apiError(t).Error; ae.Code != core.EKEYREUSED || ae.Field != "Idempotency-Key" {
				t.Errorf("%s changed: %s, want 422 %s on Idempotency-Key", name, r, core.EKEYREUSED)
			}
			if r.header.Get("Idempotent-Replayed") != "" {
				t.Errorf("%s changed: marked as replayed", name)
			}
		}
		if n := e.logRecords(t); n != 1 {
			t.Errorf("log holds %d records, want 1", n)
		}
	})

	t.Run("20 concurrent requests", func(t *testing.T) {
		const n = 20
		e := newEnv(t)
		key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		body := multipartBody(letter().parts(file("a.pdf", []byte("%PDF same")))...)
		res := make([]response, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				res[i] = e.post(t, key, body, "Idempotency-Key", "concurrent-1")
			})
		}
		close(start)
		wg.Wait()
		ids := map[string]int{}
		fresh := 0
		for _, r := range res {
			if r.status != http.StatusCreated {
				t.Fatalf("%s, want 201", r)
			}
			ids[r.notice(t).ID]++
			if r.header.Get("Idempotent-Replayed") != "true" {
				fresh++
			}
		}
		if len(ids) != 1 {
			t.Fatalf("%d different notice ids among %d answers: %v", len(ids), n, ids)
		}
		if fresh != 1 {
			t.Errorf("%d answers not marked Idempotent-Replayed, want exactly 1", fresh)
		}
		for id := range ids {
			evs := e.events(t, key, id)
			if len(evs) != 1 || evs[0].Type != string(core.EventSubmissionAcceptance) {
				t.Errorf("events of %s = %+v, want one SubmissionAcceptance", id, evs)
			}
		}
		if got := e.logRecords(t); got != 1 {
			t.Errorf("log holds %d records, want 1", got)
		}
	})

	t.Run("two senders", func(t *testing.T) {
		e := newEnv(t)
		alice := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		bob := e.addUser(t, "bob@acme.example", "ACME", core.RoleSender)
		a := e.post(t, alice, multipartBody(letter().parts()...), "Idempotency-Key", "shared")
		b := e.post(t, bob, multipartBody(letter().parts()...), "Idempotency-Key", "shared")
		if a.status != http.StatusCreated || b.status != http.StatusCreated {
			t.Fatalf("alice %s, bob %s; want 201 twice", a, b)
		}
		if a.notice(t).ID == b.notice(t).ID || b.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("bob got alice's letter %s back", a.notice(t).ID)
		}
		if got := e.logRecords(t); got != 2 {
			t.Errorf("log holds %d records, want 2", got)
		}
	})
}

func TestTimestampVerifiesWithOpenSSL(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	n := e.deposit(t, key, http.StatusCreated, file("a.pdf", []byte("%PDF-1.7 contract")))
	e.requireOpenSSLVerifies(t, key, n.ID)

	// The check above must be able to fail: a changed manifest or another
	// authority's chain are refused.
	manifest := e.get(t, key, "/api/v1/notices/"+n.ID+"/manifest.json").body
	tsr := e.get(t, key, "/api/v1/notices/"+n.ID+"/timestamp.tsr").body
	tampered := bytes.Replace(manifest, []byte(n.ID), []byte("LRE-AAAA-AAAA-AAAA-AAAA"), 1)
	if ok, out := opensslVerify(t, tampered, tsr, e.chain); ok {
		t.Errorf("openssl accepted a changed manifest:\n%s", out)
	}
	if ok, out := opensslVerify(t, manifest, tsr, newAuthority(t).ChainPEM()); ok {
		t.Errorf("openssl accepted the token against another authority:\n%s", out)
	}
}

func TestNoticeEvents(t *testing.T) {
	e := newEnv(t)
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	first := e.deposit(t, key, http.StatusCreated)
	second := e.deposit(t, key, http.StatusCreated)
	var prevHash string
	for i, n := range []noticeResp{first, second} {
		evs := e.events(t, key, n.ID)
		if len(evs) != 1 {
			t.Fatalf("notice %s has %d events, want 1", n.ID, len(evs))
		}
		ev := evs[0]
		if ev.Seq != uint64(i+1) || ev.Type != "SubmissionAcceptance" || ev.URI != "http://uri.etsi.org/19522/Event/SubmissionAcceptance" {
			t.Errorf("event = seq %d type %q uri %q, want seq %d SubmissionAcceptance with its ETSI URI", ev.Seq, ev.Type, ev.URI, i+1)
		}
		if !hex64.MatchString(ev.Hash) || !hex64.MatchString(ev.PrevHash) {
			t.Errorf("hash %q / prev_hash %q are not 64 hex digits", ev.Hash, ev.PrevHash)
		}
		if i == 0 && ev.PrevHash != strings.Repeat("0", 64) {
			t.Errorf("first record's prev_hash = %s, want the genesis hash", ev.PrevHash)
		}
		if i > 0 && ev.PrevHash != prevHash {
			t.Errorf("prev_hash = %s, want the previous record's hash %s", ev.PrevHash, prevHash)
		}
		if ev.Details["deposit_digest"] != n.DepositDigest {
			t.Errorf("details.deposit_digest = %q, want %s", ev.Details["deposit_digest"], n.DepositDigest)
		}
		at, err := time.Parse(time.RFC3339Nano, ev.Time)
		if err != nil {
			t.Fatalf("time %q: %v", ev.Time, err)
		}
		// The hash shown must be the chain hash of exactly this event.
		body, err := core.EventBytes(core.Event{Type: core.EventType(ev.Type), NoticeID: n.ID, Time: at, Details: ev.Details})
		if err != nil {
			t.Fatal(err)
		}
		prev, _ := hex.DecodeString(ev.PrevHash)
		if want := hex.EncodeToString(core.ChainHash(ev.Seq, prev, body)); ev.Hash != want {
			t.Errorf("hash = %s, recomputed %s", ev.Hash, want)
		}
		prevHash = ev.Hash
	}
}

// TestTimestampOutage: while no authority gives a valid token, a deposit is
// kept pending (202), has no token and no event; once one answers again the
// retry completes it exactly once, with a token openssl accepts.
func TestTimestampOutage(t *testing.T) {
	a := newAuthority(t)
	flaky := &switchableTSA{a: a}
	liar := &wrongNonceTSA{a: a}
	flakySrv, liarSrv := httptest.NewServer(flaky), httptest.NewServer(liar)
	t.Cleanup(flakySrv.Close)
	t.Cleanup(liarSrv.Close)
	client, err := rfc3161.NewClient([]string{flakySrv.URL, liarSrv.URL}, a.Roots(), rfc3161.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withTimestamper(client, a))
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	pdf := []byte("%PDF-1.7 sent during the outage")
	ctx := context.Background()

	flaky.down.Store(true)
	r := e.post(t, key, multipartBody(letter().parts(file("a.pdf", pdf))...))
	if r.status != http.StatusAccepted {
		t.Fatalf("deposit while the TSA is down: %s, want 202", r)
	}
	n := r.notice(t)
	if n.Status != "pending_timestamp" || n.Timestamp != nil || n.DepositedAt != "" {
		t.Errorf("pending notice = status %q timestamp %v deposited_at %q", n.Status, n.Timestamp, n.DepositedAt)
	}
	if flaky.hits.Load() == 0 || liar.hits.Load() == 0 {
		t.Errorf("TSA hits: flaky %d, wrong-nonce %d; want the client to try both", flaky.hits.Load(), liar.hits.Load())
	}
	if tsr := e.get(t, key, "/api/v1/notices/"+n.ID+"/timestamp.tsr"); tsr.status != http.StatusNotFound {
		t.Errorf("timestamp.tsr while pending: %s, want 404", tsr)
	}
	if evs := e.events(t, key, n.ID); len(evs) != 0 {
		t.Errorf("pending notice has events %+v", evs)
	}
	if got := e.logRecords(t); got != 0 {
		t.Errorf("log holds %d records while pending, want 0", got)
	}

	if done, err := e.svc.Letters.RetryPendingTimestamps(ctx); err == nil || done != 0 {
		t.Errorf("retry while still down = %d, %v; want 0 and an error", done, err)
	}
	if got := e.get(t, key, "/api/v1/notices/"+n.ID).notice(t).Status; got != "pending_timestamp" {
		t.Errorf("status after a failed retry = %q", got)
	}

	flaky.down.Store(false)
	done, err := e.svc.Letters.RetryPendingTimestamps(ctx)
	if err != nil || done != 1 {
		t.Fatalf("retry after the TSA is back = %d, %v; want 1", done, err)
	}
	if again, err := e.svc.Letters.RetryPendingTimestamps(ctx); err != nil || again != 0 {
		t.Errorf("second retry = %d, %v; want 0", again, err)
	}
	got := e.get(t, key, "/api/v1/notices/"+n.ID).notice(t)
	if got.Status != "deposited" || got.Timestamp == nil || got.DepositDigest != n.DepositDigest {
		t.Errorf("after retry: status %q timestamp %v digest %s", got.Status, got.Timestamp, got.DepositDigest)
	}
	if len(got.Documents) != 1 || got.Documents[0].SHA256 != sha256Hex(pdf) {
		t.Errorf("documents changed: %+v", got.Documents)
	}
	evs := e.events(t, key, n.ID)
	if len(evs) != 1 || evs[0].Type != string(core.EventSubmissionAcceptance) || evs[0].Details["deposit_digest"] != n.DepositDigest {
		t.Errorf("events after retry = %+v, want exactly one SubmissionAcceptance", evs)
	}
	if got := e.logRecords(t); got != 1 {
		t.Errorf("log holds %d records, want 1", got)
	}
	e.requireOpenSSLVerifies(t, key, n.ID)

	t.Run("only a wrong-nonce authority", func(t *testing.T) {
		only, err := rfc3161.NewClient([]string{liarSrv.URL}, a.Roots(), rfc3161.WithRetries(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, withTimestamper(only, a))
		key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
		before := liar.hits.Load()
		if n := e.deposit(t, key, http.StatusAccepted); n.Status != "pending_timestamp" || n.Timestamp != nil {
			t.Errorf("deposit with a replayed-nonce token: status %q timestamp %v", n.Status, n.Timestamp)
		}
		if liar.hits.Load() == before {
			t.Error("the wrong-nonce authority was never asked")
		}
	})
}

// fuzzSeeds are the multipart bodies FuzzDepositMultipart starts from; -update-fuzz-seeds
// writes them to testdata/api.
func fuzzSeeds() map[string][]byte {
	return map[string][]byte{
		"valid.multipart":           multipartBody(letter().parts(file("a.pdf", []byte("%PDF-1.7")))...),
		"no-files.multipart":        multipartBody(letter().parts()...),
		"duplicate.multipart":       multipartBody(append(letter().parts(), field("subject", "again"))...),
		"bad-name.multipart":        multipartBody(letter().parts(file("x\u202Efdp.exe", []byte("MZ")))...),
		"crlf.multipart":            multipartBody(letter().with("recipient_email", "a@b.com\r\nBcc: c@d.com").parts()...),
		"truncated.multipart":       multipartBody(letter().parts(file("a.pdf", []byte("%PDF")))...)[:300],
		"empty-part-name.multipart": multipartBody(field("", "x")),
	}
}

const seedDir = "../testdata/api"

func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-fuzz-seeds to rewrite testdata/api")
	}
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range fuzzSeeds() {
		if err := os.WriteFile(filepath.Join(seedDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzDepositMultipart feeds arbitrary bytes to the deposit handler as a
// multipart body: whatever comes in, the answer is never a 5xx (echo turns
// a panic into a 500, so this also catches panics).
func FuzzDepositMultipart(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(seedDir, "*.multipart"))
	if len(files) == 0 {
		f.Fatalf("no seeds in %s: run go test ./web -run TestWriteFuzzSeeds -update-fuzz-seeds", seedDir)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("--" + boundary + "--\r\n"))
	e := newEnv(f)
	key := e.addUser(f, "alice@acme.example", "ACME", core.RoleSender)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/notices", bytes.NewReader(body))
		req.Header.Set("Content-Type", multipartType)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		e.web.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code >= 300 {
			var apiErr apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &apiErr); err != nil || apiErr.Error.Code == "" {
				t.Fatalf("HTTP %d without a JSON error: %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkDeposit sends a 100 KB letter through the real handler: parse,
// hash, embedded RFC 3161 token, one bbolt transaction.
func BenchmarkDeposit(b *testing.B) {
	e := newEnv(b)
	key := e.addUser(b, "alice@acme.example", "ACME", core.RoleSender)
	f := letter()
	body := multipartBody(f.parts(file("letter.pdf", randomBytes(b, 100<<10-len(f["body"]))))...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/notices", bytes.NewReader(body))
			req.Header.Set("Content-Type", multipartType)
			req.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			e.web.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("HTTP %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

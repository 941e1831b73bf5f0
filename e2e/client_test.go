package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// letter is one deposit as a client prepares it: the exact bytes it sends
// (again, on a retry) and the digests it expects to be acknowledged.
type letter struct {
	key      string // Idempotency-Key
	subject  string
	body     string
	secret   string // a random marker in the body, which no mail may show
	files    []attachment
	ctype    string
	raw      []byte
	bodyHash string
}

type attachment struct {
	name string
	data []byte
	hash string
}

// newLetter builds a letter with up to maxFiles random attachments of at
// most maxSize bytes; tag makes its subject, body and address unique.
func newLetter(rng *rand.Rand, tag string, maxFiles, maxSize int) letter {
	l := letter{key: "e2e-" + tag, subject: "Mise en demeure " + tag, secret: fmt.Sprintf("confidentiel-%016x", rng.Uint64())}
	l.body = fmt.Sprintf("Madame, Monsieur,\n\nlettre %s, %s.\n", tag, l.secret)
	for i := range rng.IntN(maxFiles + 1) {
		data := make([]byte, 1+rng.IntN(maxSize))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		l.files = append(l.files, attachment{name: fmt.Sprintf("piece-%d.pdf", i+1), data: data, hash: sha256Hex(data)})
	}
	fields := [][2]string{
		{"recipient_email", "dest-" + strings.ToLower(tag) + "@example.net"},
		{"recipient_name", "Destinataire " + tag},
		{"recipient_type", "professional"},
		{"language", "fr"},
		{"subject", l.subject},
		{"body", l.body},
		{"sender_reference", "REF-" + tag},
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary("e2e-boundary-" + tag)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	for _, a := range l.files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, a.name))
		h.Set("Content-Type", "application/pdf")
		pw, _ := w.CreatePart(h)
		pw.Write(a.data)
	}
	w.Close()
	l.ctype, l.raw, l.bodyHash = w.FormDataContentType(), b.Bytes(), sha256Hex([]byte(l.body))
	return l
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// notice is the API's view of a letter.
type notice struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	DepositDigest string `json:"deposit_digest"`
	Body          struct {
		SHA256 string `json:"sha256"`
	} `json:"body"`
	Documents []struct {
		Name   string `json:"name"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"documents"`
	Timestamp *struct {
		Time   string `json:"time"`
		Serial string `json:"serial"`
	} `json:"timestamp"`
}

type event struct {
	Seq     uint64            `json:"seq"`
	Type    string            `json:"type"`
	Details map[string]string `json:"details"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// reply is one finished HTTP exchange.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("HTTP %d %.300s", r.status, r.body) }

// client speaks the API as a sender with key.
type client struct {
	base string
	key  string
	hc   *http.Client
}

func newClient(base, key string, timeout time.Duration) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	return &client{base: base, key: key, hc: &http.Client{Timeout: timeout, Transport: tr}}
}

func (c *client) do(ctx context.Context, method, path, ctype string, body []byte, hdr ...string) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: res.StatusCode, header: res.Header, body: b}, nil
}

// deposit sends l once.
func (c *client) deposit(ctx context.Context, l letter) (reply, error) {
	return c.do(ctx, http.MethodPost, "/api/v1/notices", l.ctype, l.raw, "Idempotency-Key", l.key)
}

// mustGet fetches path and requires 200.
func (c *client) mustGet(t testing.TB, path string) reply {
	t.Helper()
	r, err := c.do(context.Background(), http.MethodGet, path, "", nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %s", path, r)
	}
	return r
}

func (c *client) notice(t testing.TB, id string) notice {
	t.Helper()
	var n notice
	decode(t, c.mustGet(t, "/api/v1/notices/"+id), &n)
	return n
}

func (c *client) events(t testing.TB, id string) []event {
	t.Helper()
	var out struct {
		Events []event `json:"events"`
	}
	decode(t, c.mustGet(t, "/api/v1/notices/"+id+"/events"), &out)
	return out.Events
}

func decode(t testing.TB, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

func eventsOf(evs []event, typ string) []event {
	var out []event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls cond every 50ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkAck checks a 201/202 answer to l against what the client sent: the
// digests it acknowledges, and a token exactly when it says deposited.
func checkAck(l letter, r reply) (notice, error) {
	var n notice
	if err := json.Unmarshal(r.body, &n); err != nil {
		return n, fmt.Errorf("%s: %v", r, err)
	}
	switch {
	case r.status == http.StatusCreated && (n.Status == "pending_timestamp" || n.Timestamp == nil):
		return n, fmt.Errorf("201 without a token: %s", r)
	case r.status == http.StatusAccepted && (n.Status != "pending_timestamp" || n.Timestamp != nil):
		return n, fmt.Errorf("202 that is not pending_timestamp: %s", r)
	case n.Body.SHA256 != l.bodyHash:
		return n, fmt.Errorf("acknowledged body digest %s, sent %s", n.Body.SHA256, l.bodyHash)
	case len(n.Documents) != len(l.files):
		return n, fmt.Errorf("acknowledged %d documents, sent %d", len(n.Documents), len(l.files))
	}
	for i, d := range n.Documents {
		if d.SHA256 != l.files[i].hash || d.Name != l.files[i].name {
			return n, fmt.Errorf("document %d acknowledged as %s %s, sent %s %s", i, d.Name, d.SHA256, l.files[i].name, l.files[i].hash)
		}
	}
	return n, nil
}

// checkServed fetches what the API serves for each acknowledged letter:
// a manifest that hashes to the acknowledged deposit digest, the
// acknowledged document digests, a token, and events numbered without a
// gap or a repeat across all the letters, whose events are the whole log.
// It returns the number of events.
func checkServed(t testing.TB, c *client, letters []ackedLetter) int {
	t.Helper()
	seqs := map[uint64]string{}
	for _, a := range letters {
		id := a.ack.ID
		if m := c.mustGet(t, "/api/v1/notices/"+id+"/manifest.json"); sha256Hex(m.body) != a.ack.DepositDigest {
			t.Errorf("%s: manifest.json hashes to %s, acknowledged digest %s", id, sha256Hex(m.body), a.ack.DepositDigest)
		}
		n := c.notice(t, id)
		if n.DepositDigest != a.ack.DepositDigest || n.Body.SHA256 != a.l.bodyHash || len(n.Documents) != len(a.l.files) {
			t.Errorf("%s: served as %+v, acknowledged as %+v", id, n, a.ack)
			continue
		}
		for i, d := range n.Documents {
			if d.SHA256 != a.l.files[i].hash {
				t.Errorf("%s: document %d served with digest %s, acknowledged %s", id, i+1, d.SHA256, a.l.files[i].hash)
			}
		}
		if n.Status != "pending_timestamp" {
			c.mustGet(t, "/api/v1/notices/"+id+"/timestamp.tsr")
		}
		for _, e := range c.events(t, id) {
			if other, dup := seqs[e.Seq]; dup {
				t.Errorf("event %d served for %s and %s", e.Seq, other, id)
			}
			seqs[e.Seq] = id
		}
	}
	for i := 1; i <= len(seqs); i++ {
		if _, ok := seqs[uint64(i)]; !ok {
			t.Errorf("the letters' %d events skip sequence number %d", len(seqs), i)
		}
	}
	return len(seqs)
}

package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

// boundary is fixed so that saved fixtures and fuzz inputs stay valid.
const boundary = "lre-test-boundary-5c2f0e"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is one running lre: a real bbolt file, the service, the web server
// behind a loopback HTTP listener, and the embedded timestamp authority.
type env struct {
	db    *storage.DB
	svc   *services.Set
	web   *web.Server
	srv   *httptest.Server
	auth  *rfc3161.Authority
	chain []byte
}

type envConfig struct {
	opts []services.Option
	ts   core.Timestamper // nil: the embedded authority, in process
	auth *rfc3161.Authority
	dir  string
	wrap func(*storage.DB) services.Store // nil: the store itself
}

type envOption func(*envConfig)

func withLimits(l core.Limits) envOption {
	return func(c *envConfig) { c.opts = append(c.opts, services.WithLetters(core.WithLimits(l))) }
}

// withTimestamper makes the service use ts, whose tokens a issues.
func withTimestamper(ts core.Timestamper, a *rfc3161.Authority) envOption {
	return func(c *envConfig) { c.ts, c.auth = ts, a }
}

// withStore makes the services see the store through wrap.
func withStore(wrap func(*storage.DB) services.Store) envOption {
	return func(c *envConfig) { c.wrap = wrap }
}

func newAuthority(t testing.TB) *rfc3161.Authority { return lretest.NewAuthority(t) }

// newEnv serves the API over an lretest.Env on a clock that follows the
// real time, as lre serve's does: these tests read the real time of
// tokens and responses.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{dir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	le := lretest.Build(t, lretest.Fixture{Dir: cfg.dir, Store: storage.Options{LockTimeout: time.Second}, Authority: cfg.auth, Timestamper: cfg.ts,
		WrapStore: cfg.wrap, Clock: lretest.Following(), NoSender: true},
		append([]services.Option{services.WithLogger(quiet), services.WithTimestampTimeout(5 * time.Second), services.WithBaseURL("http://lre.test")}, cfg.opts...)...)
	e := &env{db: le.DB, svc: le.Svc, auth: le.Authority, chain: le.Authority.ChainPEM()}
	e.web = web.NewServer(e.svc, web.Config{BaseURL: "http://lre.test", TSAChainPEM: e.chain, Logger: quiet})
	e.srv = httptest.NewServer(e.web)
	t.Cleanup(e.srv.Close)
	return e
}

// addUser creates a user through the service and returns its API key.
func (e *env) addUser(t testing.TB, email, org string, role core.Role) string {
	t.Helper()
	_, key, err := e.svc.Accounts.AddUser(context.Background(), email, "Test "+string(role), org, role)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	return key
}

// assertNothingStored checks that no letter was kept and no event logged.
func (e *env) assertNothingStored(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	pending, err := e.db.PendingTimestamps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("%d letters pending after a refused request", len(pending))
	}
	if n := e.logRecords(t); n != 0 {
		t.Errorf("evidence log holds %d records after a refused request, want 0", n)
	}
}

func (e *env) logRecords(t testing.TB) uint64 {
	t.Helper()
	n, err := e.db.VerifyLog(context.Background())
	if err != nil {
		t.Fatalf("VerifyLog: %v", err)
	}
	if _, err := e.db.VerifyRecords(context.Background(), core.CheckRecord); err != nil {
		t.Fatalf("VerifyRecords: %v", err)
	}
	return n
}

// part is one multipart part, written by hand so that tests control every
// byte: duplicated names, odd file names, lying part headers.
type part struct {
	name     string
	filename string
	file     bool
	ctype    string
	header   map[string]string
	data     []byte
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

func file(name string, data []byte) part {
	return part{name: "attachments", filename: name, file: true, ctype: "application/pdf", data: data}
}

// form is a letter's text fields.
type form map[string]string

func letter() form {
	return form{
		"recipient_email":  "bob@example.net",
		"recipient_name":   "Bob Martin",
		"subject":          "Mise en demeure",
		"body":             "Madame, Monsieur,\n\nveuillez trouver ci-joint notre mise en demeure.\n",
		"sender_reference": "REF-2025-001",
		"language":         "fr",
		"recipient_type":   "professional",
	}
}

// with returns a copy of f with k set to v.
func (f form) with(k, v string) form {
	g := form{}
	for a, b := range f {
		g[a] = b
	}
	g[k] = v
	return g
}

func (f form) without(k string) form {
	g := f.with(k, "")
	delete(g, k)
	return g
}

func (f form) parts(files ...part) []part {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []part
	for _, k := range keys {
		out = append(out, field(k, f[k]))
	}
	return append(out, files...)
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9._ -]*$`)

// dispositionParam writes v as a quoted string when it is plain, otherwise
// in RFC 2231 form, which mime.ParseMediaType decodes byte for byte.
func dispositionParam(k, v string) string {
	if plainName.MatchString(v) {
		return fmt.Sprintf("; %s=%q", k, v)
	}
	return fmt.Sprintf("; %s*=UTF-8''%s", k, url.PathEscape(v))
}

func multipartBody(parts ...part) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q", boundary, p.name)
		if p.file {
			b.WriteString(dispositionParam("filename", p.filename))
		}
		b.WriteString("\r\n")
		if p.ctype != "" {
			fmt.Fprintf(&b, "Content-Type: %s\r\n", p.ctype)
		}
		for k, v := range p.header {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
		b.WriteString("\r\n")
		b.Write(p.data)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

const multipartType = "multipart/form-data; boundary=" + boundary

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	return fmt.Sprintf("HTTP %d %s", r.status, r.body)
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func (r response) apiError(t testing.TB) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s: not a JSON error body {\"error\":{\"code\",\"message\"}} (%v)", r, err)
	}
	return e
}

func (r response) notice(t testing.TB) noticeResp {
	t.Helper()
	var n noticeResp
	if err := json.Unmarshal(r.body, &n); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return n
}

type noticeResp struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	SubmittedAt   string `json:"submitted_at"`
	DepositedAt   string `json:"deposited_at"`
	DepositDigest string `json:"deposit_digest"`
	Body          docResp
	Documents     []docResp `json:"documents"`
	Timestamp     *struct {
		Time   string `json:"time"`
		Serial string `json:"serial"`
		TSA    string `json:"tsa"`
	} `json:"timestamp"`
}

type docResp struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type eventResp struct {
	Seq      uint64            `json:"seq"`
	Type     string            `json:"type"`
	URI      string            `json:"uri"`
	Time     string            `json:"time"`
	Hash     string            `json:"hash"`
	PrevHash string            `json:"prev_hash"`
	Details  map[string]string `json:"details"`
}

func (e *env) do(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// post sends a deposit; key "" sends no Authorization header.
func (e *env) post(t testing.TB, key string, body []byte, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/notices", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", multipartType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return e.do(t, req)
}

func (e *env) get(t testing.TB, key, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.do(t, req)
}

// deposit posts a valid letter with files and requires status want.
func (e *env) deposit(t testing.TB, key string, want int, files ...part) noticeResp {
	t.Helper()
	r := e.post(t, key, multipartBody(letter().parts(files...)...))
	if r.status != want {
		t.Fatalf("deposit: %s, want %d", r, want)
	}
	return r.notice(t)
}

func (e *env) events(t testing.TB, key, id string) []eventResp {
	t.Helper()
	r := e.get(t, key, "/api/v1/notices/"+id+"/events")
	if r.status != http.StatusOK {
		t.Fatalf("events of %s: %s", id, r)
	}
	var out struct {
		Events []eventResp `json:"events"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("events of %s: %v", id, err)
	}
	return out.Events
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// opensslVerify runs exactly `openssl ts -verify -data manifest.json -in
// timestamp.tsr -CAfile certs.pem` over the given bytes and returns whether
// it printed "Verification: OK", with its output.
func opensslVerify(t testing.TB, manifest, tsr, certs []byte) (bool, string) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is required in CI: install it (scripts/test.sh does)")
		}
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{"manifest.json": manifest, "timestamp.tsr": tsr, "certs.pem": certs} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "ts", "-verify", "-data", "manifest.json", "-in", "timestamp.tsr", "-CAfile", "certs.pem")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return err == nil && strings.Contains(string(out), "Verification: OK"), string(out)
}

// requireOpenSSLVerifies fetches the three files of notice id over the API
// and checks them with openssl.
func (e *env) requireOpenSSLVerifies(t testing.TB, key, id string) {
	t.Helper()
	manifest := e.get(t, key, "/api/v1/notices/"+id+"/manifest.json")
	tsr := e.get(t, key, "/api/v1/notices/"+id+"/timestamp.tsr")
	certs := e.get(t, "", "/api/v1/tsa/certs.pem")
	for _, r := range []response{manifest, tsr, certs} {
		if r.status != http.StatusOK {
			t.Fatalf("fetch proof files of %s: %s", id, r)
		}
	}
	if ok, out := opensslVerify(t, manifest.body, tsr.body, certs.body); !ok {
		t.Fatalf("openssl ts -verify of %s failed:\n%s", id, out)
	}
}

// switchableTSA serves the authority over HTTP and can be made to fail
// with 503, like a TSA under maintenance.
type switchableTSA struct {
	down atomic.Bool
	hits atomic.Int64
	a    *rfc3161.Authority
}

func (s *switchableTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	if s.down.Load() {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	s.a.ServeHTTP(w, r)
}

// wrongNonceTSA answers every request with a correctly signed token whose
// nonce is not the one asked for, as a replaying or broken TSA would.
type wrongNonceTSA struct {
	hits atomic.Int64
	a    *rfc3161.Authority
}

func (s *wrongNonceTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	der, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(der)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if req.Nonce == nil {
		req.Nonce = big.NewInt(0)
	}
	req.Nonce = new(big.Int).Add(req.Nonce, big.NewInt(1))
	forged, err := req.Marshal()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := s.a.Respond(forged)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

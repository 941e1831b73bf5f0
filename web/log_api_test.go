package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lre-project/lre/audit"
	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/internal/storetest"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
	"github.com/lre-project/lre/web"
)

// flakyTSA fails while down is set, so that deposits stay pending.
type flakyTSA struct {
	ts   core.Timestamper
	down atomic.Bool
}

func (f *flakyTSA) Timestamp(ctx context.Context, d []byte) (core.Token, error) {
	if f.down.Load() {
		return core.Token{}, core.Errorf(core.EUNAVAILABLE, "authority down")
	}
	return f.ts.Timestamp(ctx, d)
}

// auditEnv is a server wired as lre serve wires it for auditors: the
// transparency log, certificates and the material bundles carry.
type auditEnv struct {
	db     *storage.DB
	svc    *services.Set
	srv    *httptest.Server
	auth   *rfc3161.Authority
	tsa    *flakyTSA
	signer *tlog.Signer
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	dir := t.TempDir()
	db := storetest.Open(t, dir, storage.Options{LockTimeout: time.Second})
	a := newAuthority(t)
	seal, err := certs.LoadOrCreateSeal(filepath.Join(dir, "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keyfile.LoadOrCreateLogSigner(filepath.Join(dir, "log"), tlog.Origin("lre test"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &auditEnv{db: db, auth: a, tsa: &flakyTSA{ts: rfc3161.NewLocal(a)}, signer: s}
	e.svc = lretest.Build(t, lretest.Fixture{DB: db, Authority: a, Timestamper: e.tsa, Clock: lretest.Following(), NoSender: true},
		services.WithLogger(quiet), services.WithTimestampTimeout(5*time.Second),
		services.WithEvidence(evidence.WithRenderer(certs.NewRenderer(seal, e.tsa))),
		services.WithEvidence(evidence.WithTransparencyLog(db, s)),
		services.WithEvidence(evidence.WithAuditMaterial(evidence.AuditMaterial{TSAChainPEM: a.ChainPEM(), SealPEM: seal.ChainPEM()}))).Svc
	e.srv = httptest.NewServer(web.NewServer(e.svc, web.Config{BaseURL: "http://lre.test", TSAChainPEM: a.ChainPEM(), Logger: quiet}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *auditEnv) user(t *testing.T, email, org string, role core.Role) (core.User, string) {
	t.Helper()
	u, key, err := e.svc.Accounts.AddUser(context.Background(), email, "Test "+string(role), org, role)
	if err != nil {
		t.Fatal(err)
	}
	return u, key
}

func (e *auditEnv) deposit(t *testing.T, u core.User, recipient string) core.Notice {
	t.Helper()
	n, _, err := e.svc.Letters.Deposit(context.Background(), core.DepositRequest{Sender: u, RecipientEmail: recipient, RecipientName: "Bob", Subject: "Objet", Body: "Corps"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *auditEnv) get(t *testing.T, path, key string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// errorField decodes {"error": {...}}.
func errorField(b []byte) (code, field string) {
	var v struct {
		Error struct{ Code, Field string }
	}
	json.Unmarshal(b, &v)
	return v.Error.Code, v.Error.Field
}

func TestLogAPI(t *testing.T) {
	e := newAuditEnv(t)
	if resp, b := e.get(t, "/api/v1/log/checkpoint", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("checkpoint of an empty log: %d %s", resp.StatusCode, b)
	}
	resp, key := e.get(t, "/api/v1/log/key", "")
	if resp.StatusCode != 200 || strings.TrimSpace(string(key)) != e.signer.VerifierKey() {
		t.Fatalf("key: %d %q", resp.StatusCode, key)
	}
	u, _ := e.user(t, "a@example.org", "X", core.RoleSender)
	for range 3 {
		e.deposit(t, u, "bob@example.com")
	}
	if _, _, err := e.svc.Evidence.PublishCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, note := e.get(t, "/api/v1/log/checkpoint", "")
	cp, err := tlog.OpenCheckpoint(note, string(key))
	if resp.StatusCode != 200 || err != nil || cp.Size != 3 || resp.Header.Get("X-Checkpoint-Size") != "3" {
		t.Fatalf("checkpoint: %d %v %+v\n%s", resp.StatusCode, err, cp, note)
	}
	if _, again := e.get(t, "/api/v1/log/checkpoints/3", ""); !bytes.Equal(again, note) {
		t.Error("checkpoints/3 differs from the latest")
	}
	_, tsr := e.get(t, "/api/v1/log/checkpoints/3/timestamp.tsr", "")
	sum := sha256.Sum256(note)
	if _, err := rfc3161.VerifyToken(tsr, sum[:], e.auth.Roots(), nil); err != nil {
		t.Fatalf("checkpoint token: %v", err)
	}
	var inc struct {
		Seq       uint64   `json:"seq"`
		LeafIndex uint64   `json:"leaf_index"`
		TreeSize  uint64   `json:"tree_size"`
		LeafHash  string   `json:"leaf_hash"`
		Hashes    []string `json:"hashes"`
	}
	_, b := e.get(t, "/api/v1/log/proof/inclusion?seq=2", "")
	if err := json.Unmarshal(b, &inc); err != nil || inc.Seq != 2 || inc.LeafIndex != 1 || inc.TreeSize != 3 {
		t.Fatalf("inclusion (size defaults to the latest checkpoint): %v %s", err, b)
	}
	evs, _ := e.db.NoticeEvents(context.Background(), mustList(t, e, u)[1].ID)
	leaf := evs[0].Hash
	if inc.LeafHash != hex.EncodeToString(tlog.LeafHash(leaf)) {
		t.Errorf("leaf hash %s", inc.LeafHash)
	}
	path := make([][]byte, len(inc.Hashes))
	for i, h := range inc.Hashes {
		path[i], _ = hex.DecodeString(h)
	}
	if err := tlog.VerifyInclusion(evs[0].Seq-1, cp.Size, leaf, path, cp.Root); err != nil || evs[0].Seq != 2 {
		t.Fatalf("inclusion proof of seq %d: %v (%s)", evs[0].Seq, err, b)
	}
	if resp, b := e.get(t, "/api/v1/log/proof/consistency?from=1&to=3", ""); resp.StatusCode != 200 || !strings.Contains(string(b), `"hashes":[`) {
		t.Fatalf("consistency: %d %s", resp.StatusCode, b)
	}
	for _, c := range []struct {
		path, code, field string
		status            int
	}{
		{"/api/v1/log/proof/inclusion?seq=abc&size=3", core.EINVALID, "seq", 422},
		{"/api/v1/log/proof/inclusion?size=3", core.EINVALID, "seq", 422},
		{"/api/v1/log/proof/inclusion?seq=0&size=3", core.EINVALID, "seq", 422},
		{"/api/v1/log/proof/inclusion?seq=3&size=2", core.EINVALID, "size", 422},
		{"/api/v1/log/proof/inclusion?seq=1&size=99", core.ENOTFOUND, "", 404},
		{"/api/v1/log/proof/inclusion?seq=1&size=99999999999999999999", core.EINVALID, "size", 422},
		{"/api/v1/log/proof/inclusion?seq=-1&size=3", core.EINVALID, "seq", 422},
		{"/api/v1/log/proof/consistency?from=3&to=1", core.EINVALID, "from", 422},
		{"/api/v1/log/proof/consistency?from=1&to=50", core.ENOTFOUND, "", 404},
		{"/api/v1/log/proof/consistency?to=3", core.EINVALID, "from", 422},
		{"/api/v1/log/checkpoints/2", core.ENOTFOUND, "", 404},
		{"/api/v1/log/checkpoints/x", core.EINVALID, "size", 422},
	} {
		resp, b := e.get(t, c.path, "")
		code, field := errorField(b)
		if resp.StatusCode != c.status || code != c.code || field != c.field {
			t.Errorf("%s: %d %s/%s, want %d %s/%s", c.path, resp.StatusCode, code, field, c.status, c.code, c.field)
		}
	}
}

func mustList(t *testing.T, e *auditEnv, u core.User) []core.Notice {
	t.Helper()
	p, err := e.svc.Letters.ListNotices(context.Background(), u, core.NoticeQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	// oldest first, as deposited
	for i, j := 0, len(p.Notices)-1; i < j; i, j = i+1, j-1 {
		p.Notices[i], p.Notices[j] = p.Notices[j], p.Notices[i]
	}
	return p.Notices
}

func TestEvidenceBundleAPI(t *testing.T) {
	e := newAuditEnv(t)
	u, key := e.user(t, "a@example.org", "Cabinet X", core.RoleSender)
	_, auditorKey := e.user(t, "audit@example.org", "Cabinet X", core.RoleAuditor)
	_, otherKey := e.user(t, "b@example.org", "Cabinet Y", core.RoleAuditor)
	n := e.deposit(t, u, "bob@example.com")
	path := "/api/v1/notices/" + n.ID + "/evidence.zip"

	if resp, _ := e.get(t, path, ""); resp.StatusCode != 401 {
		t.Errorf("without a key: %d", resp.StatusCode)
	}
	if resp, _ := e.get(t, path, otherKey); resp.StatusCode != 404 {
		t.Errorf("another organisation's auditor: %d", resp.StatusCode)
	}
	resp, zip1 := e.get(t, path, key)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: %d %s", resp.StatusCode, zip1)
	}
	if _, zip2 := e.get(t, path, auditorKey); !bytes.Equal(zip1, zip2) {
		t.Error("two downloads of the same bundle differ")
	}
	for q, field := range map[string]string{"?consistency_from=x": "consistency_from", "?consistency_from=999": "consistency_from"} {
		resp, b := e.get(t, path+q, key)
		if code, f := errorField(b); resp.StatusCode != 422 || code != core.EINVALID || f != field {
			t.Errorf("%s: %d %s", q, resp.StatusCode, b)
		}
	}
	if resp, b := e.get(t, path+"?consistency_from=1", key); resp.StatusCode != 200 {
		t.Errorf("consistency_from=1: %d %s", resp.StatusCode, b)
	}

	rep := verifyUploadReq(t, e, "evidence.zip", zip1, nil)
	if !rep.OK || rep.NoticeID != n.ID {
		t.Fatalf("uploaded bundle: %+v", rep)
	}
	bad := bytes.Clone(zip1)
	bad[len(bad)/2] ^= 1
	if rep := verifyUploadReq(t, e, "evidence.zip", bad, nil); rep.OK || len(rep.Failed) == 0 {
		t.Fatalf("a damaged bundle verified: %+v", rep)
	}
	cp, err := e.svc.Evidence.CheckpointAt(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep := verifyUploadReq(t, e, "evidence.zip", zip1, cp.Note); !rep.OK {
		t.Fatalf("bundle against its own checkpoint: %+v", rep)
	}
}

func TestEvidenceBundleWhilePending(t *testing.T) {
	e := newAuditEnv(t)
	u, key := e.user(t, "a@example.org", "X", core.RoleSender)
	e.tsa.down.Store(true)
	n := e.deposit(t, u, "bob@example.com")
	if resp, b := e.get(t, "/api/v1/notices/"+n.ID+"/evidence.zip", key); resp.StatusCode != 404 {
		t.Fatalf("bundle of a pending letter: %d %s", resp.StatusCode, b)
	}
}

func verifyUploadReq(t *testing.T, e *auditEnv, name string, file, checkpoint []byte) audit.Report {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(file)
	if checkpoint != nil {
		w, _ := mw.CreateFormFile("checkpoint", "checkpoint.txt")
		w.Write(checkpoint)
	}
	mw.Close()
	resp, err := http.Post(e.srv.URL+"/verify/upload", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep audit.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %d %v", resp.StatusCode, err)
	}
	return rep
}

func TestVerifyUploadRefusals(t *testing.T) {
	e := newAuditEnv(t)
	resp, err := http.Post(e.srv.URL+"/verify/upload", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if code, field := errorField(b); resp.StatusCode != 422 || code != core.EINVALID || field != "file" {
		t.Errorf("not multipart: %d %s", resp.StatusCode, b)
	}

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, _ := mw.CreateFormFile("file", "big.zip")
		chunk := make([]byte, 1<<20)
		for range 52 {
			if _, err := w.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		mw.Close()
		pw.Close()
	}()
	resp, err = http.Post(e.srv.URL+"/verify/upload", mw.FormDataContentType(), pr)
	if err != nil && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatal(err)
	}
	if err == nil {
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if code, _ := errorField(b); resp.StatusCode != 413 || code != core.ETOOLARGE {
			t.Errorf("52 MiB: %d %s", resp.StatusCode, b)
		}
	}
}

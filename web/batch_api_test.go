package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/rfc3161"
)

// withCertificates renders and seals certificates with a seal of its own,
// time-stamping the seals with authority a (nil: one of their own).
func withCertificates(t testing.TB, a ...*rfc3161.Authority) services.Option {
	t.Helper()
	seal, err := certs.LoadOrCreateSeal(filepath.Join(t.TempDir(), "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 {
		a = append(a, newAuthority(t))
	}
	return services.WithEvidence(evidence.WithRenderer(certs.NewRenderer(seal, rfc3161.NewLocal(a[0]))))
}

// newBatchEnv is newEnv with certificates, and batches of at most 50 rows.
func newBatchEnv(t *testing.T) *env {
	t.Helper()
	certificates := withCertificates(t)
	return newEnv(t, func(c *envConfig) {
		c.opts = append(c.opts, certificates, services.WithBatchMaxRows(50))
	})
}

type batchResp struct {
	ID      string              `json:"id"`
	Total   int                 `json:"total"`
	Sent    int                 `json:"sent"`
	Counts  map[core.Status]int `json:"counts"`
	Letters []struct {
		Line     int    `json:"line"`
		Email    string `json:"email"`
		LetterID string `json:"letter_id"`
		Status   string `json:"status"`
	} `json:"letters"`
	Error struct {
		Code string             `json:"code"`
		Rows []batches.RowError `json:"rows"`
	} `json:"error"`
}

func (e *env) postBatch(t *testing.T, key, idem string, csv string, files ...part) (response, batchResp) {
	t.Helper()
	parts := []part{
		{name: "recipients", filename: "coproprietaires.csv", file: true, ctype: "text/csv", data: []byte(csv)},
		field("subject", "Convocation à l’assemblée générale"), field("body", "Madame, Monsieur,"),
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/batches", bytes.NewReader(multipartBody(append(parts, files...)...)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", multipartType)
	req.Header.Set("Authorization", "Bearer "+key)
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	r := e.do(t, req)
	var b batchResp
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return r, b
}

func owners(n int) string {
	var b strings.Builder
	b.WriteString("\ufeffemail;name;reference\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "owner%d@example.com;\"Copropriétaire; lot %d\";LOT-%d\r\n", i, i, i)
	}
	return b.String()
}

func TestBatchAPISendsOneLetterPerRowAndItsProofs(t *testing.T) {
	e := newBatchEnv(t)
	key := e.addUser(t, "syndic@example.org", "Syndic", core.RoleSender)
	r, b := e.postBatch(t, key, "ag-2026", owners(12), file("convocation.pdf", []byte("%PDF-1.4 convocation")))
	if r.status != http.StatusCreated || b.Total != 12 || b.Sent != 12 || b.Counts[core.StatusDeposited] != 12 {
		t.Fatalf("POST /api/v1/batches: %s", r)
	}
	if r.header.Get("Location") != "/api/v1/batches/"+b.ID {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	seen := map[string]bool{}
	for i, l := range b.Letters {
		if l.Line != i+2 || l.Email != fmt.Sprintf("owner%d@example.com", i+1) || seen[l.LetterID] {
			t.Fatalf("letter %d = %+v", i, l)
		}
		seen[l.LetterID] = true
		if got := e.get(t, key, "/api/v1/notices/"+l.LetterID); got.status != http.StatusOK {
			t.Fatalf("letter %s: %s", l.LetterID, got)
		}
	}
	again, replay := e.postBatch(t, key, "ag-2026", owners(12), file("convocation.pdf", []byte("%PDF-1.4 convocation")))
	if again.status != http.StatusCreated || replay.ID != b.ID || again.header.Get("Idempotent-Replayed") != "true" || replay.Letters[5].LetterID != b.Letters[5].LetterID {
		t.Fatalf("replay: %s", again)
	}
	if n := e.logRecords(t); n != 12 {
		t.Errorf("evidence log holds %d records after a batch of 12 sent twice, want 12", n)
	}
	z := e.get(t, key, "/api/v1/batches/"+b.ID+"/proofs.zip")
	zr, err := zip.NewReader(bytes.NewReader(z.body), int64(len(z.body)))
	if z.status != http.StatusOK || err != nil {
		t.Fatalf("proofs.zip: %s, %v", z, err)
	}
	pdfs := 0
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/deposit.pdf") && seen[strings.TrimSuffix(f.Name, "/deposit.pdf")] {
			pdfs++
		}
	}
	if pdfs != 12 || zr.File[0].Name != "letters.csv" {
		t.Errorf("proofs.zip holds %d deposit proofs of the batch's letters (first entry %s), want 12", pdfs, zr.File[0].Name)
	}
}

func TestBatchAPIRefusesEveryBadRow(t *testing.T) {
	e := newBatchEnv(t)
	key := e.addUser(t, "syndic@example.org", "Syndic", core.RoleSender)
	csv := "email,name,language\nok@example.com,Ok,\nbad@,Bad,\n,No Email,\nx@example.com,,\ny@example.com,Y,es\n"
	r, b := e.postBatch(t, key, "bad-1", csv)
	if r.status != http.StatusUnprocessableEntity || b.Error.Code != core.EINVALID || len(b.Error.Rows) != 4 {
		t.Fatalf("bad rows: %s", r)
	}
	for i, want := range []struct {
		line  int
		field string
	}{{3, "email"}, {4, "email"}, {5, "name"}, {6, "language"}} {
		if got := b.Error.Rows[i]; got.Line != want.line || got.Field != want.field {
			t.Errorf("row error %d = %+v, want line %d field %s", i, got, want.line, want.field)
		}
	}
	e.assertNothingStored(t)
	if r, _ := e.postBatch(t, key, "", owners(1)); r.status != http.StatusUnprocessableEntity {
		t.Errorf("no Idempotency-Key: %s, want 422", r)
	}
	if r, _ := e.postBatch(t, key, "big", owners(51)); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("51 rows over a limit of 50: %s, want 413", r)
	}
	e.assertNothingStored(t)
}

func TestBatchAPIHidesOtherOrganisations(t *testing.T) {
	e := newBatchEnv(t)
	key := e.addUser(t, "syndic@example.org", "Syndic", core.RoleSender)
	other := e.addUser(t, "eve@example.net", "Other", core.RoleAdmin)
	_, b := e.postBatch(t, key, "k", owners(1))
	for _, path := range []string{"/api/v1/batches/" + b.ID, "/api/v1/batches/" + b.ID + "/proofs.zip", "/api/v1/batches/BATCH-nope"} {
		if r := e.get(t, other, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s by another organisation: %s, want 404", path, r)
		}
	}
	if _, err := e.svc.Letters.Notice(context.Background(), core.User{}, b.Letters[0].LetterID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("letter visible to nobody: %v", err)
	}
}

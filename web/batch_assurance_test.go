package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestBatchRequiredAssurance: a batch's shared required_assurance and each
// row's birthdate reach every letter, in its manifest too.
func TestBatchRequiredAssurance(t *testing.T) {
	e := newBatchEnv(t)
	key := e.addUser(t, "syndic@example.org", "Syndic", core.RoleSender)
	csv := "email,name,birthdate\r\nanne@example.com,Anne Roy,14/06/1981\r\nluc@example.com,Luc Roy,\r\n"
	r, b := e.postBatch(t, key, "ag-level", csv, field("required_assurance", "substantial"))
	if r.status != http.StatusCreated || len(b.Letters) != 2 {
		t.Fatalf("POST /api/v1/batches: %s", r)
	}
	for i, birth := range []string{"1981-06-14", ""} {
		n, err := e.db.Notice(context.Background(), b.Letters[i].LetterID)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := core.Manifest(n)
		if err != nil {
			t.Fatal(err)
		}
		if n.RequiredLevel() != core.AssuranceSubstantial || n.RecipientBirthdate != birth || !strings.Contains(string(m), `"required_assurance":"substantial"`) {
			t.Errorf("row %d: level %q, birth date %q, manifest %s", i, n.RequiredLevel(), n.RecipientBirthdate, m)
		}
	}
}

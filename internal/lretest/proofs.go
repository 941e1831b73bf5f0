package lretest

import (
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
)

// Proofs is the option that lets the services issue what auditors
// download, over db: sealed certificates (their signatures time-stamped by
// a), the transparency log that certificates and bundles cite, and the
// material an evidence bundle carries. The seal and log keys are made in
// a temporary directory, as cmd makes them in the data directory.
func Proofs(t testing.TB, db *storage.DB, a *rfc3161.Authority) services.Option {
	t.Helper()
	dir := t.TempDir()
	seal, err := certs.LoadOrCreateSeal(filepath.Join(dir, "seal"), "lre test", time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keyfile.LoadOrCreateLogSigner(filepath.Join(dir, "log"), tlog.Origin("lre test"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return services.WithEvidence(
		evidence.WithRenderer(certs.NewRenderer(seal, rfc3161.NewLocal(a))),
		evidence.WithTransparencyLog(db, signer),
		evidence.WithAuditMaterial(evidence.AuditMaterial{TSAChainPEM: a.ChainPEM(), SealPEM: seal.ChainPEM()}),
	)
}

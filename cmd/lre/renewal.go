package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/rfc3161"
)

// renewEvery is how often the serve loop checks whether a certificate
// nears its end; the margin (--renew-before) is months, so a day is often
// enough, and the check is cheap when nothing is due.
const renewEvery = 24 * time.Hour

// pki is what key renewal changes while lre runs: the seal and, without
// --tsa, the embedded authority. Everything published reads it through
// these methods, so a renewal shows at once in certs.pem and bundles.
type pki struct {
	seal        *certs.Seal
	authority   *rfc3161.Authority // nil with --tsa
	externalTSA []byte             // --tsa-roots, with --tsa
}

func (p pki) tsaPEM() []byte {
	if p.authority == nil {
		return p.externalTSA
	}
	return p.authority.GenerationsPEM()
}

func (p pki) chains() (tsa, seal []byte) { return p.tsaPEM(), p.seal.GenerationsPEM() }

// renew renews the seal and the embedded authority when their certificate
// ends within --renew-before, then gives every stored certificate that
// needs one a new document time-stamp and every checkpoint that needs one
// a new archive token (with the renewed authority's new key). It is what
// the serve loop runs daily and `lre evidence refresh` runs once; running
// it twice renews nothing twice. With rotate (lre evidence refresh
// --rotate) both keys are replaced now, due or not, and every proof gets
// a time-stamp from the new authority key.
func (a *app) renew(ctx context.Context, now time.Time, rotate bool) (string, error) {
	sealRenewed, tsaRenewed, err := a.rotateKeys(now, rotate)
	if err != nil {
		return "", err
	}
	which := evidence.RenewDue
	if rotate {
		which = evidence.RenewAll
	}
	n, err := a.svc.Evidence.RenewCertificates(ctx, which)
	cps := 0
	if err == nil {
		cps, err = a.svc.Evidence.ArchiveCheckpoints(ctx, which)
	}
	summary := fmt.Sprintf("seal renewed: %v, time-stamping authority renewed: %v, certificates re-time-stamped: %d, checkpoints re-time-stamped: %d", sealRenewed, tsaRenewed, n, cps)
	if err != nil {
		return summary, fmt.Errorf("%s; stopped: %w", summary, err)
	}
	return summary, nil
}

// rotateKeys renews the seal and the embedded authority when due, or now
// with force; an external authority's keys are its operator's.
func (a *app) rotateKeys(now time.Time, force bool) (seal, tsa bool, err error) {
	if force {
		if err := a.pki.seal.Rotate(now); err != nil {
			return false, false, fmt.Errorf("rotate seal: %w", err)
		}
		if a.pki.authority == nil {
			return true, false, nil
		}
		if err := a.pki.authority.Rotate(now); err != nil {
			return true, false, fmt.Errorf("rotate time-stamping authority: %w", err)
		}
		return true, true, nil
	}
	if seal, err = a.pki.seal.RenewIfDue(now); err != nil {
		return false, false, fmt.Errorf("renew seal: %w", err)
	}
	if a.pki.authority != nil {
		if tsa, err = a.pki.authority.RenewIfDue(now); err != nil {
			return seal, false, err
		}
	}
	return seal, tsa, nil
}

// runRenewal runs renew at start and then every renewEvery until ctx ends.
func (a *app) runRenewal(ctx context.Context) {
	t := time.NewTicker(renewEvery)
	defer t.Stop()
	for {
		summary, err := a.renew(ctx, time.Now(), false)
		if err != nil {
			a.log.Error("evidence renewal failed; retried at the next check", "err", err)
		} else {
			a.log.Info("evidence renewal checked", "result", summary)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runEvidenceRefresh is lre evidence refresh: with the server stopped (it
// holds the store), it runs the renewal the serve loop runs daily, once, now.
func runEvidenceRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var rotate bool
	cfg, err := parseServeAs("evidence refresh", "Renew the seal and embedded TSA certificates that end within --renew-before, then add a document time-stamp to every stored certificate, and an archive token to every checkpoint, whose newest time-stamp's certificate does (takes the flags of lre serve; stop the server first).", args, stderr,
		func(f *flags) {
			f.bool(&rotate, "rotate", "", false, "issue new seal and embedded TSA keys and certificates now, even when not due (earlier generations stay published), then re-time-stamp every certificate and checkpoint with the new key")
		})
	if err != nil {
		return err
	}
	a, err := newApp(cfg, newLogger(cfg.logFormat, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	summary, err := a.renew(ctx, time.Now(), rotate)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "evidence refresh:", summary)
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lre-project/lre/certs"
	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/evidence"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/internal/keyfile"
	"github.com/lre-project/lre/metrics"
	"github.com/lre-project/lre/smtp"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/tlog"
	"github.com/lre-project/lre/web"
)

// app is the wired service: the only place that knows every package.
type app struct {
	cfg        serveConfig
	log        *slog.Logger
	db         *storage.DB
	svc        *services.Set
	srv        *web.Server
	bounce     *smtp.BounceServer
	quarantine *smtp.Quarantine // returned mail applied to no letter, under DATA/bounces
	mailLabel  string
	relay      *smtp.RelayWatch // nil with the dev mailbox
	metrics    *metrics.Metrics
	closeKeys  func()
	pki        pki
}

// newApp opens the store, loads or creates the keys, and wires the
// service to its adapters.
func newApp(cfg serveConfig, log *slog.Logger) (*app, error) {
	opts := storage.Options{}
	if storeHooks != nil {
		storeHooks(&opts)
	}
	db, err := openStore(cfg.data, cfg.store, opts)
	if err != nil {
		return nil, err
	}
	if err := checkKeys(cfg, db); err != nil {
		db.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db}
	if err := a.wire(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire() error {
	cfg := a.cfg
	a.metrics = metrics.New()
	a.metrics.WatchQueues(a.queues, time.Now)
	keys, closeKeys, err := cfg.custody.openKeys()
	if err != nil {
		return err
	}
	a.closeKeys = closeKeys
	ts, chainPEM, authority, err := newTimestamper(cfg, keys, a.metrics.TimestampRejected)
	if err != nil {
		return err
	}
	ts = a.metrics.Timestamper(tsaLabel(cfg), ts)
	seal, err := certs.LoadOrCreateSeal(filepath.Join(cfg.data, "seal"), cfg.providerName, time.Now, rand.Reader,
		certs.WithIdentity(cfg.custody.identity(cfg.providerName)), certs.WithKeys(keys),
		certs.WithCRLURL(cfg.baseURL+"/api/v1/seal/crl"), certs.WithRenewBefore(cfg.custody.renewBefore))
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	a.pki = pki{seal: seal, authority: authority, externalTSA: chainPEM}
	loc, err := cfg.deadlineZone()
	if err != nil {
		return err
	}
	renderer := certs.NewRenderer(seal, ts, certs.WithValidationData(validationData(authority, a.pki.tsaPEM)), certs.WithLocation(loc))
	logKey, err := keyfile.LoadOrCreateLogSigner(filepath.Join(cfg.data, "log"), tlog.Origin(cfg.providerName), rand.Reader)
	if err != nil {
		return fmt.Errorf("transparency log key: %w", err)
	}
	checkKey, err := loadOrCreateCheckKey(filepath.Join(cfg.data, "check.key"))
	if err != nil {
		return err
	}
	mailer, mailbox, err := a.newMailer(loc)
	if err != nil {
		return err
	}
	mailer = a.metrics.Mailer(mailer)
	bounceKey, err := loadOrCreateBounceKey(filepath.Join(cfg.data, bounceKeyFile))
	if err != nil {
		return err
	}
	reminders, _ := cfg.reminders()
	provider := core.Provider{Name: cfg.providerName, Address: cfg.providerAddress, FromEmail: cfg.mailFrom, Qualified: cfg.qualified}
	a.svc = services.New(a.metrics.Store(a.db), ts,
		services.WithLogger(a.log),
		services.WithBatchMaxRows(int(cfg.batchMaxRows)),
		services.WithEvidence(evidence.WithCheckKey(checkKey)),
		services.WithLetters(core.WithLimits(core.Limits{MaxTotalBytes: cfg.maxTotal, MaxFiles: int(cfg.maxFiles), MaxNameBytes: int(cfg.maxName)})),
		services.WithLetters(core.WithMailer(mailer)),
		services.WithProvider(provider),
		services.WithBaseURL(cfg.baseURL),
		services.WithLetters(core.WithBounceDomain(cfg.bounceDomain)),
		services.WithLetters(core.WithBounceKey(bounceKey)),
		services.WithLetters(core.WithDeadlines(core.DeadlinePolicy{Days: int(cfg.deadlineDays), Location: loc, Reminders: reminders})),
		services.WithLetters(core.WithRetry(core.RetryPolicy{Base: time.Minute, Max: 2 * time.Hour, MaxAge: cfg.retryMaxAge})),
		services.WithLetters(core.WithMailConnections(int(cfg.smtpConns))),
		services.WithEvidence(evidence.WithRenderer(renderer)),
		services.WithEvidence(evidence.WithRenewal(certs.NewRenewer(renderer, cfg.custody.renewBefore), a.db)),
		services.WithEvidence(evidence.WithETSIEvidence(certs.NewEvidenceSigner(seal, time.Now, rand.Reader), a.db)),
		services.WithWebhooks(webhooks.WithDelivery(a.webhookPoster(), a.webhookPolicy())),
		services.WithLetters(core.WithRetention(cfg.retention)),
		services.WithEvidence(evidence.WithTransparencyLog(a.db, logKey)),
		services.WithEvidence(evidence.WithAuditMaterial(evidence.AuditMaterial{Live: a.pki.chains})),
		services.WithIdentityPolicy(cfg.identity.policy()),
	)
	a.metrics.WatchSenders(a.svc.Letters.SuspendedSenders)
	identity, err := cfg.identity.web(cfg.baseURL)
	if err != nil {
		return err
	}
	webCfg := web.Config{
		Location:       loc,
		Identity:       identity,
		BaseURL:        cfg.baseURL,
		Chains:         a.pki.chains,
		SealCRL:        func() ([]byte, error) { return seal.CRL(time.Now()) },
		TrustedProxies: splitList(cfg.trustedProxies),
		Logger:         a.log,
		Ops:            a.webOps(),
	}
	if authority != nil {
		webCfg.TSACRL = authority.CRL
	}
	if mailbox != nil {
		webCfg.DevMailbox = devMailbox{mailbox}
	}
	a.srv = web.NewServer(a.svc, webCfg)
	if cfg.bounceListen != "" {
		a.quarantine = &smtp.Quarantine{Dir: filepath.Join(cfg.data, "bounces")}
		a.bounce = smtp.NewBounceServer(cfg.bounceListen, cfg.bounceDomain, a.svc.Letters.HandleBounce, a.keepBounce)
	}
	return nil
}

// newMailer returns the SMTP sender, or the dev mailbox when no relay is
// set; either writes deadlines in loc.
func (a *app) newMailer(loc *time.Location) (core.Mailer, *smtp.Mailbox, error) {
	cfg := a.cfg
	var dkim *smtp.DKIMConfig
	if cfg.dkimKey != "" {
		key, err := smtp.LoadDKIMKey(cfg.dkimKey)
		if err != nil {
			return nil, nil, fmt.Errorf("--dkim-key: %w", err)
		}
		dkim = &smtp.DKIMConfig{Domain: cfg.dkimDomain, Selector: cfg.dkimSelector, Signer: key}
	}
	if cfg.devMailbox() {
		dir := filepath.Join(cfg.data, "mailbox")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("dev mailbox: %w", err)
		}
		mb := &smtp.Mailbox{Dir: dir, Location: loc}
		a.mailLabel = "dev mailbox at " + cfg.baseURL + "/dev/mailbox"
		return mb, mb, nil
	}
	mode := map[string]smtp.TLSMode{"required": smtp.TLSRequired, "opportunistic": smtp.TLSOpportunistic, "off": smtp.TLSOff}[cfg.startTLS()]
	a.mailLabel = "SMTP relay " + cfg.smtpAddr + " (STARTTLS " + cfg.startTLS() + ")"
	a.relay = smtp.NewRelayWatch(cfg.smtpAddr, &smtp.Sender{Addr: cfg.smtpAddr, HeloName: cfg.smtpHelo, StartTLS: mode, Username: cfg.smtpUser, Password: cfg.smtpPassword, DKIM: dkim, Location: loc})
	return a.relay, nil, nil
}

// keepBounce files returned mail that was applied to no letter under
// DATA/bounces for the operator (bounded: see smtp.Quarantine).
func (a *app) keepBounce(raw []byte, reason string) {
	if err := a.quarantine.Keep(raw, reason); err != nil {
		a.metrics.ObserveKept("dropped")
		a.log.Warn("returned mail dropped", "reason", reason, "bytes", len(raw), "err", err)
		return
	}
	a.metrics.ObserveKept("kept")
	a.log.Warn("returned mail kept in DATA/bounces", "reason", reason, "bytes", len(raw))
}

// Run starts the background workers and the listeners and blocks until ctx
// ends; then it waits for the workers to stop.
func (a *app) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.db.Lead(ctx, a.wake, a.runBackground) }()
	if a.bounce != nil {
		go func() {
			if err := a.bounce.ListenAndServe(); err != nil && ctx.Err() == nil {
				a.log.Error("bounce listener stopped", "err", err)
			}
		}()
	}
	a.log.Info("lre listening", "addr", a.cfg.listen, "base_url", a.cfg.baseURL, "data", a.cfg.data, "tsa", tsaLabel(a.cfg), "mail", a.mailLabel)
	err := a.srv.ListenAndServe(ctx, a.cfg.listen)
	cancel()
	wg.Wait()
	return err
}

// runBackground runs the background workers until ctx ends. On a store
// shared by several processes (PostgreSQL) only the leader runs them, so
// that each piece of work is done once (storage.DB.Lead).
func (a *app) runBackground(ctx context.Context) {
	a.log.Info("running background work (timestamps, outbox, deadlines, webhooks, checkpoints, retention)")
	var wg sync.WaitGroup
	every := a.cfg.retryEvery
	for _, job := range []func(context.Context, time.Duration){a.svc.Letters.RunPendingTimestamps, a.svc.Letters.RunOutbox, a.svc.Letters.RunDeadlines} {
		wg.Add(1)
		go func() { defer wg.Done(); job(ctx, every) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); a.svc.Evidence.RunCheckpoints(ctx, a.cfg.checkpointEvery) }()
	a.runOps(ctx, &wg)
	wg.Add(1)
	go func() { defer wg.Done(); a.runRenewal(ctx) }()
	wg.Wait()
}

// wake tells the workers that another process queued work for them.
func (a *app) wake() {
	a.svc.Letters.Kick()
	a.svc.Webhooks.KickWebhooks()
}

// Close stops the bounce listener, ends the idle SMTP connections and
// closes the store.
func (a *app) Close() {
	if a.bounce != nil {
		a.bounce.Close()
	}
	if a.relay != nil {
		a.relay.Close()
	}
	a.db.Close()
	if a.closeKeys != nil {
		a.closeKeys()
	}
}

func tsaLabel(cfg serveConfig) string {
	if cfg.tsaURLs == "" {
		return "embedded (non-qualified)"
	}
	return cfg.tsaURLs
}

// devMailbox adapts the dev mailbox to the web page's interface.
type devMailbox struct{ mb *smtp.Mailbox }

func (d devMailbox) List() ([]web.MailboxItem, error) {
	entries, err := d.mb.List()
	if err != nil {
		return nil, err
	}
	out := make([]web.MailboxItem, 0, len(entries))
	for _, e := range entries {
		out = append(out, web.MailboxItem{Name: e.Name, To: e.To, Subject: e.Subject, Date: e.Date, Size: e.Size})
	}
	return out, nil
}

func (d devMailbox) Read(name string) ([]byte, error) { return d.mb.Read(name) }

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the deadline zone exists on any host

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
	"github.com/lre-project/lre/rfc3161"
)

// serveConfig is everything `lre serve` reads from flags and environment.
type serveConfig struct {
	listen, data, baseURL, store  string
	tsaURLs, tsaRoots             string
	providerName, providerAddress string
	qualified                     bool
	mailFrom                      string
	trustedProxies, logFormat     string
	maxTotal, maxFiles, maxName   int64
	batchMaxRows                  int64
	retryEvery, tsaMaxSkew        time.Duration

	smtpAddr, smtpTLS, smtpUser, smtpPassword, smtpHelo string
	dkimKey, dkimSelector, dkimDomain                   string
	bounceListen, bounceDomain                          string
	deadlineDays, smtpConns                             int64
	deadlineTZ, reminderDays                            string
	retryMaxAge                                         time.Duration
	checkpointEvery                                     time.Duration

	retention, webhookTimeout time.Duration
	webhookPrivate, metrics   bool
	dev                       bool

	custody  custodyConfig
	identity identityConfig
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	return parseServeAs("serve", "Start the service: API, pages and background workers.", args, stderr)
}

// parseServeAs parses the serve flags for another command that wires the
// same service (lre evidence refresh), with the flags extra adds.
func parseServeAs(name, summary string, args []string, stderr io.Writer, extra ...func(*flags)) (serveConfig, error) {
	f := newFlags(name, summary, stderr)
	var c serveConfig
	f.string(&c.listen, "listen", "LRE_LISTEN", "127.0.0.1:8080", "address to listen on")
	f.string(&c.data, "data", "LRE_DATA", "./lre-data", "data directory (database, keys, dev mailbox)")
	storeFlag(f, &c.store)
	f.string(&c.baseURL, "base-url", "LRE_BASE_URL", "", "public URL of the service, used in links (default http://<listen>)")
	f.string(&c.tsaURLs, "tsa", "LRE_TSA_URLS", "", "comma-separated RFC 3161 authority URLs, tried in order; empty = the embedded (non-qualified) authority")
	f.string(&c.tsaRoots, "tsa-roots", "LRE_TSA_ROOTS", "", "PEM file of the roots trusted for --tsa tokens (required with --tsa)")
	f.duration(&c.tsaMaxSkew, "tsa-max-skew", "LRE_TSA_MAX_SKEW", rfc3161.DefaultMaxSkew, "how far a --tsa token's genTime may be from the local clock, beyond the authority's stated accuracy; a token outside is refused and the letter stays pending_timestamp")
	f.string(&c.providerName, "provider-name", "LRE_PROVIDER_NAME", "", "the provider's name, shown in mails, pages and proofs (required outside development; default there "+devProviderName+")")
	f.string(&c.providerAddress, "provider-address", "LRE_PROVIDER_ADDRESS", "", "the provider's postal address, shown in mails, pages and proofs (required outside development; default there the base URL)")
	f.bool(&c.qualified, "qualified", "LRE_QUALIFIED", false, "the provider is a qualified trust service provider using a qualified TSA (eIDAS art. 44); leave off otherwise")
	f.string(&c.mailFrom, "mail-from", "LRE_MAIL_FROM", "", "From: address of outgoing mail (default noreply@<bounce-domain>)")
	f.string(&c.trustedProxies, "trusted-proxies", "LRE_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted")
	f.string(&c.logFormat, "log-format", "LRE_LOG_FORMAT", "text", "log format: text or json")
	f.int64(&c.maxTotal, "max-total-size", "LRE_MAX_TOTAL_SIZE", 25<<20, "largest letter in bytes (body plus attachments)")
	f.int64(&c.maxFiles, "max-files", "LRE_MAX_FILES", 20, "most attachments per letter")
	f.int64(&c.batchMaxRows, "batch-max-rows", "LRE_BATCH_MAX_ROWS", batches.DefaultMaxRows, "most recipients per batch")
	f.int64(&c.maxName, "max-file-name", "LRE_MAX_FILE_NAME", 255, "longest attachment file name in bytes")
	f.duration(&c.retryEvery, "retry-interval", "LRE_RETRY_INTERVAL", 30*time.Second, "how often pending timestamps, the outbox and deadlines are checked")
	f.string(&c.smtpAddr, "smtp", "LRE_SMTP_ADDR", "", "SMTP relay host:port; empty = the dev mailbox (mail written as .eml under DATA/mailbox, listed at /dev/mailbox)")
	f.bool(&c.dev, "dev", "LRE_DEV", false, "development mode: without --smtp, mail goes to the dev mailbox at /dev/mailbox even when --base-url is not a loopback address (never on a public deployment: it shows every link and code to anyone)")
	f.string(&c.smtpTLS, "smtp-starttls", "LRE_SMTP_STARTTLS", "", "STARTTLS: required, opportunistic or off (default: required, but opportunistic towards a loopback relay)")
	f.string(&c.smtpUser, "smtp-user", "LRE_SMTP_USER", "", "SMTP AUTH user name")
	f.string(&c.smtpPassword, "smtp-password", "LRE_SMTP_PASSWORD", "", "SMTP AUTH password (prefer the environment variable)")
	f.string(&c.smtpHelo, "smtp-helo", "LRE_SMTP_HELO", "", "HELO/EHLO name (default: the From domain)")
	f.string(&c.dkimKey, "dkim-key", "LRE_DKIM_KEY", "", "PEM private key for DKIM signing (RSA or Ed25519)")
	f.string(&c.dkimSelector, "dkim-selector", "LRE_DKIM_SELECTOR", "", "DKIM selector")
	f.string(&c.dkimDomain, "dkim-domain", "LRE_DKIM_DOMAIN", "", "DKIM signing domain (d=)")
	f.string(&c.bounceListen, "bounce-listen", "LRE_BOUNCE_LISTEN", "", "address of the SMTP listener for late bounces (DSN); empty = off")
	f.string(&c.bounceDomain, "bounce-domain", "LRE_BOUNCE_DOMAIN", "localhost", "domain of VERP return paths bounce+<id>@domain")
	f.int64(&c.deadlineDays, "deadline-days", "LRE_DEADLINE_DAYS", 15, "days the recipient has, counted from the day after notification")
	f.string(&c.deadlineTZ, "deadline-tz", "LRE_DEADLINE_TZ", core.DefaultDeadlineZone, "time zone whose 23:59:59 ends the deadline; pages, mails and certificates write times in it")
	f.string(&c.reminderDays, "reminder-days", "LRE_REMINDER_DAYS", "7,12", "days after notification when reminders are sent (empty = none)")
	f.duration(&c.checkpointEvery, "checkpoint-interval", "LRE_CHECKPOINT_INTERVAL", time.Minute, "how often a signed, timestamped checkpoint of the evidence log is published when the log grew")
	f.int64(&c.smtpConns, "smtp-connections", "LRE_SMTP_CONNECTIONS", core.DefaultMailConnections, "how many notifications are sent at a time (1-16)")
	f.duration(&c.retryMaxAge, "smtp-retry-max-age", "LRE_SMTP_RETRY_MAX_AGE", 72*time.Hour, "how long a temporarily refused notification is retried")
	f.duration(&c.retention, "retention", "LRE_RETENTION", core.DefaultRetention, "how long after deposit a letter's body and attachments are kept before they are crypto-shredded; proofs stay (0 = keep forever)")
	f.duration(&c.webhookTimeout, "webhook-timeout", "LRE_WEBHOOK_TIMEOUT", 10*time.Second, "how long a webhook endpoint has to answer one delivery")
	f.bool(&c.webhookPrivate, "webhook-allow-private", "LRE_WEBHOOK_ALLOW_PRIVATE", false, "let webhooks target loopback and private addresses (on-premises receivers); off guards against SSRF")
	f.bool(&c.metrics, "metrics", "LRE_METRICS", true, "serve Prometheus metrics at /metrics (expose it to the monitoring network only)")
	custodyFlags(f, &c.custody)
	c.identity.register(f)
	for _, add := range extra {
		add(f)
	}
	if err := f.parse(args); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c *serveConfig) validate() error {
	if c.baseURL == "" {
		c.baseURL = "http://" + c.listen
	}
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	if c.mailFrom == "" {
		c.mailFrom = "noreply@" + c.bounceDomain
	}
	switch {
	case c.logFormat != "text" && c.logFormat != "json":
		return fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	case c.batchMaxRows <= 0:
		return errors.New("--batch-max-rows must be positive")
	case c.maxTotal <= 0 || c.maxFiles < 0 || c.maxName <= 0:
		return errors.New("--max-total-size, --max-files and --max-file-name must be positive")
	case c.smtpTLS != "" && c.smtpTLS != "required" && c.smtpTLS != "opportunistic" && c.smtpTLS != "off":
		return fmt.Errorf("--smtp-starttls must be required, opportunistic or off, not %q", c.smtpTLS)
	case (c.dkimKey == "") != (c.dkimSelector == "") || (c.dkimKey == "") != (c.dkimDomain == ""):
		return errors.New("--dkim-key, --dkim-selector and --dkim-domain go together")
	case c.smtpConns < 1 || c.smtpConns > 16:
		return errors.New("--smtp-connections must be between 1 and 16")
	case c.deadlineDays < 1:
		return errors.New("--deadline-days must be at least 1")
	case c.tsaMaxSkew < 0 || c.tsaMaxSkew > time.Hour:
		return errors.New("--tsa-max-skew must be between 0 and 1h")
	case c.retryEvery <= 0:
		return errors.New("--retry-interval must be positive")
	case c.checkpointEvery <= 0:
		return errors.New("--checkpoint-interval must be positive")
	case c.retention < 0 || (c.retention > 0 && c.retention < 24*time.Hour):
		return errors.New("--retention must be 0 (keep forever) or at least 24h")
	case c.webhookTimeout <= 0 || c.webhookTimeout > time.Minute:
		return errors.New("--webhook-timeout must be positive and at most 1m")
	}
	if err := c.checkDevMailbox(); err != nil {
		return err
	}
	if err := c.checkProvider(); err != nil {
		return err
	}
	if _, err := c.deadlineZone(); err != nil {
		return err
	}
	if _, err := c.reminders(); err != nil {
		return err
	}
	if err := c.custody.identity(c.providerName).Validate(); err != nil {
		return err
	}
	if err := c.custody.validate(); err != nil {
		return err
	}
	return c.identity.validate()
}

func (c *serveConfig) reminders() ([]int, error) {
	var out []int
	for _, s := range splitList(c.reminderDays) {
		d, err := strconv.Atoi(s)
		if err != nil || d < 1 || int64(d) >= c.deadlineDays {
			return nil, fmt.Errorf("--reminder-days: %q is not a day between 1 and %d", s, c.deadlineDays-1)
		}
		out = append(out, d)
	}
	return out, nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// runServe builds the app, runs it until ctx is cancelled (SIGINT/SIGTERM)
// and shuts down cleanly.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.logFormat, stderr)
	gc := applyGCDefaults(os.Getenv, memoryLimitFor(cfg.store))
	log.Info("garbage collector", "gc_percent", gc.Percent, "memory_limit_mib", gc.MemoryLimit>>20, "from_environment", gc.FromEnv)
	a, err := newApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "lre serving on %s (data in %s, mail: %s)\n", cfg.baseURL, cfg.data, a.mailLabel)
	err = a.Run(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("lre stopped")
	return err
}

// deadlineZone loads --deadline-tz: an IANA zone, never the host's own
// ("Local" or empty), which would change with the machine the service
// runs on. The deadlines, the pages, the mails and the certificates all
// take it from here.
func (c serveConfig) deadlineZone() (*time.Location, error) {
	if c.deadlineTZ == "" || c.deadlineTZ == "Local" {
		return nil, fmt.Errorf("--deadline-tz must name a zone such as %s, not the host's", core.DefaultDeadlineZone)
	}
	loc, err := time.LoadLocation(c.deadlineTZ)
	if err != nil {
		return nil, fmt.Errorf("--deadline-tz: %w", err)
	}
	return loc, nil
}

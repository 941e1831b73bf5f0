package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
)

// serveConfig is everything `lre serve` reads from flags and environment.
type serveConfig struct {
	listen         string
	data           string
	baseURL        string
	tsaURLs        string
	tsaRoots       string
	providerName   string
	trustedProxies string
	logFormat      string
	maxTotal       int64
	maxFiles       int64
	maxName        int64
	retryEvery     time.Duration
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	f := newFlags("serve", "Start the service: API, pages and background workers.", stderr)
	var c serveConfig
	f.string(&c.listen, "listen", "LRE_LISTEN", "127.0.0.1:8080", "address to listen on")
	f.string(&c.data, "data", "LRE_DATA", "./lre-data", "data directory (database, keys, dev mailbox)")
	f.string(&c.baseURL, "base-url", "LRE_BASE_URL", "", "public URL of the service, used in links (default http://<listen>)")
	f.string(&c.tsaURLs, "tsa", "LRE_TSA_URLS", "", "comma-separated RFC 3161 authority URLs, tried in order; empty = the embedded (non-qualified) authority")
	f.string(&c.tsaRoots, "tsa-roots", "LRE_TSA_ROOTS", "", "PEM file of the roots trusted for --tsa tokens (required with --tsa)")
	f.string(&c.providerName, "provider-name", "LRE_PROVIDER_NAME", "lre", "the provider's name, shown in mails and proofs")
	f.string(&c.trustedProxies, "trusted-proxies", "LRE_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted")
	f.string(&c.logFormat, "log-format", "LRE_LOG_FORMAT", "text", "log format: text or json")
	f.int64(&c.maxTotal, "max-total-size", "LRE_MAX_TOTAL_SIZE", core.DefaultLimits.MaxTotalBytes, "largest letter in bytes (body plus attachments)")
	f.int64(&c.maxFiles, "max-files", "LRE_MAX_FILES", int64(core.DefaultLimits.MaxFiles), "most attachments per letter")
	f.int64(&c.maxName, "max-file-name", "LRE_MAX_FILE_NAME", int64(core.DefaultLimits.MaxNameBytes), "longest attachment file name in bytes")
	f.duration(&c.retryEvery, "retry-interval", "LRE_RETRY_INTERVAL", 30*time.Second, "how often pending timestamps are retried")
	if err := f.parse(args); err != nil {
		return c, err
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.listen
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	if c.maxTotal <= 0 || c.maxFiles < 0 || c.maxName <= 0 {
		return c, errors.New("--max-total-size, --max-files and --max-file-name must be positive")
	}
	return c, nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// runServe wires the store, the timestamper, the service and the web server,
// then runs until ctx is cancelled (SIGINT/SIGTERM) and shuts down cleanly.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.logFormat, stderr)
	db, err := storage.Open(cfg.data, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	ts, chainPEM, err := newTimestamper(cfg)
	if err != nil {
		return err
	}
	svc := core.NewService(db, ts,
		core.WithLogger(log),
		core.WithLimits(core.Limits{MaxTotalBytes: cfg.maxTotal, MaxFiles: int(cfg.maxFiles), MaxNameBytes: int(cfg.maxName)}),
	)
	srv := web.NewServer(svc, web.Config{
		BaseURL:        cfg.baseURL,
		TSAChainPEM:    chainPEM,
		TrustedProxies: splitList(cfg.trustedProxies),
		Logger:         log,
	})
	go svc.RunPendingTimestamps(ctx, cfg.retryEvery)
	log.Info("lre listening", "addr", cfg.listen, "base_url", cfg.baseURL, "data", cfg.data, "tsa", tsaLabel(cfg))
	fmt.Fprintf(stdout, "lre serving on http://%s (data in %s)\n", cfg.listen, cfg.data)
	err = srv.ListenAndServe(ctx, cfg.listen)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("lre stopped")
	return err
}

func tsaLabel(cfg serveConfig) string {
	if cfg.tsaURLs == "" {
		return "embedded (non-qualified)"
	}
	return cfg.tsaURLs
}

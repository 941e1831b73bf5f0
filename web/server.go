// Package web is lre's HTTP face: the JSON API and the server-rendered pages. It
// wraps echo so that cmd never imports it, keeps the whole route table in
// routes.go and the error-to-status table in errors.go. Handlers are thin:
// bind and bound the input, call core, render.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
)

// Config holds what the web layer needs beyond the service.
type Config struct {
	BaseURL        string
	TSAChainPEM    []byte   // served at /api/v1/tsa/certs.pem
	SealChainPEM   []byte   // served at /api/v1/seal/certs.pem: trust anchor for certificate PDFs
	TrustedProxies []string // CIDRs whose X-Forwarded-For is believed
	Logger         *slog.Logger
	// DevMailbox, when set, is shown at /dev/mailbox; nil removes the route.
	DevMailbox DevMailbox
	// PageGets and PagePosts limit requests per client IP on the pages;
	// zero values mean 20/s (burst 40) and 5/s (burst 10).
	PageGets, PagePosts RateLimit
	// Location is the deadline zone (--deadline-tz): the pages write every
	// time in it and name it, as the mails and certificates do; nil is
	// core.DefaultDeadlineZone.
	Location *time.Location
	// Now is the clock of waits, drafts and sign-ins; nil is time.Now. A
	// letter's stage is the domain's answer (core.StageAt), never this
	// clock's. Pass the service's clock so that both agree.
	Now func() time.Time
	// Ops wires metrics, readiness checks and backups (ops_config.go).
	Ops Ops
	// SealCRL and TSACRL return the DER CRLs served at /api/v1/seal/crl and
	// /api/v1/tsa/crl; nil answers 404 (an external authority).
	SealCRL, TSACRL func() ([]byte, error)
	// Chains, when set, returns what /api/v1/tsa/certs.pem and
	// /api/v1/seal/certs.pem serve, and wins over TSAChainPEM and
	// SealChainPEM: key renewal adds generations while the server runs.
	Chains func() (tsa, seal []byte)
	// Identity offers sign-in through an OpenID Connect provider (oidc_*.go).
	Identity IdentityConfig
}

// Server is the HTTP server of lre.
type Server struct {
	echo  *echo.Echo
	svc   *services.Set
	cfg   Config
	log   *slog.Logger
	pages map[string]*template.Template
	// redact hides the secret path segments in logs; built from the routes.
	redact redactor
	oidc   *oidcPages // nil: no identity provider configured
}

// NewServer builds the server and its routes.
func NewServer(svc *services.Set, cfg Config) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, svc: svc, cfg: cfg, log: cfg.Logger, pages: parsePages(), oidc: newOIDCPages(svc.Letters, cfg.Identity)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.Location == nil {
		s.cfg.Location = core.DefaultDeadlineLocation()
	}
	e.HTTPErrorHandler = s.handleAnyError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.Use(middleware.RequestID())
	e.Use(s.observeRequests)
	e.Use(middleware.Recover())
	e.Use(secureHeaders(s.oidc.formTarget()))
	if strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://") {
		e.Use(strictTransport)
	}
	s.routes()
	s.redact = newRedactor(e.Routes())
	return s
}

// ipExtractor trusts X-Forwarded-For only from configured proxies; echo's
// default believes any client, which defeats per-IP limits.
func ipExtractor(cidrs []string) echo.IPExtractor {
	if len(cidrs) == 0 {
		return echo.ExtractIPDirect()
	}
	var opts []echo.TrustOption
	for _, c := range cidrs {
		if _, n, err := net.ParseCIDR(c); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	return echo.ExtractIPFromXFFHeader(opts...)
}

// secureHeaders sets strict defaults on every response. formTarget is an
// origin forms may lead to besides this site (the identity provider, which
// a sign-in form redirects to), or "".
func secureHeaders(formTarget string) echo.MiddlewareFunc {
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'" + formTarget + "; frame-ancestors 'none'; base-uri 'none'"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", csp)
			h.Set("Cache-Control", "no-store")
			return next(c)
		}
	}
}

// strictTransport tells browsers to use https only for a year (RFC 6797),
// set when the public base URL is https: a recipient's link then cannot be
// downgraded to plain http by someone on the network.
func strictTransport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000")
		return next(c)
	}
}

// ServeHTTP makes the server usable with httptest and any http.Server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish for up to 20 seconds.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

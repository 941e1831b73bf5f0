package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/metrics"
	"github.com/lre-project/lre/rfc3161"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/web"
	"github.com/lre-project/lre/webhook"
)

// opsSite is a site wired like lre serve: metrics decorating the
// timestamper and the mailer, webhooks on the real client, the access log
// captured as JSON, and the operations hooks of web.Ops.
type opsSite struct {
	*site
	dir     string
	auth    *rfc3161.Authority
	metrics *metrics.Metrics
	logs    *syncBuffer
	web     *web.Server
}

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type opsOption func(*opsSetup)

type opsSetup struct {
	svc          []services.Option
	allowPrivate bool
	timestamper  func(*metrics.Metrics) (string, core.Timestamper)
}

// withOpsTimestamper replaces the embedded authority: ts gets the site's
// metrics (to wire rfc3161.WithRejected) and returns its label and itself.
func withOpsTimestamper(ts func(*metrics.Metrics) (string, core.Timestamper)) opsOption {
	return func(c *opsSetup) { c.timestamper = ts }
}

// withService adds service options (retention, policies).
func withService(o ...services.Option) opsOption {
	return func(c *opsSetup) { c.svc = append(c.svc, o...) }
}

// withPrivateHooks lets webhooks target the loopback receivers of tests.
func withPrivateHooks() opsOption { return func(c *opsSetup) { c.allowPrivate = true } }

func newOpsSite(t testing.TB, opts ...opsOption) *opsSite {
	t.Helper()
	var setup opsSetup
	for _, o := range opts {
		o(&setup)
	}
	s := &opsSite{dir: t.TempDir(), auth: lretest.NewAuthority(t), metrics: metrics.New(), logs: &syncBuffer{}}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	log := slog.New(slog.NewJSONHandler(s.logs, nil))
	policy := webhooks.DefaultWebhookPolicy
	policy.AllowPrivate = setup.allowPrivate
	poster := webhook.New(webhook.Options{AllowPrivate: setup.allowPrivate, Timeout: 5 * time.Second})
	label, ts := "embedded", core.Timestamper(rfc3161.NewLocal(s.auth))
	if setup.timestamper != nil {
		label, ts = setup.timestamper(s.metrics)
	}
	e := lretest.Build(t, lretest.Fixture{
		Dir: s.dir, Store: storage.Options{LockTimeout: time.Second}, Authority: s.auth, Timestamper: s.metrics.Timestamper(label, ts),
		Clock:     lretest.NewClock(time.Now().UTC().Truncate(time.Second)),
		WrapStore: func(db *storage.DB) services.Store { return s.metrics.Store(db) }, WrapMailer: s.metrics.Mailer, NoSender: true,
	}, append([]services.Option{
		services.WithLogger(log), services.WithBaseURL(base),
		services.WithProvider(core.Provider{Name: "Poste Test", FromEmail: "noreply@lre.test"}),
		services.WithWebhooks(webhooks.WithDelivery(s.metrics.WebhookPoster(poster), policy)),
	}, setup.svc...)...)
	db := e.DB
	s.site = &site{db: db, svc: e.Svc, srv: srv, clock: e.Clock, mail: e.Mailer, url: base}
	s.metrics.WatchSenders(s.svc.Letters.SuspendedSenders)
	s.metrics.WatchQueues(func(ctx context.Context) (metrics.Queues, error) {
		q, err := db.QueueStats(ctx)
		return metrics.Queues{Outbox: q.Outbox, Webhooks: q.Webhooks, PendingTimestamps: q.PendingTimestamps, OldestOutboxDue: q.OldestOutboxDue, OldestWebhookDue: q.OldestWebhookDue}, err
	}, s.clock.Now)
	s.web = web.NewServer(s.svc, web.Config{
		BaseURL: base, TSAChainPEM: s.auth.ChainPEM(), Logger: log, Now: s.clock.Now,
		PageGets: web.RateLimit{PerSecond: 10000, Burst: 10000}, PagePosts: web.RateLimit{PerSecond: 10000, Burst: 10000},
		Ops: web.Ops{
			Metrics: s.metrics,
			Backup:  db.Backup,
			Ready: []web.ReadyCheck{
				{Name: "store", Check: func(context.Context) error { return db.Ping() }},
				{Name: "outbox", Check: web.QueueAgeCheck(func(ctx context.Context) (time.Time, error) {
					q, err := db.QueueStats(ctx)
					return q.OldestOutboxDue, err
				}, s.clock.Now, 15*time.Minute)},
			},
		},
	})
	srv.Config.Handler = s.web
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

// user adds an account and returns its API key.
func (s *opsSite) user(t testing.TB, org string, role core.Role) string {
	t.Helper()
	domain := strings.ToLower(strings.ReplaceAll(org, " ", "-"))
	if domain == "" {
		domain = "provider" // the operator and other users without an organisation
	}
	email := fmt.Sprintf("%s%d@%s.example", role, time.Now().UnixNano(), domain)
	_, key, err := s.svc.Accounts.AddUser(context.Background(), email, "Test "+string(role), org, role)
	if err != nil {
		t.Fatalf("add %s: %v", role, err)
	}
	return key
}

// api sends a JSON request (body may be empty) with an API key.
func (s *opsSite) api(t testing.TB, method, path, key, body string) exchange {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.url+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return do(t, s.srv.Client(), req)
}

// decode unmarshals an exchange's JSON body, failing on another status.
func decodeAs[T any](t testing.TB, what string, x exchange, status int) T {
	t.Helper()
	want(t, what, x, status)
	var v T
	if err := json.Unmarshal([]byte(x.body), &v); err != nil {
		t.Fatalf("%s: %v in %s", what, err, x.body)
	}
	return v
}

func (s *opsSite) deliverHooks(t testing.TB) {
	t.Helper()
	if _, err := s.svc.Webhooks.ProcessWebhooks(context.Background()); err != nil {
		t.Fatalf("process webhooks: %v", err)
	}
}

// hookReceiver is a loopback endpoint that checks every signature.
type hookReceiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	fail   int // answer 500 to this many requests first
	bodies []map[string]any
}

func newHookReceiver(t testing.TB) *hookReceiver {
	r := &hookReceiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := webhook.Verify(req.Header.Get(webhook.SignatureHeader), r.secret, body, time.Now(), 5*time.Minute); err != nil {
			r.t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.fail > 0 {
			r.fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var m map[string]any
		json.Unmarshal(body, &m)
		r.bodies = append(r.bodies, m)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) received() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

func (r *hookReceiver) setSecret(s string) {
	r.mu.Lock()
	r.secret = s
	r.mu.Unlock()
}

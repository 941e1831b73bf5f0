package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/services"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/webhook"
)

// hookPayload is the JSON a webhook receives.
type hookPayload struct {
	DeliveryID string `json:"delivery_id"`
	Seq        uint64 `json:"seq"`
	Type       string `json:"type"`
	URI        string `json:"uri"`
	LetterID   string `json:"letter_id"`
	Time       string `json:"time"`
	Hash       string `json:"hash"`
}

// received is one request a receiver got, with what it answered.
type received struct {
	header  http.Header
	body    []byte
	payload hookPayload
	status  int
}

// receiver is a real HTTP endpoint on loopback that checks every
// signature and answers from a script (then 200).
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	script []int
	got    []received
}

func newReceiver(t testing.TB, script ...int) *receiver {
	r := &receiver{t: t, script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(req.Header.Get(webhook.SignatureHeader), r.secret, body, time.Now(), 5*time.Minute); err != nil {
		r.t.Errorf("receiver: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	var p hookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		r.t.Errorf("receiver: body %s: %v", body, err)
	}
	r.got = append(r.got, received{header: req.Header.Clone(), body: body, payload: p, status: status})
	w.WriteHeader(status)
	io.WriteString(w, `{"ok":true}`)
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	r.secret = s
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// hookPolicy allows loopback (the receiver) and retries from one minute.
var hookPolicy = webhooks.WebhookPolicy{Retry: core.RetryPolicy{Base: time.Minute, Max: time.Hour, MaxAge: 24 * time.Hour}, AllowPrivate: true, MaxPerOrg: 10}

func withHooks() services.Option {
	return services.WithWebhooks(webhooks.WithDelivery(webhook.New(webhook.Options{AllowPrivate: true, Timeout: 5 * time.Second}), hookPolicy))
}

// admin adds an admin of the harness sender's organisation.
func admin(h *lretest.Env) core.User {
	h.T.Helper()
	email := fmt.Sprintf("admin%d@cabinet-martin.example", time.Now().UnixNano())
	u, _, err := h.Svc.Accounts.AddUser(context.Background(), email, "Claire Admin", h.Sender.Organisation, core.RoleAdmin)
	if err != nil {
		h.T.Fatal(err)
	}
	return u
}

// hook registers r for the sender's organisation.
func hook(h *lretest.Env, r *receiver) webhooks.Webhook {
	h.T.Helper()
	w, err := h.Svc.Webhooks.CreateWebhook(context.Background(), admin(h), r.srv.URL+"/lre")
	if err != nil {
		h.T.Fatal(err)
	}
	r.setSecret(w.Secret)
	return w
}

func deliverHooks(h *lretest.Env) int {
	h.T.Helper()
	n, err := h.Svc.Webhooks.ProcessWebhooks(context.Background())
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}

func deliveries(h *lretest.Env, hookID string) []webhooks.WebhookDelivery {
	h.T.Helper()
	ds, err := h.DB.WebhookDeliveries(context.Background(), hookID, 0, 100)
	if err != nil {
		h.T.Fatal(err)
	}
	return ds
}

func seqsOf(rs []received) []uint64 {
	var out []uint64
	for _, r := range rs {
		out = append(out, r.payload.Seq)
	}
	return out
}

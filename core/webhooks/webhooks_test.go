package webhooks_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/internal/lretest"
	"github.com/lre-project/lre/storage"
	"github.com/lre-project/lre/webhook"
)

// TestWebhookSignedDelivery: the receiver gets the event as JSON, its
// signature verifies, and a tampered body, another secret or an old
// timestamp do not.
func TestWebhookSignedDelivery(t *testing.T) {
	h := lretest.New(t, withHooks())
	r := newReceiver(t)
	w := hook(h, r)
	n := h.Deposit()
	if got := deliverHooks(h); got != 1 {
		t.Fatalf("ProcessWebhooks attempted %d deliveries, want 1", got)
	}
	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	ev := h.Events(n.ID)[0]
	p := reqs[0].payload
	want := hookPayload{DeliveryID: reqs[0].header.Get(webhook.DeliveryHeader), Seq: ev.Seq, Type: "SubmissionAcceptance",
		URI: "http://uri.etsi.org/19522/Event/SubmissionAcceptance", LetterID: n.ID, Time: ev.Time.UTC().Format(time.RFC3339Nano), Hash: hex.EncodeToString(ev.Hash)}
	if p != want {
		t.Errorf("payload = %+v\nwant      %+v", p, want)
	}
	if ct := reqs[0].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	sig := reqs[0].header.Get(webhook.SignatureHeader)
	body := reqs[0].body
	tampered := bytes.Replace(body, []byte(n.ID), []byte("LRE-AAAA-AAAA-AAAA-AAAA"), 1)
	tests := []struct {
		name   string
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		{"as sent", body, w.Secret, time.Now(), nil},
		{"tampered body", tampered, w.Secret, time.Now(), webhook.ErrBadSignature},
		{"other secret", body, "whsec_other", time.Now(), webhook.ErrBadSignature},
		{"replayed an hour later", body, w.Secret, time.Now().Add(time.Hour), webhook.ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhook.Verify(sig, tt.secret, tt.body, tt.now, 5*time.Minute); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	ds := deliveries(h, w.ID)
	if len(ds) != 1 || !ds[0].Done || ds[0].Outcome != webhooks.WebhookDelivered || len(ds[0].Attempts) != 1 || ds[0].Attempts[0].Status != 200 {
		t.Errorf("delivery record = %+v, want one delivered attempt with 200", ds)
	}
}

// TestWebhookOrderUnderRetries: the receiver refuses the first delivery
// with 500; the letter's next event waits for it and arrives after it.
func TestWebhookOrderUnderRetries(t *testing.T) {
	h := lretest.New(t, withHooks())
	r := newReceiver(t, http.StatusInternalServerError)
	hook(h, r)
	n := h.Deposit()
	deliverHooks(h) // SubmissionAcceptance: 500
	h.Process()     // NotificationForAcceptance queued behind it
	if got := deliverHooks(h); got != 0 {
		t.Fatalf("%d deliveries were due while the first one waits for its retry", got)
	}
	h.Clock.Add(2 * time.Minute)
	deliverHooks(h) // SubmissionAcceptance again: 200; the next becomes due
	deliverHooks(h) // NotificationForAcceptance
	evs := h.Events(n.ID)
	got := r.requests()
	wantSeqs := []uint64{evs[0].Seq, evs[0].Seq, evs[1].Seq}
	if !slices.Equal(seqsOf(got), wantSeqs) {
		t.Fatalf("receiver saw seqs %v, want %v", seqsOf(got), wantSeqs)
	}
	if got[0].status != 500 || got[1].status != 200 || got[2].payload.Type != "NotificationForAcceptance" {
		t.Errorf("statuses %d, %d and last type %s", got[0].status, got[1].status, got[2].payload.Type)
	}
	if got[0].payload.DeliveryID != got[1].payload.DeliveryID {
		t.Errorf("a retry changed the delivery id: %s then %s", got[0].payload.DeliveryID, got[1].payload.DeliveryID)
	}
}

// TestWebhookBackoffSchedule follows a receiver that always fails: each
// wait doubles from Base up to Max with at most 20% jitter, the delivery is
// abandoned once MaxAge has passed since the first attempt, and only then
// does the letter's next event go.
func TestWebhookBackoffSchedule(t *testing.T) {
	h := lretest.New(t, withHooks())
	fails := make([]int, 200)
	for i := range fails {
		fails[i] = http.StatusServiceUnavailable
	}
	r := newReceiver(t, fails...)
	w := hook(h, r)
	h.Deposit()
	h.Process()
	first := h.Clock.Now()
	for attempt := 1; ; attempt++ {
		if got := deliverHooks(h); got != 1 {
			t.Fatalf("attempt %d: %d deliveries due, want 1", attempt, got)
		}
		d := deliveries(h, w.ID)[1] // newest first: [next event, this one]
		if d.Done {
			if d.Outcome != webhooks.WebhookAbandoned || h.Clock.Now().Sub(first) < 24*time.Hour {
				t.Fatalf("finished as %s after %s", d.Outcome, h.Clock.Now().Sub(first))
			}
			if attempt < 20 {
				t.Errorf("abandoned after only %d attempts", attempt)
			}
			break
		}
		base := min(time.Minute<<(attempt-1), time.Hour)
		if wait := d.NotBefore.Sub(h.Clock.Now()); wait < base || wait > base+base/5 {
			t.Fatalf("after attempt %d the wait is %s, want %s plus at most 20%%", attempt, wait, base)
		}
		h.Clock.Add(d.NotBefore.Sub(h.Clock.Now()))
		if attempt > 100 {
			t.Fatal("never abandoned")
		}
	}
	deliverHooks(h)
	got := r.requests()
	if last := got[len(got)-1].payload.Type; last != "NotificationForAcceptance" {
		t.Errorf("after abandoning, the next delivery was %s, want the letter's next event", last)
	}
}

// TestWebhookQueueSurvivesReopen: a delivery queued with its event is in
// the file; a new process on the same data dir delivers it.
func TestWebhookQueueSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	r := newReceiver(t)
	ctx := context.Background()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := lretest.On(t, db, lretest.NewAuthority(t), withHooks())
	hook(h, r)
	n := h.Deposit()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if len(r.requests()) != 0 {
		t.Fatal("delivered before the worker ran")
	}
	db2, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svc := lretest.Build(t, lretest.Fixture{DB: db2, Clock: h.Clock, NoSender: true}, withHooks()).Svc
	if _, err := svc.Webhooks.ProcessWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	got := r.requests()
	if len(got) != 1 || got[0].payload.LetterID != n.ID || got[0].payload.Type != "SubmissionAcceptance" {
		t.Fatalf("after reopening the receiver got %+v", got)
	}
}

func TestWebhookURLGuard(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/lre", false, true},
		{"http://93.184.215.14:8080/x", false, true},
		{"ftp://hooks.example.com/", false, false},
		{"/relative", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"http://127.0.0.1:9000/", false, false},
		{"http://localhost/", false, false},
		{"http://[::1]/", false, false},
		{"http://10.1.2.3/", false, false},
		{"http://192.168.0.10/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://[::ffff:127.0.0.1]/", false, false},
		{"http://0.0.0.0/", false, false},
		{"http://100.64.0.1/", false, false},
		{"http://127.0.0.1:9000/", true, true},
	}
	for _, tt := range tests {
		_, err := webhooks.CheckWebhookURL(tt.url, tt.allowPrivate)
		if (err == nil) != tt.ok {
			t.Errorf("CheckWebhookURL(%q, allowPrivate=%v) = %v, want ok=%v", tt.url, tt.allowPrivate, err, tt.ok)
		}
		if err != nil && core.ErrorCode(err) != core.EINVALID {
			t.Errorf("CheckWebhookURL(%q): code %s, want %s", tt.url, core.ErrorCode(err), core.EINVALID)
		}
	}
	h := lretest.New(t) // default policy: no private targets
	r := newReceiver(t)
	if _, err := h.Svc.Webhooks.CreateWebhook(context.Background(), admin(h), r.srv.URL); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("CreateWebhook on loopback without the allowance: %v, want %s", err, core.EINVALID)
	}
}

func TestWebhookAdministration(t *testing.T) {
	ctx := context.Background()
	h := lretest.New(t, withHooks())
	r := newReceiver(t)
	w := hook(h, r)
	other, _, err := h.Svc.Accounts.AddUser(ctx, "admin@other.example", "Other Admin", "Other Org", core.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.Webhooks.CreateWebhook(ctx, h.Sender, r.srv.URL); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Errorf("a sender created a webhook: %v", err)
	}
	if _, err := h.Svc.Webhooks.WebhookDeliveries(ctx, other, w.ID, 0, 10); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another organisation's admin read the deliveries: %v", err)
	}
	if err := h.Svc.Webhooks.DeleteWebhook(ctx, other, w.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another organisation's admin deleted the webhook: %v", err)
	}
	if hooks, _ := h.Svc.Webhooks.Webhooks(ctx, other); len(hooks) != 0 {
		t.Errorf("another organisation sees %d webhooks", len(hooks))
	}
	admin := admin(h)
	hooks, err := h.Svc.Webhooks.Webhooks(ctx, admin)
	if err != nil || len(hooks) != 1 || hooks[0].ID != w.ID || hooks[0].Secret != "" {
		t.Fatalf("Webhooks = %+v, %v; want the one webhook without its secret", hooks, err)
	}

	h.Deposit()
	deliverHooks(h)
	d := deliveries(h, w.ID)[0]
	if _, err := h.Svc.Webhooks.ReplayWebhookDelivery(ctx, other, w.ID, d.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another organisation replayed: %v", err)
	}
	replay, err := h.Svc.Webhooks.ReplayWebhookDelivery(ctx, admin, w.ID, d.ID)
	if err != nil || replay.ReplayOf != d.ID || replay.Done {
		t.Fatalf("replay = %+v, %v", replay, err)
	}
	if _, err := h.Svc.Webhooks.ReplayWebhookDelivery(ctx, admin, w.ID, replay.ID); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("replaying a queued delivery: %v, want %s", err, core.ECONFLICT)
	}
	deliverHooks(h)
	if got := r.requests(); len(got) != 2 || got[1].payload.Seq != got[0].payload.Seq || got[1].payload.DeliveryID != replay.ID {
		t.Fatalf("after the replay the receiver got %+v", got)
	}

	h.Process() // a new event queued for the webhook
	if err := h.Svc.Webhooks.DeleteWebhook(ctx, admin, w.ID); err != nil {
		t.Fatal(err)
	}
	if n := deliverHooks(h); n != 0 {
		t.Errorf("%d deliveries due after the webhook was deleted", n)
	}
	if len(r.requests()) != 2 {
		t.Errorf("the deleted webhook still received")
	}
}

// TestWebhookWants: a webhook without chosen events receives every one,
// one with chosen events only those.
func TestWebhookWants(t *testing.T) {
	all := webhooks.Webhook{}
	refusals := webhooks.Webhook{Events: []core.EventType{core.EventConsignmentRejection}}
	for _, tc := range []struct {
		w    webhooks.Webhook
		t    core.EventType
		want bool
	}{
		{all, core.EventSubmissionAcceptance, true},
		{all, core.EventConsignmentRejection, true},
		{refusals, core.EventConsignmentRejection, true},
		{refusals, core.EventSubmissionAcceptance, false},
	} {
		if got := tc.w.Wants(tc.t); got != tc.want {
			t.Errorf("%v.Wants(%s) = %v", tc.w.Events, tc.t, got)
		}
	}
}

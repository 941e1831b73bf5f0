package e2e_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDevMailboxOnlyWhenAskedFor: lre serve with a public base URL and no
// mail relay refuses to start and names --smtp; with --dev it starts and
// serves the dev mailbox; on a loopback base URL the dev mailbox is the
// default and the evidence of its "delivery" says that no mail left.
func TestDevMailboxOnlyWhenAskedFor(t *testing.T) {
	t.Run("public base URL without --smtp", func(t *testing.T) {
		p := newProc(t, t.TempDir(), "--base-url", "https://lre.example.test")
		err := p.tryStart(15 * time.Second)
		if err == nil || !strings.Contains(err.Error(), "exited") {
			t.Fatalf("lre serve started on a public base URL without a relay (%v)", err)
		}
		logs := p.logs.tail(10)
		if !strings.Contains(logs, "--smtp") || !strings.Contains(logs, "https://lre.example.test") {
			t.Errorf("the refusal does not name --smtp and the base URL:\n%s", logs)
		}
	})
	t.Run("public base URL with --dev", func(t *testing.T) {
		p := newProc(t, t.TempDir(), "--base-url", "https://lre.example.test", "--dev")
		p.start()
		c := newClient(p.url(""), "", 5*time.Second)
		c.mustGet(t, "/dev/mailbox")
	})
	t.Run("loopback: delivery evidence says development mailbox", func(t *testing.T) {
		dir := t.TempDir()
		_, key := addSender(t, dir, "durand@cabinet.example")
		p := newProc(t, dir)
		p.start()
		c := newClient(p.url(""), key, 10*time.Second)
		l := newLetter(rand.New(rand.NewPCG(1, 2)), "DEV1", 0, 1)
		r, err := c.deposit(context.Background(), l)
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("deposit: %v %v", r, err)
		}
		n, _ := checkAck(l, r)
		var got []event
		waitFor(t, 10*time.Second, "the notification", func() bool {
			got = eventsOf(c.events(t, n.ID), "NotificationForAcceptance")
			return len(got) == 1
		})
		if d := got[0].Details["development_mailbox"]; !strings.Contains(d, "no mail was sent") {
			t.Errorf("NotificationForAcceptance details %v do not say it was a development mailbox", got[0].Details)
		}
	})
}

// TestRelayWithoutStartTLS: a relay on loopback that offers no STARTTLS
// takes mail by default; with --smtp-starttls required every refused
// attempt is logged at WARN with its reason and /readyz reports the
// outbox as failing instead of staying green while no mail leaves.
func TestRelayWithoutStartTLS(t *testing.T) {
	t.Run("loopback relay, default mode", func(t *testing.T) {
		sk := startSink(t, behaviour{})
		dir := t.TempDir()
		_, key := addSender(t, dir, "durand@cabinet.example")
		p := newProc(t, dir, "--smtp", sk.addr)
		p.start()
		id := depositOne(t, newClient(p.url(""), key, 10*time.Second), "TLS1")
		waitFor(t, 10*time.Second, "the notification at the relay", func() bool { return sk.count(notificationID(id)) == 1 })
	})
	t.Run("STARTTLS required", func(t *testing.T) {
		sk := startSink(t, behaviour{})
		dir := t.TempDir()
		_, key := addSender(t, dir, "durand@cabinet.example")
		p := newProc(t, dir, "--smtp", sk.addr, "--smtp-starttls", "required")
		p.start()
		c := newClient(p.url(""), key, 10*time.Second)
		id := depositOne(t, c, "TLS2")
		waitFor(t, 10*time.Second, "a WARN line for the refused attempt", func() bool {
			logs := p.logs.tail(40)
			return strings.Contains(logs, "level=WARN") && strings.Contains(logs, "mail not delivered") &&
				strings.Contains(logs, "does not offer STARTTLS") && strings.Contains(logs, id)
		})
		r, err := c.do(context.Background(), http.MethodGet, "/readyz", "", nil)
		if err != nil || r.status != http.StatusServiceUnavailable {
			t.Fatalf("/readyz: %v %v, want 503", r, err)
		}
		var ready struct {
			Checks map[string]struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			} `json:"checks"`
		}
		decode(t, r, &ready)
		if o := ready.Checks["outbox"]; o.OK || !strings.Contains(o.Error, "STARTTLS") {
			t.Errorf("/readyz outbox = %+v, want failing and naming STARTTLS", o)
		}
		if sk.count(notificationID(id)) != 0 {
			t.Errorf("the mail was sent in clear although STARTTLS is required")
		}
	})
}

// depositOne deposits one small letter and returns its id.
func depositOne(t testing.TB, c *client, tag string) string {
	t.Helper()
	l := newLetter(rand.New(rand.NewPCG(7, 8)), tag, 0, 1)
	r, err := c.deposit(context.Background(), l)
	if err != nil || r.status != http.StatusCreated {
		t.Fatalf("deposit: %v %v", r, err)
	}
	n, err := checkAck(l, r)
	if err != nil {
		t.Fatal(err)
	}
	return n.ID
}

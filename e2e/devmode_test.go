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

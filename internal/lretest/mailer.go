package lretest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/lre-project/lre/core"
)

// Mailer answers each Send with the next scripted result, or a 250 once
// the script is used up. The SMTP side of these answers is tested against
// a real server in smtp and integration.
type Mailer struct {
	mu     sync.Mutex
	script []core.DeliveryResult
	sent   []core.OutgoingMail
	clock  *Clock
}

// Send records om and answers the next scripted result at the clock's time.
func (m *Mailer) Send(ctx context.Context, om core.OutgoingMail) (core.DeliveryResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, om)
	r := core.DeliveryResult{Class: core.DeliveryAccepted, Host: "mx.test", Code: 250, Enhanced: "2.0.0", Text: "Ok: queued as Q1"}
	if len(m.script) > 0 {
		r, m.script = m.script[0], m.script[1:]
	}
	r.Time = m.clock.Now()
	return r, nil
}

// Script sets the answers of the next sends.
func (m *Mailer) Script(rs ...core.DeliveryResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.script = rs
}

// Sent returns a copy of every mail sent so far.
func (m *Mailer) Sent() []core.OutgoingMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]core.OutgoingMail(nil), m.sent...)
}

// Kinds returns the kind of every mail sent so far, in order.
func (m *Mailer) Kinds() []core.MailKind {
	var out []core.MailKind
	for _, s := range m.Sent() {
		out = append(out, s.Kind)
	}
	return out
}

// Last returns the latest mail of kind to addr, and fails t when there is
// none.
func (m *Mailer) Last(t testing.TB, kind core.MailKind, addr string) core.OutgoingMail {
	t.Helper()
	sent := m.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Kind == kind && strings.EqualFold(sent[i].To.Email, addr) {
			return sent[i]
		}
	}
	t.Fatalf("no %s mail to %s among %d sent", kind, addr, len(sent))
	return core.OutgoingMail{}
}

// Count returns how many mails of kind were sent.
func (m *Mailer) Count(kind core.MailKind) int {
	n := 0
	for _, s := range m.Sent() {
		if s.Kind == kind {
			n++
		}
	}
	return n
}

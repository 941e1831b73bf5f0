package lretest

import (
	"context"
	"sync"

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

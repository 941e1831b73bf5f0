package smtp

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lre-project/lre/core"
)

// RelayWatch is a Mailer that remembers whether the relay itself works. A
// failure before MAIL FROM (connection, greeting, STARTTLS, authentication:
// DeliveryResult.RelayFailure) is the relay's or the configuration's, not
// the recipient's, and every mail will meet it; one attempt that gets past
// it proves the relay works again.
type RelayWatch struct {
	next   core.Mailer
	name   string
	mu     sync.Mutex
	err    string
	since  time.Time
	failed int
}

var _ core.Mailer = (*RelayWatch)(nil)

// NewRelayWatch watches next, a mailer towards the relay called name.
func NewRelayWatch(name string, next core.Mailer) *RelayWatch {
	return &RelayWatch{next: next, name: name}
}

// Send delivers through the watched mailer and records the relay's state.
func (w *RelayWatch) Send(ctx context.Context, m core.OutgoingMail) (core.DeliveryResult, error) {
	res, err := w.next.Send(ctx, m)
	if ctx.Err() != nil {
		return res, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !res.RelayFailure {
		w.err, w.failed = "", 0
		return res, err
	}
	if w.failed == 0 {
		w.since = res.Time
	}
	w.err, w.failed = res.Text, w.failed+1
	return res, err
}

// Close closes the watched mailer when it holds connections (a Sender's
// idle sessions).
func (w *RelayWatch) Close() error {
	if c, ok := w.next.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Health returns nil while the relay works, else an error naming the last
// relay-level failure, how many attempts in a row met it and since when:
// for /readyz, where an outbox that retries with backoff would otherwise
// look healthy while no mail leaves.
func (w *RelayWatch) Health(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed == 0 {
		return nil
	}
	return fmt.Errorf("relay %s: %d attempt(s) in a row failed since %s: %s", w.name, w.failed, w.since.UTC().Format(time.RFC3339), w.err)
}

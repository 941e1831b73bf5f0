package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/lre-project/lre/core/webhooks"
)

// ErrForbiddenAddress means the webhook's host resolved to a loopback,
// private or link-local address while those are not allowed. Fix the URL,
// or start lre with --webhook-allow-private for on-premises receivers.
var ErrForbiddenAddress = errors.New("webhook: target address is loopback, private or link-local")

// Options tune the client. Zero values pick the defaults.
type Options struct {
	Timeout      time.Duration    // whole request, default 10s
	AllowPrivate bool             // allow loopback and private targets (tests, on-premises)
	Now          func() time.Time // signing clock, default time.Now
	MaxResponse  int64            // bytes of the answer kept, default 1 KiB
}

// Client POSTs signed deliveries.
type Client struct {
	http *http.Client
	now  func() time.Time
	keep int64
}

var _ webhooks.WebhookPoster = (*Client)(nil)

// New returns a client with its own transport: no proxy from the
// environment (it would bypass the address check), no redirects.
func New(o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxResponse == 0 {
		o.MaxResponse = 1 << 10
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: guard(o.AllowPrivate)}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	hc := &http.Client{
		Transport:     tr,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{http: hc, now: o.Now, keep: o.MaxResponse}
}

// guard checks every address actually dialled, after DNS resolution, so a
// name that resolves (or is rebound) to an internal address is refused.
func guard(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !webhooks.PublicAddr(ap.Addr()) {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		}
		return nil
	}
}

// Post sends body to hook.URL signed with its secret. Any HTTP answer is
// returned with its status and the start of its body; an error means none
// came back.
func (c *Client) Post(ctx context.Context, hook webhooks.Webhook, deliveryID string, body []byte) (webhooks.WebhookResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return webhooks.WebhookResponse{}, fmt.Errorf("webhook request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "lre-webhook/1")
	h.Set(DeliveryHeader, deliveryID)
	h.Set(SignatureHeader, Sign(hook.Secret, c.now(), body))
	resp, err := c.http.Do(req)
	if err != nil {
		return webhooks.WebhookResponse{}, fmt.Errorf("webhook POST: %w", err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, c.keep))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return webhooks.WebhookResponse{Status: resp.StatusCode, Body: string(head)}, nil
}

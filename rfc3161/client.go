package rfc3161

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/lre-project/lre/core"
)

// Client defaults: a TSA answers in milliseconds when healthy, so waiting
// longer mostly delays the fallback; a deposit that still gets no token stays
// pending and is retried by the caller.
const (
	DefaultRetries = 2
	DefaultBackoff = 500 * time.Millisecond
	maxBackoff     = 8 * time.Second
	connectTimeout = 5 * time.Second
	requestTimeout = 10 * time.Second
	maxResponse    = 1 << 20 // a token with a long chain is a few KiB
)

// Client obtains tokens from external RFC 3161 authorities over HTTP. It
// tries its URLs in order, failing over on any error (network, HTTP status,
// or a token Verify rejects), and after a full round waits with exponential
// backoff before the next. It is safe for concurrent use.
type Client struct {
	urls          []*url.URL
	roots         *x509.CertPool
	intermediates []*x509.Certificate
	http          *http.Client
	rand          io.Reader
	retries       int
	backoff       time.Duration
	sleep         func(context.Context, time.Duration) error
	qualified     bool
	fresh         freshness
	rejected      func(url, reason string)
}

var _ core.Timestamper = (*Client)(nil)

// ClientOption changes a default of NewClient.
type ClientOption func(*Client)

// WithHTTPClient replaces the default client (5s to connect, 10s per
// request, no proxy), e.g. to go through a proxy or to pin TLS settings.
func WithHTTPClient(hc *http.Client) ClientOption { return func(c *Client) { c.http = hc } }

// WithRetries sets how many extra rounds over all URLs follow a failed one,
// and the wait before the first of them; the wait doubles each round, up to
// 8s. Zero retries means a single round.
func WithRetries(retries int, backoff time.Duration) ClientOption {
	return func(c *Client) { c.retries, c.backoff = retries, backoff }
}

// WithSleep replaces the wait between rounds, so tests need not wait. sleep
// must return early with ctx.Err() when ctx is done.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) ClientOption {
	return func(c *Client) { c.sleep = sleep }
}

// WithRand sets the source of request nonces (crypto/rand by default); it
// must be safe for concurrent use.
func WithRand(r io.Reader) ClientOption { return func(c *Client) { c.rand = r } }

// WithIntermediates supplies certificates an authority leaves out of its
// tokens: intermediate CAs, or its signer certificate if it ignores certReq.
func WithIntermediates(certs []*x509.Certificate) ClientOption {
	return func(c *Client) { c.intermediates = certs }
}

// WithQualified marks the configured authorities as qualified (eIDAS), so
// tokens report Qualified. Only set it for authorities on a trusted list
// with roots to match: the flag is a claim the product makes to courts.
func WithQualified() ClientOption { return func(c *Client) { c.qualified = true } }

// WithClock sets the clock that fresh tokens' genTime is compared with and
// the skew allowed beyond the authority's stated accuracy (time.Now and
// DefaultMaxSkew by default). A token outside is refused with ErrGenTime.
func WithClock(now func() time.Time, maxSkew time.Duration) ClientOption {
	return func(c *Client) { c.fresh = freshness{now: now, maxSkew: maxSkew} }
}

// WithRejected calls fn for every answer that was refused, with the
// authority's URL (redacted) and the reason: the name of the check that
// failed (gen_time, nonce, imprint, signature, ...) or "transport". It lets
// the caller count refusals without parsing errors; fn must be fast.
func WithRejected(fn func(url, reason string)) ClientOption {
	return func(c *Client) { c.rejected = fn }
}

// NewClient returns a Client for the authorities at urls (http or https), in
// order of preference, trusting tokens that chain to roots.
func NewClient(urls []string, roots *x509.CertPool, opts ...ClientOption) (*Client, error) {
	c := &Client{
		roots:   roots,
		http:    defaultHTTPClient(),
		rand:    rand.Reader,
		retries: DefaultRetries,
		backoff: DefaultBackoff,
		sleep:   sleep,
		fresh:   freshness{now: time.Now, maxSkew: DefaultMaxSkew},
	}
	for _, opt := range opts {
		opt(c)
	}
	if err := c.parseURLs(urls); err != nil {
		return nil, fmt.Errorf("new time-stamp client: %w", err)
	}
	switch {
	case roots == nil:
		return nil, errors.New("new time-stamp client: no trusted roots")
	case c.retries < 0 || c.backoff < 0:
		return nil, fmt.Errorf("new time-stamp client: negative retries %d or backoff %s", c.retries, c.backoff)
	case c.http == nil || c.rand == nil || c.sleep == nil || c.fresh.now == nil:
		return nil, errors.New("new time-stamp client: nil HTTP client, rand, sleep or clock")
	case c.fresh.maxSkew < 0:
		return nil, fmt.Errorf("new time-stamp client: negative clock skew %s", c.fresh.maxSkew)
	}
	return c, nil
}

func (c *Client) parseURLs(urls []string) error {
	if len(urls) == 0 {
		return errors.New("no authority URL")
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("authority URL %q is not http(s)", u.Redacted())
		}
		c.urls = append(c.urls, u)
	}
	return nil
}

func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: connectTimeout}).DialContext,
			TLSHandshakeTimeout:   connectTimeout,
			ResponseHeaderTimeout: requestTimeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Timestamp returns a verified token over the SHA-256 digest from the first
// authority that gives one. It fails with EINVALID when digest is not 32
// bytes, and with EUNAVAILABLE, wrapping every attempt's error (errors.Is
// finds the rfc3161 sentinels and context errors), when none did.
func (c *Client) Timestamp(ctx context.Context, digest []byte) (core.Token, error) {
	if err := checkDigest(digest); err != nil {
		return core.Token{}, err
	}
	var errs []error
	for round := range c.retries + 1 {
		if round > 0 {
			if err := c.sleep(ctx, c.delay(round)); err != nil {
				errs = append(errs, err)
				break
			}
		}
		tok, err := c.round(ctx, digest)
		if err == nil {
			return tok, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return core.Token{}, unavailable(errors.Join(errs...), "no time-stamping authority returned a valid token")
}

// delay is the wait before the given round (1 for the first retry).
func (c *Client) delay(round int) time.Duration {
	d := c.backoff
	for range round - 1 {
		if d >= maxBackoff/2 {
			return maxBackoff
		}
		d *= 2
	}
	return min(d, maxBackoff)
}

// round asks each authority in turn and returns the first valid token.
func (c *Client) round(ctx context.Context, digest []byte) (core.Token, error) {
	var errs []error
	for _, u := range c.urls {
		if err := ctx.Err(); err != nil {
			return core.Token{}, errors.Join(append(errs, err)...)
		}
		tok, err := c.ask(ctx, u, digest)
		if err == nil {
			return tok, nil
		}
		if c.rejected != nil && ctx.Err() == nil {
			c.rejected(u.Redacted(), reason(err))
		}
		errs = append(errs, fmt.Errorf("time-stamp from %s: %w", u.Redacted(), err))
	}
	return core.Token{}, errors.Join(errs...)
}

func (c *Client) ask(ctx context.Context, u *url.URL, digest []byte) (core.Token, error) {
	reqDER, nonce, err := newRequest(digest, c.rand)
	if err != nil {
		return core.Token{}, err
	}
	respDER, err := c.post(ctx, u, reqDER)
	if err != nil {
		return core.Token{}, err
	}
	tok, err := verifyFresh(respDER, digest, nonce, c.roots, c.intermediates, c.fresh)
	if err != nil {
		return core.Token{}, err
	}
	tok.Qualified = c.qualified
	return tok, nil
}

func (c *Client) post(ctx context.Context, u *url.URL, reqDER []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(reqDER))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", queryType)
	req.Header.Set("Accept", replyType)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != replyType {
		return nil, fmt.Errorf("content type %q, want %s", resp.Header.Get("Content-Type"), replyType)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("response larger than %d bytes", maxResponse)
	}
	return body, nil
}

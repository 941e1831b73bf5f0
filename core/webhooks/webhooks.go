package webhooks

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// Webhook is an organisation's HTTP endpoint that receives every evidence
// event of the organisation's letters, signed with Secret. The store keeps
// the secret sealed under the data directory's master key: it must stay
// usable for signing, so it cannot be kept as a hash like API keys.
type Webhook struct {
	ID           string    `json:"id"`
	Organisation string    `json:"organisation"`
	URL          string    `json:"url"`
	Secret       string    `json:"secret"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	// Events are the event types it receives; none means every one.
	Events []core.EventType `json:"events,omitempty"`
}

// Subscribable are the event types of a letter's life a webhook may
// choose among, in the order of that life.
var Subscribable = []core.EventType{
	core.EventSubmissionAcceptance, core.EventSubmissionRejection, core.EventNotificationForAcceptance, core.EventNotificationFailure,
	core.EventReminderSent, core.EventNotificationAccessTracking, core.EventIdentificationFailure,
	core.EventConsignmentAcceptance, core.EventConsignmentRejection, core.EventAcceptanceRejectionExpiry,
	core.EventContentHandover, core.EventContentHandoverFailure,
}

// Wants reports whether w receives events of type t: the one rule the
// store asks when it queues deliveries.
func (w Webhook) Wants(t core.EventType) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, t)
}

// checkEvents keeps each chosen type once, in Subscribable's order.
// Errors: EINVALID (field "events").
func checkEvents(events []core.EventType) ([]core.EventType, error) {
	for _, e := range events {
		if !slices.Contains(Subscribable, e) {
			return nil, core.FieldError(core.EINVALID, "events", "unknown event type %q", e)
		}
	}
	var out []core.EventType
	for _, e := range Subscribable {
		if slices.Contains(events, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// PublishedEvent is what integrators receive of an evidence event, by
// webhook or from the event stream: enough to fetch the letter and to check
// the event against the log, nothing of the letter's content. Seq is unique
// across the log, so receivers deduplicate on it.
type PublishedEvent struct {
	Seq      uint64         `json:"seq"`
	Type     core.EventType `json:"type"`
	URI      string         `json:"uri"`
	NoticeID string         `json:"letter_id"`
	Time     time.Time      `json:"time"`
	Hash     string         `json:"hash"`
}

// PublishEvent returns the published form of a logged event.
func PublishEvent(e core.Event) PublishedEvent {
	return PublishedEvent{Seq: e.Seq, Type: e.Type, URI: e.Type.URI(), NoticeID: e.NoticeID, Time: e.Time.UTC(), Hash: hex.EncodeToString(e.Hash)}
}

// WebhookDelivery is one event queued for one webhook. The store creates it
// in the transaction that appends the event and keeps the deliveries of one
// webhook and letter in a line: only the oldest unfinished one is ever due.
type WebhookDelivery struct {
	ID        string           `json:"id"`
	WebhookID string           `json:"webhook_id"`
	Event     PublishedEvent   `json:"event"`
	Created   time.Time        `json:"created"`
	NotBefore time.Time        `json:"not_before"`
	Attempts  []WebhookAttempt `json:"attempts"`
	Done      bool             `json:"done"`
	Outcome   string           `json:"outcome,omitempty"` // WebhookDelivered, WebhookAbandoned or WebhookCancelled
	ReplayOf  string           `json:"replay_of,omitempty"`
}

// Outcomes of a finished delivery.
const (
	WebhookDelivered = "delivered" // the endpoint answered 2xx
	WebhookAbandoned = "abandoned" // retried for the whole RetryPolicy.MaxAge
	WebhookCancelled = "cancelled" // the webhook was deleted first
)

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	Time     time.Time     `json:"time"`
	Status   int           `json:"status,omitempty"`   // HTTP status, 0 when none came back
	Error    string        `json:"error,omitempty"`    // why it failed
	Response string        `json:"response,omitempty"` // the start of the response body
	Duration time.Duration `json:"duration_ns"`
}

// WebhookResponse is what an endpoint answered.
type WebhookResponse struct {
	Status int
	Body   string // bounded excerpt
}

// WebhookPoster sends one signed delivery body to a webhook (webhook).
// It returns an error when no HTTP response came back (refused address,
// timeout, connection reset); any response, 2xx or not, is returned as is.
type WebhookPoster interface {
	Post(ctx context.Context, hook Webhook, deliveryID string, body []byte) (WebhookResponse, error)
}

// WebhookStore keeps the webhooks of organisations.
type WebhookStore interface {
	// PutWebhook stores a new webhook with its secret.
	PutWebhook(ctx context.Context, w Webhook) error
	// Webhooks lists an organisation's webhooks, oldest first; Webhook
	// returns one by id (ENOTFOUND).
	Webhooks(ctx context.Context, org string) ([]Webhook, error)
	Webhook(ctx context.Context, id string) (Webhook, error)
}

// WebhookQueue is the durable delivery queue the store fills.
type WebhookQueue interface {
	// DueWebhookDeliveries lists deliveries due at now, oldest first; each
	// heads its webhook-and-letter line.
	DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]WebhookDelivery, error)
	// SaveWebhookDelivery records an attempt. Once d is Done the next
	// delivery of its line becomes due at once. ENOTFOUND when the
	// delivery is gone (its webhook was deleted meanwhile).
	SaveWebhookDelivery(ctx context.Context, d WebhookDelivery) error
}

// WebhookAdmin holds what admins do with webhooks besides creating them.
type WebhookAdmin interface {
	// DeleteWebhook removes a webhook of org and cancels its queued
	// deliveries. ENOTFOUND when org has no such webhook.
	DeleteWebhook(ctx context.Context, org, id string, now time.Time) error
	// WebhookDeliveries lists a webhook's deliveries, newest first, with ids
	// below before (0: from the newest).
	WebhookDeliveries(ctx context.Context, webhookID string, before uint64, limit int) ([]WebhookDelivery, error)
	// ReplayWebhookDelivery queues a finished delivery again as a new one
	// at the end of its line. ENOTFOUND, ECONFLICT while it is unfinished.
	ReplayWebhookDelivery(ctx context.Context, webhookID, id string, now time.Time) (WebhookDelivery, error)
}

// WebhookPolicy bounds webhook delivery: retries follow Retry (exponential
// backoff from Base, capped at Max, with jitter) until MaxAge after the
// first attempt; AllowPrivate lets webhooks target loopback and private
// addresses (tests, on-premises receivers).
type WebhookPolicy struct {
	Retry        core.RetryPolicy
	AllowPrivate bool
	MaxPerOrg    int
}

// DefaultWebhookPolicy retries for 24 hours, from 30 seconds up to an hour.
var DefaultWebhookPolicy = WebhookPolicy{Retry: core.RetryPolicy{Base: 30 * time.Second, Max: time.Hour, MaxAge: 24 * time.Hour}, MaxPerOrg: 10}

// maxWebhookURL bounds the URL an admin may register.
const maxWebhookURL = 2048

// CreateWebhook registers url for the admin's organisation, for events
// (none: every event), and returns the webhook with its signing secret,
// which is shown this once. Errors: EFORBIDDEN (not an admin, or no
// organisation), EINVALID (field "url" or "events"), ECONFLICT (too many
// webhooks).
func (s *Service) CreateWebhook(ctx context.Context, admin core.User, rawURL string, events ...core.EventType) (Webhook, error) {
	if err := webhookAdmin(admin); err != nil {
		return Webhook{}, err
	}
	u, err := CheckWebhookURL(rawURL, s.policy.AllowPrivate)
	if err != nil {
		return Webhook{}, err
	}
	if events, err = checkEvents(events); err != nil {
		return Webhook{}, err
	}
	have, err := s.store.Webhooks(ctx, admin.Organisation)
	if err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	if limit := s.policy.MaxPerOrg; limit > 0 && len(have) >= limit {
		return Webhook{}, core.Errorf(core.ECONFLICT, "your organisation already has %d webhooks; delete one first", len(have))
	}
	w := Webhook{Organisation: admin.Organisation, URL: u, CreatedBy: admin.ID, CreatedAt: s.clock(), Events: events}
	if w.ID, err = randomID(s.rand, "whk_"); err != nil {
		return Webhook{}, err
	}
	if w.Secret, _, err = core.NewSecret(s.rand, "whsec_"); err != nil {
		return Webhook{}, err
	}
	if err := s.store.PutWebhook(ctx, w); err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	return w, nil
}

// Webhooks lists the admin's organisation's webhooks; secrets are blanked.
// Errors: EFORBIDDEN.
func (s *Service) Webhooks(ctx context.Context, admin core.User) ([]Webhook, error) {
	if err := webhookAdmin(admin); err != nil {
		return nil, err
	}
	hooks, err := s.store.Webhooks(ctx, admin.Organisation)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	for i := range hooks {
		hooks[i].Secret = ""
	}
	return hooks, nil
}

// DeleteWebhook removes a webhook of the admin's organisation and cancels
// what it still had queued. Errors: EFORBIDDEN, ENOTFOUND.
func (s *Service) DeleteWebhook(ctx context.Context, admin core.User, id string) error {
	if err := webhookAdmin(admin); err != nil {
		return err
	}
	return s.store.DeleteWebhook(ctx, admin.Organisation, id, s.clock())
}

// webhook returns a webhook of the admin's organisation. Errors: EFORBIDDEN,
// ENOTFOUND (also for another organisation's webhook).
func (s *Service) webhook(ctx context.Context, admin core.User, id string) (Webhook, error) {
	if err := webhookAdmin(admin); err != nil {
		return Webhook{}, err
	}
	w, err := s.store.Webhook(ctx, id)
	if err != nil {
		return Webhook{}, err
	}
	if w.Organisation != admin.Organisation {
		return Webhook{}, core.Errorf(core.ENOTFOUND, "no webhook %q", id)
	}
	return w, nil
}

// WebhookDeliveries lists a webhook's deliveries with their attempts, newest
// first, below the id before (0 for the newest). Errors: EFORBIDDEN, ENOTFOUND.
func (s *Service) WebhookDeliveries(ctx context.Context, admin core.User, id string, before uint64, limit int) ([]WebhookDelivery, error) {
	if _, err := s.webhook(ctx, admin, id); err != nil {
		return nil, err
	}
	return s.store.WebhookDeliveries(ctx, id, before, min(max(limit, 1), 100))
}

// ReplayWebhookDelivery queues a finished delivery once more; it leaves
// after anything already queued for the same letter. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (still queued).
func (s *Service) ReplayWebhookDelivery(ctx context.Context, admin core.User, id, delivery string) (WebhookDelivery, error) {
	if _, err := s.webhook(ctx, admin, id); err != nil {
		return WebhookDelivery{}, err
	}
	d, err := s.store.ReplayWebhookDelivery(ctx, id, delivery, s.clock())
	if err == nil {
		s.KickWebhooks()
	}
	return d, err
}

func webhookAdmin(u core.User) error {
	if u.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins manage webhooks")
	}
	if u.Organisation == "" {
		return core.Errorf(core.EFORBIDDEN, "webhooks belong to an organisation and your account has none")
	}
	return nil
}

// CheckWebhookURL validates a webhook target: absolute http(s), no
// credentials or fragment, and unless allowPrivate no loopback, private,
// link-local or unspecified address (the delivering client checks again
// at connection time, after name resolution). Errors: EINVALID (field "url").
func CheckWebhookURL(raw string, allowPrivate bool) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", core.FieldError(core.EINVALID, "url", format, args...)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxWebhookURL {
		return bad("url is required and at most %s", core.Bytes(maxWebhookURL))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return bad("url must be an absolute http or https URL")
	}
	if u.User != nil || u.Fragment != "" {
		return bad("url must not contain credentials or a fragment")
	}
	host := strings.ToLower(u.Hostname())
	if allowPrivate {
		return u.String(), nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return bad("url must not point to this machine")
	}
	if ip, err := netip.ParseAddr(host); err == nil && !PublicAddr(ip) {
		return bad("url must not point to a loopback, private or link-local address")
	}
	return u.String(), nil
}

// PublicAddr reports whether ip is a globally routable unicast address: not
// loopback, private (RFC 1918, RFC 4193), shared (RFC 6598), link-local
// (cloud metadata services live there), multicast or unspecified.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// randomID returns prefix and 64 random bits in hex.
func randomID(rand io.Reader, prefix string) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return prefix + hex.EncodeToString(b[:]), nil
}

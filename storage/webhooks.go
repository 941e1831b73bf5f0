package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/storage/kv"
)

var _ webhooks.Store = (*DB)(nil)

// Webhooks, their delivery queue and the per-organisation event index. A
// delivery is created in the transaction that appends its event
// (publishEvents, called by applyChange), so no event is ever missed nor
// queued without being logged. The deliveries of one webhook and one letter
// form a line (bktHookLines); only the first of a line is in the due index,
// which is what keeps them in order. This file holds the registration;
// webhook_queue.go the lines and attempts, webhook_history.go the history
// and replays, org_events.go the index, queue_stats.go the queue counts.
var (
	bktWebhooks       = []byte("webhooks")                // webhook id -> webhookRecord
	bktWebhookOrgs    = []byte("webhook_orgs")            // org | 0 | webhook id -> nil
	bktDeliveries     = []byte("webhook_deliveries")      // seq -> webhooks.WebhookDelivery
	bktDeliveryDue    = []byte("webhook_due")             // not-before | seq -> nil, heads of lines only
	bktHookLines      = []byte("webhook_lines")           // webhook id | 0 | notice id | 0 | seq -> nil, unfinished
	bktHookDeliveries = []byte("webhook_hook_deliveries") // webhook id | 0 | seq -> nil
	bktOrgEvents      = []byte("org_events")              // org | 0 | event seq -> sender user id
)

// webhookRecord is a webhook as stored: its secret sealed, never in clear.
type webhookRecord struct {
	webhooks.Webhook
	SealedSecret []byte `json:"sealed_secret"`
}

func secretAAD(id string) string { return "lre-webhook-secret-v1\x00" + id }

// PutWebhook stores a new webhook, its secret sealed under the master key.
func (db *DB) PutWebhook(ctx context.Context, w webhooks.Webhook) error {
	if err := db.keys.ready(); err != nil {
		return err
	}
	sealed, err := seal(db.keys.master, []byte(w.Secret), secretAAD(w.ID))
	if err != nil {
		return fmt.Errorf("seal webhook secret: %w", err)
	}
	rec := webhookRecord{Webhook: w, SealedSecret: sealed}
	rec.Secret = ""
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode webhook: %w", err)
	}
	return db.kv.Update(func(tx kv.Tx) error {
		if tx.Bucket(bktWebhooks).Get([]byte(w.ID)) != nil {
			return core.Errorf(core.ECONFLICT, "webhook %s exists", w.ID)
		}
		if err := tx.Bucket(bktWebhooks).Put([]byte(w.ID), v); err != nil {
			return fmt.Errorf("save webhook: %w", err)
		}
		return tx.Bucket(bktWebhookOrgs).Put(orgKey(w.Organisation, []byte(w.ID)), nil)
	})
}

func orgKey(org string, rest []byte) []byte {
	return append([]byte(org+"\x00"), rest...)
}

// Webhook returns a webhook with its secret.
func (db *DB) Webhook(ctx context.Context, id string) (webhooks.Webhook, error) {
	var w webhooks.Webhook
	err := db.kv.View(func(tx kv.Tx) error {
		var err error
		w, err = db.getWebhook(tx, id)
		return err
	})
	return w, err
}

func (db *DB) getWebhook(tx kv.Tx, id string) (webhooks.Webhook, error) {
	v := tx.Bucket(bktWebhooks).Get([]byte(id))
	if v == nil {
		return webhooks.Webhook{}, core.Errorf(core.ENOTFOUND, "no webhook %q", id)
	}
	var rec webhookRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return webhooks.Webhook{}, fmt.Errorf("decode webhook %s: %w", id, err)
	}
	if err := db.keys.ready(); err != nil {
		return webhooks.Webhook{}, err
	}
	secret, err := unseal(db.keys.master, rec.SealedSecret, secretAAD(rec.ID))
	if err != nil {
		return webhooks.Webhook{}, fmt.Errorf("open webhook secret %s: %w", id, err)
	}
	rec.Webhook.Secret = string(secret)
	return rec.Webhook, nil
}

// Webhooks lists an organisation's webhooks, oldest first.
func (db *DB) Webhooks(ctx context.Context, org string) ([]webhooks.Webhook, error) {
	var out []webhooks.Webhook
	err := db.kv.View(func(tx kv.Tx) error {
		for _, id := range webhookIDs(tx, org) {
			w, err := db.getWebhook(tx, id)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b webhooks.Webhook) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

func webhookIDs(tx kv.Tx, org string) []string {
	var ids []string
	prefix := orgKey(org, nil)
	c := tx.Bucket(bktWebhookOrgs).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids
}

// DeleteWebhook removes a webhook of org and cancels its unfinished
// deliveries; their records stay until the webhook's history is pruned.
func (db *DB) DeleteWebhook(ctx context.Context, org, id string, now time.Time) error {
	return db.kv.Update(func(tx kv.Tx) error {
		w, err := db.getWebhook(tx, id)
		if err != nil || w.Organisation != org {
			return core.Errorf(core.ENOTFOUND, "no webhook %q", id)
		}
		if err := tx.Bucket(bktWebhooks).Delete([]byte(id)); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if err := tx.Bucket(bktWebhookOrgs).Delete(orgKey(org, []byte(id))); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		return cancelLines(tx, id)
	})
}

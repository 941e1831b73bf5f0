package storage

import (
	"bytes"
	"context"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/storage/kv"
)

// WebhookDeliveries lists a webhook's deliveries, newest first, with ids
// below before (0: from the newest).
func (db *DB) WebhookDeliveries(ctx context.Context, hookID string, before uint64, limit int) ([]webhooks.WebhookDelivery, error) {
	var out []webhooks.WebhookDelivery
	err := db.kv.View(func(tx kv.Tx) error {
		prefix := []byte(hookID + "\x00")
		start := append(bytes.Clone(prefix), seqKey(before)...)
		if before == 0 {
			start = append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		}
		c := tx.Bucket(bktHookDeliveries).Cursor()
		k, _ := c.Seek(start)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
			d, err := getDelivery(tx, k[len(prefix):])
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// ReplayWebhookDelivery queues a finished delivery again as a new one.
func (db *DB) ReplayWebhookDelivery(ctx context.Context, hookID, id string, now time.Time) (webhooks.WebhookDelivery, error) {
	key, err := deliveryKey(id)
	if err != nil {
		return webhooks.WebhookDelivery{}, err
	}
	var out webhooks.WebhookDelivery
	err = db.kv.Update(func(tx kv.Tx) error {
		d, err := getDelivery(tx, key)
		if err != nil || d.WebhookID != hookID {
			return core.Errorf(core.ENOTFOUND, "no delivery %q for webhook %q", id, hookID)
		}
		if tx.Bucket(bktWebhooks).Get([]byte(hookID)) == nil {
			return core.Errorf(core.ENOTFOUND, "no webhook %q", hookID)
		}
		if !d.Done {
			return core.Errorf(core.ECONFLICT, "delivery %s is still queued", id)
		}
		out, err = enqueueDelivery(tx, hookID, d.Event, now, d.ID)
		return err
	})
	return out, err
}

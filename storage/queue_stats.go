package storage

import (
	"context"
	"time"

	"github.com/lre-project/lre/storage/kv"
)

// QueueStats is what readiness and metrics watch.
type QueueStats struct {
	Outbox            int       // mail not yet sent or finally failed
	OldestOutboxDue   time.Time // zero when the outbox is empty
	Webhooks          int       // deliveries not yet finished
	OldestWebhookDue  time.Time
	PendingTimestamps int
}

// QueueStats counts the queues in one read transaction.
func (db *DB) QueueStats(ctx context.Context) (QueueStats, error) {
	var s QueueStats
	err := db.kv.View(func(tx kv.Tx) error {
		s.Outbox = tx.Bucket(bktOutboxDue).KeyN()
		s.Webhooks = tx.Bucket(bktHookLines).KeyN()
		s.PendingTimestamps = tx.Bucket(bktPending).KeyN()
		if k, _ := tx.Bucket(bktOutboxDue).Cursor().First(); len(k) >= 8 {
			s.OldestOutboxDue = timeOfKey(k).UTC()
		}
		if k, _ := tx.Bucket(bktDeliveryDue).Cursor().First(); len(k) >= 8 {
			s.OldestWebhookDue = timeOfKey(k).UTC()
		}
		return nil
	})
	return s, err
}

package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
// which is what keeps them in order.
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

// cancelLines finishes every unfinished delivery of a webhook as cancelled.
func cancelLines(tx kv.Tx, hookID string) error {
	prefix := []byte(hookID + "\x00")
	var keys [][]byte
	c := tx.Bucket(bktHookLines).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, clone(k))
	}
	for _, k := range keys {
		d, err := getDelivery(tx, k[len(k)-8:])
		if err != nil {
			return err
		}
		if err := tx.Bucket(bktDeliveryDue).Delete(timeKey(d.NotBefore, string(k[len(k)-8:]))); err != nil {
			return fmt.Errorf("cancel delivery: %w", err)
		}
		d.Done, d.Outcome = true, webhooks.WebhookCancelled
		if err := putDelivery(tx, d); err != nil {
			return err
		}
		if err := tx.Bucket(bktHookLines).Delete(k); err != nil {
			return fmt.Errorf("cancel delivery: %w", err)
		}
	}
	return nil
}

// publishEvents indexes freshly appended events by organisation and queues
// one delivery per webhook of that organisation, inside the same tx.
func publishEvents(tx kv.Tx, evs []core.Event) error {
	notices := map[string]core.Notice{}
	hooks := map[string][]string{}
	for _, e := range evs {
		if e.NoticeID == "" {
			continue
		}
		n, ok := notices[e.NoticeID]
		if !ok {
			var err error
			if n, err = getNotice(tx, e.NoticeID); err != nil {
				continue // an event about no stored letter has no organisation
			}
			notices[e.NoticeID] = n
		}
		org := n.Sender.Organisation
		if err := tx.Bucket(bktOrgEvents).Put(orgKey(org, seqKey(e.Seq)), []byte(n.SenderUserID)); err != nil {
			return fmt.Errorf("index event by organisation: %w", err)
		}
		if _, ok := hooks[org]; !ok && org != "" {
			hooks[org] = webhookIDs(tx, org)
		}
		for _, id := range hooks[org] {
			if _, err := enqueueDelivery(tx, id, webhooks.PublishEvent(e), e.Time, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// enqueueDelivery appends a delivery to the end of its line; it is due at
// once when the line was empty.
func enqueueDelivery(tx kv.Tx, hookID string, ev webhooks.PublishedEvent, at time.Time, replayOf string) (webhooks.WebhookDelivery, error) {
	seq, err := tx.Bucket(bktDeliveries).NextSequence()
	if err != nil {
		return webhooks.WebhookDelivery{}, fmt.Errorf("queue delivery: %w", err)
	}
	key := seqKey(seq)
	d := webhooks.WebhookDelivery{ID: strconv.FormatUint(seq, 10), WebhookID: hookID, Event: ev, Created: at, NotBefore: at, ReplayOf: replayOf, Attempts: []webhooks.WebhookAttempt{}}
	if err := putDelivery(tx, d); err != nil {
		return webhooks.WebhookDelivery{}, err
	}
	if err := tx.Bucket(bktHookDeliveries).Put(append([]byte(hookID+"\x00"), key...), nil); err != nil {
		return webhooks.WebhookDelivery{}, fmt.Errorf("queue delivery: %w", err)
	}
	line := lineKey(hookID, ev.NoticeID)
	if k, _ := tx.Bucket(bktHookLines).Cursor().Seek(line); k == nil || !bytes.HasPrefix(k, line) {
		if err := tx.Bucket(bktDeliveryDue).Put(timeKey(at, string(key)), nil); err != nil {
			return webhooks.WebhookDelivery{}, fmt.Errorf("queue delivery: %w", err)
		}
	}
	if err := tx.Bucket(bktHookLines).Put(append(line, key...), nil); err != nil {
		return webhooks.WebhookDelivery{}, fmt.Errorf("queue delivery: %w", err)
	}
	return d, nil
}

func lineKey(hookID, noticeID string) []byte { return []byte(hookID + "\x00" + noticeID + "\x00") }

func putDelivery(tx kv.Tx, d webhooks.WebhookDelivery) error {
	seq, err := strconv.ParseUint(d.ID, 10, 64)
	if err != nil {
		return core.Errorf(core.ENOTFOUND, "no delivery %q", d.ID)
	}
	v, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode delivery: %w", err)
	}
	return tx.Bucket(bktDeliveries).Put(seqKey(seq), v)
}

func getDelivery(tx kv.Tx, key []byte) (webhooks.WebhookDelivery, error) {
	v := tx.Bucket(bktDeliveries).Get(key)
	if v == nil {
		return webhooks.WebhookDelivery{}, core.Errorf(core.ENOTFOUND, "no delivery %d", seqOf(key))
	}
	var d webhooks.WebhookDelivery
	if err := json.Unmarshal(v, &d); err != nil {
		return webhooks.WebhookDelivery{}, fmt.Errorf("decode delivery %d: %w", seqOf(key), err)
	}
	return d, nil
}

func deliveryKey(id string) ([]byte, error) {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil, core.Errorf(core.ENOTFOUND, "no delivery %q", id)
	}
	return seqKey(seq), nil
}

// DueWebhookDeliveries lists the heads of lines due at now, oldest first.
func (db *DB) DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]webhooks.WebhookDelivery, error) {
	var out []webhooks.WebhookDelivery
	err := db.kv.View(func(tx kv.Tx) error {
		c := tx.Bucket(bktDeliveryDue).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if len(k) != 16 || timeOfKey(k).After(now) {
				break
			}
			d, err := getDelivery(tx, k[8:])
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// SaveWebhookDelivery records an attempt; a finished delivery leaves its
// line and the next one of the line becomes due at the attempt's time.
func (db *DB) SaveWebhookDelivery(ctx context.Context, d webhooks.WebhookDelivery) error {
	key, err := deliveryKey(d.ID)
	if err != nil {
		return err
	}
	return db.kv.Update(func(tx kv.Tx) error {
		old, err := getDelivery(tx, key)
		if err != nil {
			return err
		}
		if old.Done {
			return core.Errorf(core.ENOTFOUND, "delivery %s finished meanwhile", d.ID)
		}
		due := tx.Bucket(bktDeliveryDue)
		if err := due.Delete(timeKey(old.NotBefore, string(key))); err != nil {
			return fmt.Errorf("save delivery: %w", err)
		}
		if err := putDelivery(tx, d); err != nil {
			return err
		}
		if !d.Done {
			return due.Put(timeKey(d.NotBefore, string(key)), nil)
		}
		line := lineKey(d.WebhookID, d.Event.NoticeID)
		if err := tx.Bucket(bktHookLines).Delete(append(bytes.Clone(line), key...)); err != nil {
			return fmt.Errorf("save delivery: %w", err)
		}
		return promoteNext(tx, line, lastAttempt(d))
	})
}

func lastAttempt(d webhooks.WebhookDelivery) time.Time {
	if len(d.Attempts) == 0 {
		return d.NotBefore
	}
	return d.Attempts[len(d.Attempts)-1].Time
}

// promoteNext makes the first delivery of a line due at at.
func promoteNext(tx kv.Tx, line []byte, at time.Time) error {
	k, _ := tx.Bucket(bktHookLines).Cursor().Seek(line)
	if k == nil || !bytes.HasPrefix(k, line) {
		return nil
	}
	key := clone(k[len(k)-8:])
	next, err := getDelivery(tx, key)
	if err != nil {
		return err
	}
	next.NotBefore = at
	if err := putDelivery(tx, next); err != nil {
		return err
	}
	return tx.Bucket(bktDeliveryDue).Put(timeKey(at, string(key)), nil)
}

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

// OrganisationEvents reads the organisation index from after, looking at
// no more than 10×limit entries so that a sender in a busy organisation
// gets a bounded answer (and a cursor that moved) rather than a long scan.
func (db *DB) OrganisationEvents(ctx context.Context, org, sender string, after uint64, limit int) ([]core.Event, uint64, error) {
	var out []core.Event
	next := after
	err := db.kv.View(func(tx kv.Tx) error {
		if after == ^uint64(0) {
			return nil
		}
		prefix := orgKey(org, nil)
		c := tx.Bucket(bktOrgEvents).Cursor()
		scanned := 0
		for k, v := c.Seek(orgKey(org, seqKey(after+1))); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit && scanned < 10*limit; k, v = c.Next() {
			scanned++
			seq := binary.BigEndian.Uint64(k[len(prefix):])
			next = seq
			if sender != "" && string(v) != sender {
				continue
			}
			e, err := readEvent(tx, seq)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, next, err
}

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

// catchUpOrgEvents indexes events logged before the organisation index
// existed, once.
func catchUpOrgEvents(tx kv.Tx) error {
	meta := tx.Bucket(bktMeta)
	if meta.Get(keyOrgEventsIndexed) != nil {
		return nil
	}
	err := tx.Bucket(bktNoticeEvents).ForEach(func(k, _ []byte) error {
		if len(k) < 9 {
			return nil
		}
		n, err := getNotice(tx, string(k[:len(k)-9]))
		if err != nil {
			return nil
		}
		return tx.Bucket(bktOrgEvents).Put(orgKey(n.Sender.Organisation, k[len(k)-8:]), []byte(n.SenderUserID))
	})
	if err != nil {
		return fmt.Errorf("index events by organisation: %w", err)
	}
	return meta.Put(keyOrgEventsIndexed, []byte{1})
}

var keyOrgEventsIndexed = []byte("org_events_indexed")

// catchUpOps builds the indexes of this file and crypt.go for data dirs
// written before they existed.
func catchUpOps(tx kv.Tx) error {
	if err := catchUpOrgEvents(tx); err != nil {
		return err
	}
	return catchUpRetention(tx)
}

package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/storage/kv"
)

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

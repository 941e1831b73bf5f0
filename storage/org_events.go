package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/webhooks"
	"github.com/lre-project/lre/storage/kv"
)

// publishEvents indexes freshly appended events by organisation and queues
// one delivery per webhook of that organisation, inside the same tx.
func publishEvents(tx kv.Tx, evs []core.Event, letter *core.Notice) error {
	notices := map[string]core.Notice{}
	if letter != nil {
		notices[letter.ID] = *letter // written by this transaction, so read back it is the same
	}
	hooks := map[string][]webhooks.Webhook{}
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
			var err error
			if hooks[org], err = subscriptions(tx, org); err != nil {
				return err
			}
		}
		for _, w := range hooks[org] {
			if !w.Wants(e.Type) {
				continue
			}
			if _, err := enqueueDelivery(tx, w.ID, webhooks.PublishEvent(e), e.Time, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// subscriptions returns an organisation's webhooks without their secrets,
// which queuing a delivery does not need.
func subscriptions(tx kv.Tx, org string) ([]webhooks.Webhook, error) {
	var out []webhooks.Webhook
	for _, id := range webhookIDs(tx, org) {
		v := tx.Bucket(bktWebhooks).Get([]byte(id))
		if v == nil {
			continue
		}
		var rec webhookRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("decode webhook %s: %w", id, err)
		}
		out = append(out, rec.Webhook)
	}
	return out, nil
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
		c, events := tx.Bucket(bktOrgEvents).Cursor(), tx.Bucket(bktEvents)
		scanned := 0
		for k, v := c.Seek(orgKey(org, seqKey(after+1))); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit && scanned < 10*limit; k, v = c.Next() {
			scanned++
			seq := binary.BigEndian.Uint64(k[len(prefix):])
			next = seq
			if sender != "" && string(v) != sender {
				continue
			}
			e, err := readEvent(events, seq)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, next, err
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

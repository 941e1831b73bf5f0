package storage

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// Sender days: per sender and UTC day, how many notifications were sent
// (their first outcome) and how many complaints came back, 8 bytes. The
// complaint policy is per day (more than 1,000 mails a day, at most 50
// complaints a day), which the outcome ring, a count window, cannot say.
// Writing a day drops the sender's day before yesterday, so that the
// bucket holds at most three days per sender.

func dayKey(userID string, day time.Time) []byte {
	return append(append([]byte(userID), 0), day.UTC().Format("20060102")...)
}

// countDay adds o to its sender's day: a new notification (first outcome
// of its notice) and a complaint each count one.
func countDay(tx kv.Tx, o core.SenderOutcome, first bool) error {
	if o.At.IsZero() || !first && o.Outcome != core.OutcomeComplaint {
		return nil
	}
	b := tx.Bucket(bktSenderDays)
	key := dayKey(o.UserID, o.At)
	var v [8]byte
	copy(v[:], b.Get(key))
	if first {
		binary.BigEndian.PutUint32(v[:4], binary.BigEndian.Uint32(v[:4])+1)
	}
	if o.Outcome == core.OutcomeComplaint {
		binary.BigEndian.PutUint32(v[4:], binary.BigEndian.Uint32(v[4:])+1)
	}
	if err := b.Put(key, v[:]); err != nil {
		return err
	}
	return b.Delete(dayKey(o.UserID, o.At.AddDate(0, 0, -2)))
}

// SenderDay returns the mails and complaints of userID on the UTC day of
// day. Every deposit asks (the sending policy), so it is one read
// (kv.ReadOne).
func (db *DB) SenderDay(ctx context.Context, userID string, day time.Time) (core.DayCount, error) {
	var c core.DayCount
	v, err := kv.ReadOne(db.kv, bktSenderDays, dayKey(userID, day))
	if len(v) == 8 {
		c.Mails, c.Complaints = int(binary.BigEndian.Uint32(v[:4])), int(binary.BigEndian.Uint32(v[4:]))
	}
	return c, err
}

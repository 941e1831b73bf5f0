package storage

import (
	"errors"
	"fmt"

	"github.com/lre-project/lre/storage/kv"
)

// ErrKeyMissing means a key that earlier evidence or sealed data depends on
// is gone from a data directory that already holds letters. Creating a new
// one would make old bundles fail verification and contents unreadable:
// restore the key from the operator's key backup instead.
var ErrKeyMissing = errors.New("key missing from a data directory that holds letters")

// HoldsData reports whether the store already holds a letter: from then on
// a missing key is a loss to restore, never something to create afresh.
func (db *DB) HoldsData() (bool, error) { return holdsData(db.kv) }

func holdsData(e kv.Engine) (bool, error) {
	var holds bool
	err := e.View(func(tx kv.Tx) error {
		for _, name := range [][]byte{bktNotices, bktEvents} {
			if b := tx.Bucket(name); b != nil {
				if k, _ := b.Cursor().First(); k != nil {
					holds = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("check for stored letters: %w", err)
	}
	return holds, nil
}

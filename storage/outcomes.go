package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// Sender outcomes: per sender, a ring of the last maxOutcomes (notice,
// outcome) pairs in a fixed-size binary value, so that recording one is a
// copy, a scan of fixed slots and one slot written, not a JSON list of a
// thousand decoded and encoded again for every notification (issue 14:
// readOutcomes/addOutcome showed in the outbox's profile). A later outcome
// for the same notice (a late bounce after a 250) replaces the earlier one
// in its slot.
//
// Layout: version byte ringVersion, count and head as big-endian uint16
// (head is the oldest slot once the ring is full), then maxOutcomes slots of
// slotSize bytes: the first 8 bytes of SHA-256 of the notice id (zero for
// an outcome without a notice, which nothing replaces) and an outcome code.
const (
	maxOutcomes = 1000
	ringVersion = 1
	ringHeader  = 5
	slotKey     = 8
	slotSize    = slotKey + 1
	ringSize    = ringHeader + maxOutcomes*slotSize
)

var outcomeCodes = []string{1: core.OutcomeDelivered, 2: core.OutcomeHardBounce, 3: core.OutcomeSoftBounce, 4: core.OutcomeBlock, 5: core.OutcomeComplaint}

// ring is a decoded view over a value; it aliases b.
type ring struct{ b []byte }

// readRing reads a stored value: nil is an empty ring, a JSON list is the
// form written before the ring (converted, oldest first).
func readRing(v []byte) (ring, error) {
	switch {
	case len(v) == 0:
		return ring{}, nil
	case v[0] == '[':
		return ringFromJSON(v)
	case len(v) != ringSize || v[0] != ringVersion:
		return ring{}, errors.New("outcomes: not a version 1 ring")
	}
	return ring{b: v}, nil
}

func ringFromJSON(v []byte) (ring, error) {
	var list []struct {
		N string `json:"n"`
		O string `json:"o"`
	}
	if err := json.Unmarshal(v, &list); err != nil {
		return ring{}, fmt.Errorf("decode outcomes: %w", err)
	}
	r := ring{}
	for _, o := range list {
		if _, err := r.add(o.N, o.O); err != nil {
			return ring{}, err
		}
	}
	return r, nil
}

func (r ring) count() int { return int(binary.BigEndian.Uint16(r.b[1:3])) }
func (r ring) head() int  { return int(binary.BigEndian.Uint16(r.b[3:5])) }
func (r ring) slot(i int) []byte {
	off := ringHeader + i*slotSize
	return r.b[off : off+slotSize]
}

// add records outcome for notice, in the slot of an earlier outcome of the
// same notice if there is one, else in the next slot (overwriting the
// oldest when full), and tells which. r.b must be a copy the caller may write.
func (r *ring) add(notice, outcome string) (replaced bool, err error) {
	code := 0
	for c, name := range outcomeCodes {
		if name == outcome && name != "" {
			code = c
		}
	}
	if code == 0 {
		return false, fmt.Errorf("outcomes: unknown outcome %q", outcome)
	}
	if r.b == nil {
		r.b = make([]byte, ringSize)
		r.b[0] = ringVersion
	}
	var key [slotKey]byte
	if notice != "" {
		sum := sha256.Sum256([]byte(notice))
		copy(key[:], sum[:])
		for i := range r.count() {
			if s := r.slot(i); [slotKey]byte(s[:slotKey]) == key {
				s[slotKey] = byte(code)
				return true, nil
			}
		}
	}
	n, head := r.count(), r.head()
	i := n
	if n == maxOutcomes {
		i, head = head, (head+1)%maxOutcomes
	} else {
		n++
	}
	s := r.slot(i)
	copy(s, key[:])
	s[slotKey] = byte(code)
	binary.BigEndian.PutUint16(r.b[1:3], uint16(n))
	binary.BigEndian.PutUint16(r.b[3:5], uint16(head))
	return false, nil
}

// outcomes lists the ring's outcomes, oldest first.
func (r ring) outcomes() []string {
	if r.b == nil {
		return nil
	}
	n, head := r.count(), r.head()
	out := make([]string, 0, n)
	for j := range n {
		code := int(r.slot((head + j) % maxOutcomes)[slotKey])
		if code < len(outcomeCodes) {
			out = append(out, outcomeCodes[code])
		}
	}
	return out
}

func addOutcome(tx kv.Tx, o core.SenderOutcome) error {
	b := tx.Bucket(bktOutcomes)
	v := b.Get([]byte(o.UserID))
	r, err := readRing(v)
	if err != nil {
		return err
	}
	if r.b != nil && v[0] != '[' {
		r.b = clone(v) // bbolt's value is read-only and lives only in this tx
	}
	replaced, err := r.add(o.NoticeID, o.Outcome)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(o.UserID), r.b); err != nil {
		return err
	}
	return countDay(tx, o, !replaced)
}

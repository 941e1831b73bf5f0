package core

import (
	"bytes"
	"fmt"
)

// ChainError names the first log record that fails verification. Seq is the
// sequence number an operator should inspect.
type ChainError struct {
	Seq    uint64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("evidence log broken at sequence %d: %s", e.Seq, e.Reason)
}

// ChainVerifier checks the records of the evidence log one at a time, in key
// order, without holding the log in memory. Use one per pass.
type ChainVerifier struct {
	next  uint64
	prev  []byte
	count uint64
}

// NewChainVerifier starts a verification pass at the first record (seq 1).
func NewChainVerifier() *ChainVerifier {
	return &ChainVerifier{next: 1, prev: GenesisHash}
}

// Check verifies the record stored under seq. It returns a *ChainError when a
// record is missing (a gap), out of order, not linked to its predecessor, or
// when its bytes no longer match its hash. It does not decode the event:
// the hash already proves the bytes are the ones appended, and decoding
// dominated the cost of verifying a million records.
func (v *ChainVerifier) Check(seq uint64, prev, hash, body []byte) error {
	if seq != v.next {
		return &ChainError{Seq: v.next, Reason: fmt.Sprintf("expected sequence %d, found %d (record missing or reordered)", v.next, seq)}
	}
	if !bytes.Equal(prev, v.prev) {
		return &ChainError{Seq: seq, Reason: "previous-hash link does not match the preceding record"}
	}
	if !bytes.Equal(ChainHash(seq, prev, body), hash) {
		return &ChainError{Seq: seq, Reason: "record bytes do not match the stored hash"}
	}
	v.next++
	v.prev = append(v.prev[:0:0], hash...)
	v.count++
	return nil
}

// Finish checks the log's head against the last verified record: the head
// records the count and last hash, so truncating the tail is detected too.
func (v *ChainVerifier) Finish(headSeq uint64, headHash []byte) (uint64, error) {
	if headSeq != v.count {
		return v.count, &ChainError{Seq: v.count + 1, Reason: fmt.Sprintf("log head says %d records, found %d", headSeq, v.count)}
	}
	if v.count > 0 && !bytes.Equal(headHash, v.prev) {
		return v.count, &ChainError{Seq: v.count, Reason: "log head hash does not match the last record"}
	}
	return v.count, nil
}

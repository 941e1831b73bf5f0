package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

type record struct {
	seq              uint64
	prev, hash, body []byte
}

func buildChain(t *testing.T, n int) []record {
	t.Helper()
	prev := core.GenesisHash
	var out []record
	for i := 1; i <= n; i++ {
		body, err := core.EventBytes(core.Event{Type: core.EventSubmissionAcceptance, NoticeID: "LRE-AAAA-BBBB-CCCC-DDDD", Time: time.Unix(int64(i), 0)})
		if err != nil {
			t.Fatal(err)
		}
		h := core.ChainHash(uint64(i), prev, body)
		out = append(out, record{uint64(i), prev, h, body})
		prev = h
	}
	return out
}

func verifyAll(recs []record, headSeq uint64, headHash []byte) error {
	v := core.NewChainVerifier()
	for _, r := range recs {
		if err := v.Check(r.seq, r.prev, r.hash, r.body); err != nil {
			return err
		}
	}
	_, err := v.Finish(headSeq, headHash)
	return err
}

func TestChainVerifier(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]record) []record
		wantSeq uint64 // 0 = valid
	}{
		{"intact", func(r []record) []record { return r }, 0},
		{"byte flipped in body", func(r []record) []record { r[2].body = flip(r[2].body); return r }, 3},
		{"hash replaced", func(r []record) []record { r[1].hash = flip(r[1].hash); return r }, 2},
		{"record removed", func(r []record) []record { return append(r[:2:2], r[3:]...) }, 3},
		{"two swapped", func(r []record) []record { r[1], r[2] = r[2], r[1]; return r }, 2},
		{"tail truncated", func(r []record) []record { return r[:4] }, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := buildChain(t, 5)
			head := recs[4].hash
			err := verifyAll(tt.tamper(recs), 5, head)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("intact chain rejected: %v", err)
				}
				return
			}
			var ce *core.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("want ChainError, got %v", err)
			}
			if ce.Seq != tt.wantSeq {
				t.Fatalf("first bad seq = %d, want %d (%v)", ce.Seq, tt.wantSeq, err)
			}
		})
	}
}

func flip(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)/2] ^= 0x01
	return c
}

func TestEventBytesRoundTrip(t *testing.T) {
	e := core.Event{Type: core.EventSubmissionRejection, NoticeID: "LRE-AAAA-BBBB-CCCC-DDDD", Time: time.Date(2026, 11, 23, 10, 0, 0, 5, time.UTC), Details: map[string]string{"z": "1", "a": "é"}}
	b1, err := core.EventBytes(e)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := core.EventBytes(e)
	if string(b1) != string(b2) {
		t.Fatal("event bytes are not deterministic")
	}
	back, err := core.ParseEventBytes(b1)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Time.Equal(e.Time) || back.Type != e.Type || back.Details["a"] != "é" {
		t.Fatalf("round trip changed the event: %+v", back)
	}
	if got := e.Type.URI(); got != "http://uri.etsi.org/19522/Event/SubmissionRejection" {
		t.Fatalf("URI = %s", got)
	}
}

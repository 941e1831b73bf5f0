package storage

import (
	"encoding/json"
	"fmt"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/storage/kv"
)

// bktNoticeTokens holds each letter's deposit time-stamp token (id -> the
// core.Token as JSON), apart from its notice record. The token is set once
// (core: deposited) and is 1.9 of a record's 3.1 KB; kept inline, every
// update of the letter (deposit, notification attempt, its outcome, the
// answer) wrote it again and left one record per 4 KB leaf page: lre bench,
// 100 KB letters, counted 3 notice pages per letter out of 15.
var bktNoticeTokens = []byte("notice_tokens")

func init() { allBuckets = append(allBuckets, bktNoticeTokens) }

// encodeNotice is the stored notice record: n without its token.
func encodeNotice(n core.Notice) ([]byte, error) {
	n.Token = nil
	b, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("encode notice: %w", err)
	}
	return b, nil
}

// putNoticeToken stores n's token the first time n has one. A record
// written before tokens moved out still holds its token inline: its next
// write moves it here (encodeNotice leaves it out, and no token record
// exists yet).
func putNoticeToken(tx kv.Tx, n core.Notice) error {
	if n.Token == nil {
		return nil
	}
	b := tx.Bucket(bktNoticeTokens)
	if b.Get([]byte(n.ID)) != nil {
		return nil // set once, never replaced
	}
	v, err := json.Marshal(n.Token)
	if err != nil {
		return fmt.Errorf("encode token of %s: %w", n.ID, err)
	}
	if err := b.Put([]byte(n.ID), v); err != nil {
		return fmt.Errorf("save token of %s: %w", n.ID, err)
	}
	return nil
}

// withToken gives n the token stored apart (v, nil when none), unless its
// record still holds one inline.
func withToken(n *core.Notice, v []byte) error {
	if n.Token != nil || v == nil {
		return nil
	}
	var t core.Token
	if err := json.Unmarshal(v, &t); err != nil {
		return fmt.Errorf("decode token of %s: %w", n.ID, err)
	}
	n.Token = &t
	return nil
}

package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// WithBounceKey sets the key that tags VERP return paths. cmd keeps it in
// DATA (bounces come back days later, after restarts); without it the
// service draws a key that lives as long as the process.
func WithBounceKey(key []byte) Option { return func(s *Service) { s.bounceKey = key } }

// verp is the envelope sender of a letter's mail: bounce+<id>.<tag>@domain.
// Reports come back to it and name the letter; the tag (128 bits of an
// HMAC of the id under the bounce key) proves that whoever writes to it
// saw the mail, since nobody can derive it from the letter id.
func (s *Service) verp(noticeID string) string {
	return "bounce+" + strings.ToLower(noticeID) + "." + s.verpTag(noticeID) + "@" + s.bounceDom
}

var tagEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func (s *Service) verpTag(noticeID string) string {
	m := hmac.New(sha256.New, s.bounceKey)
	m.Write([]byte("lre verp\x00" + strings.ToUpper(noticeID)))
	return strings.ToLower(tagEncoding.EncodeToString(m.Sum(nil)[:16]))
}

// verpNotice reads the letter id of a VERP id ("<id>.<tag>", as the bounce
// address named it) and tells whether its tag is the letter's.
func (s *Service) verpNotice(verpID string) (string, bool) {
	i := strings.LastIndexByte(verpID, '.')
	if i < 0 {
		return "", false
	}
	id := strings.ToUpper(verpID[:i])
	if !ValidNoticeID(id) {
		return "", false
	}
	return id, hmac.Equal([]byte(strings.ToLower(verpID[i+1:])), []byte(s.verpTag(id)))
}

package returned

import (
	"regexp"
	"strings"
)

// complaintSubject recognises the complaints that some providers send
// without an ARF part: the abused message attached as message/rfc822
// under a subject that says what it is.
var complaintSubject = regexp.MustCompile(`(?i)complaint|abuse report|spam report|feedback report|reported as (?:spam|junk)`)

// unsubscribeSubject recognises an unsubscribe request mailed to a
// List-Unsubscribe address (RFC 2369): a complaint of the opt-out type.
var unsubscribeSubject = regexp.MustCompile(`(?i)^\s*unsubscribe\s*$`)

// looseComplaint reads a complaint that is not an ARF report; ok is false
// when the message is none.
func (m *message) looseComplaint(r *Report) bool {
	switch {
	case unsubscribeSubject.MatchString(m.subject):
		r.Kind, r.FeedbackType = KindComplaint, "opt-out"
		r.Recipients = []Recipient{{Address: cleanAddress(m.header.get("from")), Reason: ReasonComplaint}}
		return true
	case complaintSubject.MatchString(m.subject) && m.hasOriginal():
		r.Kind, r.FeedbackType = KindComplaint, "abuse"
		r.Recipients = []Recipient{{Address: m.originalHeader("to"), Reason: ReasonComplaint}}
		return true
	}
	return false
}

func (m *message) hasOriginal() bool {
	for _, p := range m.parts {
		if p.ctype == "message/rfc822" || p.ctype == "text/rfc822-headers" {
			return true
		}
	}
	return false
}

// feedbackType normalises an ARF Feedback-Type value.
func feedbackType(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if f := strings.Fields(v); len(f) > 0 {
		v = strings.Trim(f[0], ";,")
	}
	return v
}

package smtp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/lre-project/lre/core"
)

// ParseEnhanced reads the RFC 3463 enhanced status code that starts text, as
// in "5.1.1 User unknown" or a DSN Status field "4.4.7". The code must stand
// alone (end of text or whitespace after it) so that "5.1.1.2" or a version
// number is not mistaken for one.
func ParseEnhanced(text string) (class, subject, detail int, ok bool) {
	text = strings.TrimSpace(text)
	end := strings.IndexAny(text, " \t\r\n")
	if end < 0 {
		end = len(text)
	}
	parts := strings.Split(text[:end], ".")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || len(p) == 0 || len(p) > 3 || p[0] == '+' || p[0] == '-' {
			return 0, 0, 0, false
		}
		n[i] = v
	}
	if len(parts[0]) != 1 || (n[0] != 2 && n[0] != 4 && n[0] != 5) {
		return 0, 0, 0, false
	}
	return n[0], n[1], n[2], true
}

// splitEnhanced separates a leading enhanced code from a reply text, returning
// the code in its canonical "c.s.d" form (or "") and the rest of the text.
func splitEnhanced(text string) (enhanced, rest string) {
	text = strings.TrimSpace(text)
	c, s, d, ok := ParseEnhanced(text)
	if !ok {
		return "", text
	}
	rest = ""
	if i := strings.IndexAny(text, " \t\r\n"); i >= 0 {
		rest = strings.TrimSpace(text[i:])
	}
	return fmt.Sprintf("%d.%d.%d", c, s, d), rest
}

// Classify turns an SMTP reply (3-digit code and optional enhanced code) into
// a delivery class and, for failures, one of the core Reason constants.
//
// The enhanced class wins over the 3-digit code because servers are known to
// answer "552 4.2.2" for a mailbox that will accept mail again once emptied:
// retrying is right although 552 alone says permanent. A 2xx code is always an
// acceptance: the server took the message whatever else it says. Generic
// enhanced codes (x.0.0) say nothing about the cause, so the reason then falls
// back to the 3-digit code. Code 0 stands for "no reply" (network error).
func Classify(code int, enhanced string) (core.DeliveryClass, string) {
	if code >= 200 && code < 300 {
		return core.DeliveryAccepted, ""
	}
	cls, sub, det, ok := ParseEnhanced(enhanced)
	if !ok || cls == 2 {
		cls = code / 100
	}
	class := core.DeliveryTemporary
	if cls == 5 {
		class = core.DeliveryPermanent
	}
	if ok && (sub != 0 || det != 0) {
		return class, reasonFromEnhanced(sub, det)
	}
	return class, reasonFromCode(code)
}

// reasonFromEnhanced maps subject.detail of RFC 3463 (and RFC 7505 for the
// null MX) to the reasons the product shows to senders.
func reasonFromEnhanced(subject, detail int) string {
	switch {
	case subject == 1 && (detail == 1 || detail == 3 || detail == 6):
		return core.ReasonBadMailbox // unknown, malformed or moved mailbox
	case subject == 1 && (detail == 2 || detail == 10):
		return core.ReasonBadDomain // no such domain, or a null MX
	case subject == 2 && detail == 1:
		return core.ReasonBadMailbox // mailbox disabled: the account is gone
	case subject == 2 && detail == 2:
		return core.ReasonMailboxFull
	case subject == 4 && detail == 4:
		return core.ReasonBadDomain // unable to route: what MTAs say for a dead domain
	case subject == 7:
		return core.ReasonPolicy
	}
	return core.ReasonOther
}

// reasonFromCode is the fallback when the server gives no useful enhanced
// code; RFC 5321 defines 550/551/553 as mailbox problems and 552 as storage.
func reasonFromCode(code int) string {
	switch code {
	case 550, 551, 553:
		return core.ReasonBadMailbox
	case 552:
		return core.ReasonMailboxFull
	}
	return core.ReasonOther
}

// queueIDPatterns recognise the queue identifiers the common MTAs put in
// their final 250 reply, so that a later DSN or a postmaster can be matched
// to the attempt.
var queueIDPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)queued as <?([A-Za-z0-9._-]+)`),                   // Postfix, many others
	regexp.MustCompile(`(?i)\bid=([A-Za-z0-9._-]+)`),                          // Exim
	regexp.MustCompile(`(?i)InternalId=([0-9]+)`),                             // Exchange Online
	regexp.MustCompile(`(?i)^OK\s+[0-9]+\s+([A-Za-z0-9._-]+)\s+-\s+gsmtp`),    // Gmail
	regexp.MustCompile(`(?i)^([A-Za-z0-9]+)\s+Message accepted for delivery`), // Sendmail
}

// parseQueueID extracts the remote queue id from a 250 reply text (without
// its enhanced code), or "" when the text names none.
func parseQueueID(text string) string {
	for _, re := range queueIDPatterns {
		if m := re.FindStringSubmatch(text); m != nil {
			return m[1]
		}
	}
	return ""
}

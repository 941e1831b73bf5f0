package smtp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/smtp/returned"
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

// Classify turns an SMTP reply (3-digit code, optional enhanced code and
// its text) into a delivery class and, for failures, a reason.
//
// The enhanced class wins over the 3-digit code because servers are known to
// answer "552 4.2.2" for a mailbox that will accept mail again once emptied:
// retrying is right although 552 alone says permanent. A 2xx code is always an
// acceptance: the server took the message whatever else it says. The reason
// is the returned-mail reader's (one home for the rule): the text first, the
// enhanced code second; a bare 550 names none, for it is as often a block
// as an unknown mailbox. Code 0 stands for "no reply" (network error).
func Classify(code int, enhanced, text string) (core.DeliveryClass, string) {
	if code >= 200 && code < 300 {
		return core.DeliveryAccepted, ""
	}
	cls, _, _, ok := ParseEnhanced(enhanced)
	if !ok || cls == 2 {
		cls = code / 100
	}
	class := core.DeliveryTemporary
	if cls == 5 {
		class = core.DeliveryPermanent
	}
	reason := returned.Classify(enhanced, code, text)
	if code == 0 && reason == returned.ReasonOther {
		reason = returned.ReasonNetwork
	}
	return class, string(reason)
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

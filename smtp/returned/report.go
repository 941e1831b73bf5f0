package returned

import (
	"bytes"
	"fmt"
	"strings"
)

// Kind says what a returned message is.
type Kind string

// Kinds of returned mail.
const (
	KindBounce    Kind = "bounce"       // a delivery failure or delay report
	KindComplaint Kind = "complaint"    // an ARF feedback report (RFC 5965)
	KindAutoReply Kind = "auto-reply"   // an RFC 3834 automatic answer
	KindNone      Kind = "not-a-report" // anything else: kept for a human
)

// MaxBytes bounds what Parse reads: a report with the returned message is
// a few hundred kilobytes; the rest of a larger input is ignored.
const MaxBytes = 4 << 20

// maxRecipients bounds the recipients reported for one message.
const maxRecipients = 100

// Report is what one returned message says.
type Report struct {
	Kind         Kind
	FeedbackType string // for complaints: abuse, fraud, virus, opt-out, auth-failure, other...
	Recipients   []Recipient
	ReportingMTA string
	// MessageID is the Message-ID of the original message (without angle
	// brackets) when the report returns it or refers to it; "" otherwise.
	MessageID string
	// EnvelopeID is the Original-Envelope-Id of a DSN (RFC 3461 ENVID).
	EnvelopeID string
	Subject    string
}

// Recipient is what a report says about one recipient of the original.
type Recipient struct {
	Address    string
	Action     string // failed, delayed, delivered, relayed, expanded (RFC 3464); "" for a complaint
	Status     string // RFC 3463 enhanced status code, "" when the report gives none
	ReplyCode  int    // SMTP reply code quoted by the report, 0 when none
	Reason     Reason
	Hard       bool   // the address itself can never receive mail (see Hard)
	Diagnostic string // the remote server's words, unfolded
	RemoteMTA  string
}

// Failed tells a recipient whose delivery failed or is delayed.
func (r Recipient) Failed() bool { return r.Action == "failed" || r.Action == "delayed" }

// Parse reads one returned message. It never fails: what it cannot read is
// a Report of KindNone, which the caller keeps for a human. It never
// panics either; a bug that would is reported as KindNone.
func Parse(raw []byte) (r Report) {
	defer func() {
		if p := recover(); p != nil {
			r = Report{Kind: KindNone, Subject: fmt.Sprintf("reader failure: %v", p)}
		}
	}()
	if len(raw) > MaxBytes {
		raw = raw[:MaxBytes]
	}
	return parse(raw, 0)
}

// parse reads one message; depth counts the reports read inside reports.
func parse(raw []byte, depth int) Report {
	m := readMessage(raw)
	r := Report{Subject: m.subject, MessageID: m.originalID()}
	switch {
	case m.feedback() != nil:
		m.complaint(&r)
	case m.fromSES(&r):
	case m.status() != nil:
		m.fromDSN(&r)
	case m.looseComplaint(&r):
	case m.bounceLike():
		m.fromText(&r)
		if depth == 0 && vague(r.Recipients) {
			m.fromAttachedReport(&r)
		}
	case m.autoReply():
		r.Kind = KindAutoReply
		r.Recipients = []Recipient{{Address: cleanAddress(m.header.get("from")), Reason: ReasonAutoReplied}}
	default:
		r.Kind = KindNone
	}
	if len(r.Recipients) > maxRecipients {
		r.Recipients = r.Recipients[:maxRecipients]
	}
	return r
}

// vague tells recipients of which the text established nothing.
func vague(rs []Recipient) bool {
	for _, r := range rs {
		if r.Status != "" || r.ReplyCode != 0 || r.Reason != ReasonOther {
			return false
		}
	}
	return true
}

// fromAttachedReport reads the report a bounce forwards as its attachment
// (a gateway that bounces the bounce it could not deliver).
func (m *message) fromAttachedReport(r *Report) {
	for _, p := range m.parts {
		if p.ctype != "message/rfc822" {
			continue
		}
		inner := parse(p.body, 1)
		if inner.Kind == KindBounce && !vague(inner.Recipients) {
			r.Recipients, r.ReportingMTA, r.EnvelopeID = inner.Recipients, inner.ReportingMTA, inner.EnvelopeID
			if inner.MessageID != "" {
				r.MessageID = inner.MessageID
			}
			return
		}
	}
}

// message is a returned message split into its parts.
type message struct {
	header  header
	parts   []part
	subject string
	human   string  // the reporting server's text, the returned message cut off
	blocks  []block // textBlocks, once found
}

func readMessage(raw []byte) *message {
	if bytes.HasPrefix(raw, []byte("From ")) { // an mbox separator line
		_, raw = cutLine(raw)
	}
	h, body := splitHeader(raw)
	m := &message{header: h, subject: decodeWords(h.get("subject"))}
	walkBody(h, body, 0, false, &m.parts)
	m.human = humanText(m.parts)
	return m
}

// feedback returns the ARF part, or a text part that is one in all but name.
func (m *message) feedback() *part {
	for i, p := range m.parts {
		if p.ctype == "message/feedback-report" {
			return &m.parts[i]
		}
	}
	ct, params := contentType(m.header.get("content-type"))
	if ct == "multipart/report" && strings.EqualFold(params["report-type"], "feedback-report") {
		for i, p := range m.parts {
			if !p.original && hasField(p.body, "feedback-type") {
				return &m.parts[i]
			}
		}
	}
	return nil
}

// status returns the delivery-status part, or a part that is one in all
// but name (reports sent as text/plain or with a misspelt media type).
func (m *message) status() *part {
	for i, p := range m.parts {
		if p.ctype == "message/delivery-status" || p.ctype == "message/global-delivery-status" {
			return &m.parts[i]
		}
	}
	for i, p := range m.parts {
		if !p.original && looksLikeDSN(p.body) {
			return &m.parts[i]
		}
	}
	return nil
}

// hasField tells whether body has a field line named name (lower-case).
func hasField(body []byte, name string) bool {
	for _, f := range fieldLines(body) {
		if f.name == name {
			return true
		}
	}
	return false
}

// originalID finds the Message-ID of the returned message: in its returned
// headers, else in the report's In-Reply-To or References.
func (m *message) originalID() string {
	for _, p := range m.parts {
		if p.original {
			h, _ := splitHeader(p.body)
			if id := messageID(h.get("message-id")); id != "" {
				return id
			}
		}
	}
	if id := inlineOriginalID(m.parts); id != "" {
		return id
	}
	if id := messageID(m.header.get("in-reply-to")); id != "" {
		return id
	}
	return messageID(m.header.get("references"))
}

// complaint reads an ARF report: its feedback type and the address that
// complained (Original-Rcpt-To, else the returned message's To).
func (m *message) complaint(r *Report) {
	fb := m.feedback()
	fields := fieldLines(fb.body)
	var rcpts []string
	for _, f := range fields {
		switch f.name {
		case "feedback-type":
			if r.FeedbackType == "" {
				r.FeedbackType = feedbackType(f.value)
			}
		case "original-rcpt-to", "removal-recipient":
			rcpts = appendUnique(rcpts, cleanAddress(f.value))
		case "reporting-mta":
			r.ReportingMTA = hostName(f.value)
		}
	}
	if len(rcpts) == 0 {
		rcpts = appendUnique(rcpts, m.originalHeader("to"))
	}
	r.Kind = KindComplaint
	for _, a := range rcpts {
		r.Recipients = append(r.Recipients, Recipient{Address: a, Reason: ReasonComplaint})
	}
}

// originalHeader returns an address field of the returned message.
func (m *message) originalHeader(name string) string {
	for _, p := range m.parts {
		if p.original {
			h, _ := splitHeader(p.body)
			if v := h.get(name); v != "" {
				return cleanAddress(v)
			}
		}
	}
	return ""
}

func appendUnique(list []string, a string) []string {
	if a == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, a) {
			return list
		}
	}
	return append(list, a)
}

// hostName reads an MTA-name field: "dns; mx.example. (203.0.113.9)" names mx.example.
func hostName(v string) string {
	f := strings.Fields(stripType(v))
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], ".")
}

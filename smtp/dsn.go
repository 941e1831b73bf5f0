package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/dsn"

	"github.com/lre-project/lre/core"
)

// Errors of ParseDSN. Neither is worth a retry: keep the message for a
// human to read.
var (
	// ErrNotDSN: the message has no delivery-status part (an old-style
	// plain-text bounce, an auto-reply, spam sent to the bounce address).
	ErrNotDSN = errors.New("not a delivery status notification")
	// ErrMalformedDSN: the message claims to be a report but cannot be read.
	ErrMalformedDSN = errors.New("malformed delivery status notification")
)

// DSN is what a delivery status notification (RFC 3464) says about the
// recipients of one original message.
type DSN struct {
	ReportingMTA string
	Recipients   []DSNRecipient
	// MessageID of the original message without angle brackets, from its
	// returned headers (or, failing that, the report's own references);
	// "" when the report does not say.
	MessageID   string
	Explanation string // the human-readable part, as text
}

// DSNRecipient is the per-recipient part of a report.
type DSNRecipient struct {
	Recipient         string // Final-Recipient address, "rfc822;" removed
	OriginalRecipient string
	Action            string // failed, delayed, delivered, relayed or expanded
	Status            string // enhanced status code, e.g. 5.1.1
	Diagnostic        string // Diagnostic-Code text, type removed, unfolded
	Code              int    // SMTP reply code quoted by the diagnostic, 0 if none
	RemoteMTA         string
	Class             core.DeliveryClass // from Action: failed is permanent, delayed temporary
	Reason            string             // one of the core Reason constants, for failed and delayed
}

// ParseDSN reads a delivery status notification. It looks for the
// message/delivery-status part anywhere in the MIME tree instead of only
// where RFC 6522 puts it, because real reports (Gmail's among them) wrap
// their explanation in multipart/related, which enmime's dsn.ParseReport
// does not accept. It never panics: the input comes from strangers.
func ParseDSN(raw []byte) (d DSN, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = DSN{}, fmt.Errorf("parse dsn: %w: parser panic: %v", ErrMalformedDSN, r)
		}
	}()
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return DSN{}, fmt.Errorf("parse dsn: %w: %v", ErrMalformedDSN, err)
	}
	status := env.Root.BreadthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/delivery-status" || p.ContentType == "message/global-delivery-status"
	})
	if status == nil {
		return DSN{}, fmt.Errorf("parse dsn: %w", ErrNotDSN)
	}
	// dsn.ParseReport reads its report from the part after an explanation:
	// give it one that holds just the status part we found.
	report, err := dsn.ParseReport(&enmime.Part{
		ContentType: "multipart/report",
		FirstChild:  &enmime.Part{ContentType: "text/plain", NextSibling: status},
	})
	if err != nil {
		return DSN{}, fmt.Errorf("parse dsn: %w: %v", ErrMalformedDSN, err)
	}
	d = DSN{Explanation: env.Text}
	for _, h := range report.DeliveryStatus.MessageDSNs {
		d.ReportingMTA = hostName(h.Get("Reporting-MTA"))
		d.MessageID = messageID(h.Get("X-Original-Message-ID"))
	}
	for _, h := range report.DeliveryStatus.RecipientDSNs {
		r, ok := parseRecipient(h.Get)
		if ok {
			d.Recipients = append(d.Recipients, r)
		}
	}
	if len(d.Recipients) == 0 {
		return DSN{}, fmt.Errorf("parse dsn: %w: no per-recipient fields with Final-Recipient and Action", ErrMalformedDSN)
	}
	if id := originalMessageID(env); id != "" {
		d.MessageID = id
	} else if d.MessageID == "" {
		d.MessageID = messageID(env.GetHeader("In-Reply-To")) // Exchange fills it in
	}
	return d, nil
}

// parseRecipient reads one per-recipient block; get is its header lookup.
func parseRecipient(get func(string) string) (DSNRecipient, bool) {
	r := DSNRecipient{
		Recipient:         stripType(get("Final-Recipient")),
		OriginalRecipient: stripType(get("Original-Recipient")),
		Action:            strings.ToLower(strings.TrimSpace(get("Action"))),
		Diagnostic:        oneLine(stripType(get("Diagnostic-Code"))),
		RemoteMTA:         hostName(get("Remote-MTA")),
	}
	if r.Recipient == "" || r.Action == "" {
		return DSNRecipient{}, false
	}
	status, _ := splitEnhanced(get("Status"))
	code, diagStatus := diagnosticCodes(r.Diagnostic)
	// A generic status (Exim says 5.0.0) hides what the quoted reply tells.
	if sc, ss, sd, ok := ParseEnhanced(status); (!ok || (ss == 0 && sd == 0)) && diagStatus != "" {
		if dc, _, _, _ := ParseEnhanced(diagStatus); !ok || dc == sc {
			status = diagStatus
		}
	}
	r.Status, r.Code = status, code
	switch r.Action {
	case "failed":
		r.Class = core.DeliveryPermanent
		r.Reason = reasonOf(code, 550, status)
	case "delayed":
		r.Class = core.DeliveryTemporary
		r.Reason = reasonOf(code, 450, status)
	default:
		r.Class = core.DeliveryAccepted
	}
	return r, true
}

// reasonOf classifies a failure whose quoted reply code may be missing (0)
// or nonsensical for the action; fallback stands in for it then.
func reasonOf(code, fallback int, status string) string {
	if code < 400 {
		code = fallback
	}
	_, reason := Classify(code, status)
	return reason
}

// diagnosticCodes finds the reply code and enhanced code quoted in a
// diagnostic such as "550 5.1.1 <x>: User unknown" or Gmail's "552-5.2.2 ...".
func diagnosticCodes(diag string) (code int, enhanced string) {
	if len(diag) < 3 {
		return 0, ""
	}
	n, err := strconv.Atoi(diag[:3])
	if err != nil || n < 200 || n > 599 || len(diag) > 3 && diag[3] != ' ' && diag[3] != '-' {
		return 0, ""
	}
	enhanced, _ = splitEnhanced(strings.TrimLeft(diag[3:], " -"))
	return n, enhanced
}

// stripType removes the "rfc822;", "dns;" or "smtp;" type of a DSN field.
func stripType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 && !strings.ContainsAny(v[:i], " <@") {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// hostName reads an MTA-name field: "dns; mx.example. (203.0.113.9, ...)"
// names mx.example.
func hostName(v string) string {
	f := strings.Fields(stripType(v))
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], ".")
}

// originalMessageID finds the Message-ID of the returned message in its
// headers (text/rfc822-headers or message/rfc822).
func originalMessageID(env *enmime.Envelope) string {
	orig := env.Root.BreadthMatchFirst(func(p *enmime.Part) bool {
		switch p.ContentType {
		case "text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers":
			return true
		}
		return false
	})
	if orig == nil {
		return ""
	}
	// Headers-only parts end without the blank line mail.ReadMessage wants.
	content := append(append([]byte(nil), orig.Content...), "\r\n\r\n"...)
	m, err := mail.ReadMessage(bytes.NewReader(content))
	if err != nil {
		return ""
	}
	return messageID(m.Header.Get("Message-Id"))
}

func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	return ""
}

package returned

import (
	"regexp"
	"strings"
)

// fromDSN reads the recipients of a delivery-status part. A report whose
// status part names nobody is read as plain text instead.
func (m *message) fromDSN(r *Report) {
	d := parseDSNFields(m.status().body)
	r.Kind = KindBounce
	r.ReportingMTA = hostName(d.message.get("reporting-mta"))
	r.EnvelopeID = strings.TrimSpace(d.message.get("original-envelope-id"))
	if r.MessageID == "" {
		r.MessageID = messageID(d.message.get("x-original-message-id"))
	}
	blocks := m.textBlocks()
	for _, h := range d.recipients {
		addr := dsnAddress(h)
		status := statusField(h.get("status"))
		action := normaliseAction(h.get("action"), status)
		if addr == "" && h.get("action") == "" && status == "" {
			continue // a stray block of unknown fields
		}
		diag := oneLine(stripType(h.get("diagnostic-code")))
		context := m.blockFor(blocks, addr)
		if context == "" && len(d.recipients) == 1 {
			context = m.human
		}
		rc := judge(addr, action, h.get("status"), diag, context)
		rc.RemoteMTA = hostName(h.get("remote-mta"))
		r.Recipients = append(r.Recipients, rc)
	}
	if len(r.Recipients) == 0 {
		m.fromText(r)
	}
}

// dsnAddress is the failed address of a per-recipient block: Final-
// Recipient, else Original-Recipient or X-Actual-Recipient when the final
// one is missing or not an address.
func dsnAddress(h header) string {
	addr := cleanAddress(h.get("final-recipient"))
	if strings.Contains(addr, "@") {
		return addr
	}
	for _, name := range []string{"original-recipient", "x-actual-recipient"} {
		if a := cleanAddress(h.get(name)); strings.Contains(a, "@") {
			return a
		}
	}
	return addr
}

// normaliseAction reads an Action field; the non-standard "expired" (and
// a missing field) is read from the status class.
func normaliseAction(v, status string) string {
	a := strings.ToLower(strings.TrimSpace(v))
	if f := strings.Fields(a); len(f) > 0 {
		a = strings.Trim(f[0], ".,;:()")
	}
	switch a {
	case "failed", "delayed", "delivered", "relayed", "expanded":
		return a
	case "failure", "fail", "expired", "bounced", "undelivered", "rejected":
		return "failed"
	case "delay", "deferred", "retrying":
		return "delayed"
	}
	if class(status) == 4 {
		return "delayed"
	}
	return "failed"
}

// delayRe recognises a plain-text warning that delivery is still tried.
var delayRe = regexp.MustCompile(`(?i)has been delayed|not yet been delivered|will (?:continue to |keep )?(?:try|retry)|still trying|delivery (?:is )?delayed|` +
	`warning: message|temporarily (?:unable|deferred)|will be retried|no need to resend`)

// finalRe recognises a plain-text bounce that says it gave up.
var finalRe = regexp.MustCompile(`(?i)permanent|given up|gave up`)

// fromText reads a plain-text bounce: recipients from the human text (or
// Exim's X-Failed-Recipients), each with the text that follows it.
func (m *message) fromText(r *Report) {
	r.Kind = KindBounce
	blocks := m.textBlocks()
	if failed := m.header.get("x-failed-recipients"); failed != "" {
		blocks = m.failedHeader(failed, blocks)
	}
	action := "failed"
	if delayRe.MatchString(m.human) && !finalRe.MatchString(m.human) {
		action = "delayed"
	}
	if len(blocks) == 0 {
		blocks = []block{{address: m.originalHeader("to"), text: m.human}}
	}
	for _, b := range blocks {
		context := ""
		if len(blocks) == 1 {
			context = m.human
		}
		r.Recipients = append(r.Recipients, judge(b.address, action, "", b.text, context))
	}
}

// failedHeader orders the blocks by Exim's list of failed recipients,
// keeping the text found for each.
func (m *message) failedHeader(failed string, blocks []block) []block {
	var out []block
	for _, a := range strings.Split(failed, ",") {
		a = cleanAddress(a)
		if a == "" {
			continue
		}
		out = append(out, block{address: a, text: m.blockFor(blocks, a)})
	}
	return out
}

// judge builds one recipient from what its report says: the Status field
// (or ""), the diagnostic text, and the context (the human text about it)
// when the diagnostic is silent.
func judge(addr, action, fieldStatus, diag, context string) Recipient {
	fieldStatus, comment := splitComment(fieldStatus)
	diag = oneLine(withoutAddresses(bound(diag)))
	context = withoutAddresses(bound(context))
	code := firstReply(diag)
	if code == 0 {
		code = firstReply(context)
	}
	status := chooseStatus(fieldStatus, quotedStatus(diag), firstEnhanced(diag))
	if status == "" || generic(status) && fieldStatus == "" {
		status = chooseStatus(status, quotedStatus(context), firstEnhanced(context))
	}
	reason := reasonOfText(comment)
	if reason == ReasonPolicy { // "(rejected)": says nothing of why
		reason = ""
	}
	if reason == "" {
		reason = reasonOfText(diag)
	}
	if reason == "" {
		reason = reasonOfText(oneLine(context))
	}
	if reason == ReasonUserUnknown && !confirmedUnknown(status, diag, context) {
		reason = ReasonPolicy
	}
	if reason == "" {
		reason = reasonOfStatus(status)
	}
	if reason == "" && action == "delayed" {
		reason = ReasonExpired
	}
	if reason == "" {
		reason = ReasonOther
	}
	text := diag
	if text == "" {
		text = oneLine(context)
	}
	if len(text) > 1000 {
		text = text[:1000]
	}
	return Recipient{Address: addr, Action: action, Status: status, ReplyCode: code, Reason: reason,
		Hard: Hard(action, status, code, reason), Diagnostic: text}
}

// atData recognises a refusal given in reply to DATA or to the message's
// end, after the server had accepted the recipient.
var atData = regexp.MustCompile(`(?i)after (?:end of )?data|>>> data\s*\n?\s*<<<|smtp command:? data|in reply to (?:the )?(?:end of )?data|after the data command`)

// confirmedUnknown tells an "unknown user" that is about the address. A
// bare "550 user unknown" (no enhanced code) given to DATA, after the
// server had accepted the recipient at RCPT TO, is a content filter's
// wording: soft, for a false hard bounce would end a notification that
// could still arrive. An address status (x.1.x) always confirms it.
func confirmedUnknown(status, diag, context string) bool {
	if addressStatus(status) || firstEnhanced(diag) != "" {
		return true
	}
	return !atData.MatchString(diag + "\n" + context)
}

// splitComment separates a Status field's code from its comment:
// "5.2.1 (mailbox disabled, not accepting messages)". The comment is the
// reporting MTA's reading of the remote's code; when it names a reason it
// is trusted over the remote's words, which are often an MTA's template
// ("... User Unknown" whatever the code).
func splitComment(field string) (code, comment string) {
	code = statusField(field)
	if i := strings.IndexByte(field, '('); i >= 0 {
		comment = strings.Trim(field[i:], "() ")
	}
	return code, comment
}

// addressStatus tells an x.1.x code: the server itself says the address is wrong.
func addressStatus(code string) bool {
	_, s, _, ok := parseEnhanced(code)
	return ok && s == 1
}

// withoutAddresses replaces the addresses of a text: a local part such as
// "no-such-user" or "filtered" is no diagnosis.
func withoutAddresses(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	return addrRe.ReplaceAllString(text, "<address>")
}

// bound cuts a text to what is read of one recipient.
func bound(text string) string {
	if len(text) > maxClassified {
		return text[:maxClassified]
	}
	return text
}

// oneLine collapses the white space of a folded text.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

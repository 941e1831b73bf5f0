package smtp

import (
	"bytes"
	"net/mail"
	"net/url"
	"strings"
	"unicode"

	"github.com/lre-project/lre/core"
)

// validateMail refuses, before anything is written, every value that could
// break the message or leave the recipient without what the kind promises.
// Header values with CR or LF are refused outright rather than cleaned:
// silently altering a name on a legal notice is worse than failing loudly.
func validateMail(m core.OutgoingMail) error {
	if !validID(m.ID) {
		return core.FieldError(core.EINVALID, "id", "the mail id must be 1 to 128 letters, digits, '.', '_', '-', '+' or '='")
	}
	if m.Date.IsZero() {
		return core.FieldError(core.EINVALID, "date", "the mail has no date")
	}
	checks := []struct {
		field string
		err   string
	}{
		{"to.name", checkName(m.To.Name)},
		{"to.email", checkAddress(m.To.Email)},
		{"provider.name", checkName(m.Provider.Name)},
		{"provider.from_email", checkAddress(m.Provider.FromEmail)},
		{"provider.address", checkName(m.Provider.Address)},
		{"notice_id", checkName(m.NoticeID)},
		{"code", checkName(m.Code)},
	}
	for _, c := range checks {
		if c.err != "" {
			return core.FieldError(core.EINVALID, c.field, "%s", c.err)
		}
	}
	return validateKind(m)
}

// validateKind checks the facts each kind of mail must state.
func validateKind(m core.OutgoingMail) error {
	needLink, needCode, needDeadline := false, false, false
	if m.Kind != core.MailProof && len(m.Proof) > 0 {
		return core.FieldError(core.EINVALID, "proof", "only the proof mail to the sender carries a file")
	}
	switch m.Kind {
	case core.MailNotification, core.MailReminder:
		needLink, needCode, needDeadline = true, true, true
		if m.NoticeID == "" {
			return core.FieldError(core.EINVALID, "notice_id", "the mail names no letter")
		}
	case core.MailOTP:
		needCode = true
	case core.MailConsent:
		needLink = true
	case core.MailProof:
		if err := validateProof(m); err != nil {
			return err
		}
		needLink = true
	default:
		return core.FieldError(core.EINVALID, "kind", "unknown mail kind %q", m.Kind)
	}
	if needLink && !validLink(m.Link) {
		return core.FieldError(core.EINVALID, "link", "the link must be an absolute http or https URL")
	}
	if needCode && m.Code == "" {
		return core.FieldError(core.EINVALID, "code", "the mail has no code")
	}
	if needDeadline && m.Deadline.IsZero() {
		return core.FieldError(core.EINVALID, "deadline", "the mail has no deadline")
	}
	return nil
}

// validID accepts ids that are safe at once in a Message-ID, a VERP local
// part and a file name.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == '-' || r == '+' || r == '=') {
			return false
		}
	}
	return true
}

func checkName(s string) string {
	if hasControl(s) {
		return "the value must not contain line breaks or control characters"
	}
	return ""
}

// checkAddress accepts a bare ASCII address: internationalised addresses
// need SMTPUTF8 end to end, which this mailer does not negotiate.
func checkAddress(addr string) string {
	if hasControl(addr) {
		return "the address must not contain line breaks or control characters"
	}
	for _, r := range addr {
		if r > unicode.MaxASCII {
			return "internationalised addresses are not supported"
		}
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" || !strings.Contains(addr, "@") {
		return "not a valid email address"
	}
	return ""
}

func validLink(link string) bool {
	if hasControl(link) || strings.ContainsAny(link, " <>\"") {
		return false
	}
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// validateProof checks the proof mail to a sender: it names its letter
// and recipient, and carries exactly the one PDF it announces.
func validateProof(m core.OutgoingMail) error {
	if m.NoticeID == "" {
		return core.FieldError(core.EINVALID, "notice_id", "the mail names no letter")
	}
	if _, ok := m.Certificate.AttestedEvent(); !ok {
		return core.FieldError(core.EINVALID, "certificate", "the proof mail names no certificate")
	}
	for field, v := range map[string]string{"recipient.name": checkName(m.Recipient.Name), "recipient.email": checkAddress(m.Recipient.Email), "reference": checkName(m.Reference)} {
		if v != "" {
			return core.FieldError(core.EINVALID, field, "%s", v)
		}
	}
	if !bytes.HasPrefix(m.Proof, []byte("%PDF-")) {
		return core.FieldError(core.EINVALID, "proof", "the proof mail must carry its PDF proof")
	}
	return nil
}

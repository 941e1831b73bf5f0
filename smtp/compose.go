package smtp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// signedHeaders are the fields the DKIM signature covers: everything a
// forger would want to change to pass our mail off as another.
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID",
	"MIME-Version", "Content-Type", "Auto-Submitted"}

// Compose builds the complete RFC 5322 message for m: a multipart/alternative
// text and HTML body (for MailProof inside a multipart/mixed with the PDF) in quoted-printable UTF-8, French unless m.Language is
// "en", DKIM-signed when dkim is not nil, its deadline written in zone (the
// deadline zone, --deadline-tz; nil is core.DefaultDeadlineZone). The
// output depends only on m, zone (and the signature time), so a resend of
// the same m is the same message.
//
// It returns an EINVALID *core.Error naming the field when a value would
// break the message: a line break in a header value (header injection), a
// malformed address or id, or a fact the kind needs (link, code, deadline).
func Compose(m core.OutgoingMail, dkim *DKIMConfig, zone *time.Location) ([]byte, error) {
	if err := validateMail(m); err != nil {
		return nil, fmt.Errorf("compose mail %s: %w", m.ID, err)
	}
	lang := language(m.Language)
	subject, text, html, err := render(m.Kind, lang, newView(m, lang, zone))
	if err != nil {
		return nil, fmt.Errorf("compose mail %s: %w", m.ID, err)
	}
	if hasControl(subject) {
		return nil, fmt.Errorf("compose mail %s: %w", m.ID,
			core.FieldError(core.EINVALID, "subject", "the subject must be a single line"))
	}
	var buf bytes.Buffer
	boundary := boundaryFor(m)
	if m.Kind != core.MailProof {
		writeHeaders(&buf, headerFields(m, subject, lang, `multipart/alternative; boundary="`+boundary+`"`))
		err = writeBody(&buf, boundary, text, html)
	} else {
		writeHeaders(&buf, headerFields(m, subject, lang, `multipart/mixed; boundary="mixed-`+boundary+`"`))
		err = writeMixed(&buf, boundary, text, html, proofName(m), m.Proof)
	}
	if err != nil {
		return nil, fmt.Errorf("compose mail %s: %w", m.ID, err)
	}
	if dkim == nil {
		return buf.Bytes(), nil
	}
	signed, err := dkim.sign(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("compose mail %s: %w", m.ID, err)
	}
	return signed, nil
}

func headerFields(m core.OutgoingMail, subject, lang, contentType string) []field {
	return []field{
		{"From", formatAddress(m.Provider.Name, m.Provider.FromEmail)},
		{"To", formatAddress(m.To.Name, m.To.Email)},
		{"Subject", encodeText(subject)},
		{"Date", m.Date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + m.ID + "@" + domainOf(m.Provider.FromEmail) + ">"},
		{"Auto-Submitted", "auto-generated"}, // RFC 3834: no auto-replies to us
		// Outlook's out-of-office replies would land on the VERP bounce
		// address as junk that is not a DSN.
		{"X-Auto-Response-Suppress", "All"},
		{"Content-Language", lang},
		{"MIME-Version", "1.0"},
		{"Content-Type", contentType},
	}
}

// writeMixed writes the text and HTML alternatives, then the proof PDF
// in base64 (RFC 2046, 2183).
func writeMixed(w io.Writer, boundary, text, html, name string, pdf []byte) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary("mixed-" + boundary); err != nil {
		return fmt.Errorf("set boundary: %w", err)
	}
	alt, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + boundary + `"`}})
	if err != nil {
		return fmt.Errorf("create part: %w", err)
	}
	if err := writeBody(alt, boundary, text, html); err != nil {
		return err
	}
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType("application/pdf", map[string]string{"name": name})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return fmt.Errorf("create attachment: %w", err)
	}
	if err := writeBase64(part, pdf); err != nil {
		return fmt.Errorf("write attachment: %w", err)
	}
	return mw.Close()
}

// writeBase64 writes b in base64 lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, b []byte) error {
	enc := base64.StdEncoding.EncodeToString(b)
	for len(enc) > 0 {
		n := min(76, len(enc))
		if _, err := io.WriteString(w, enc[:n]+"\r\n"); err != nil {
			return err
		}
		enc = enc[n:]
	}
	return nil
}

func writeBody(buf io.Writer, boundary, text, html string) error {
	mw := multipart.NewWriter(buf)
	if err := mw.SetBoundary(boundary); err != nil {
		return fmt.Errorf("set boundary: %w", err)
	}
	for _, part := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", html},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return fmt.Errorf("create part: %w", err)
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return fmt.Errorf("write part: %w", err)
		}
		if err := qp.Close(); err != nil {
			return fmt.Errorf("write part: %w", err)
		}
	}
	return mw.Close()
}

// boundaryFor derives the MIME boundary from the mail id so that composing
// the same mail twice gives the same bytes.
func boundaryFor(m core.OutgoingMail) string {
	sum := sha256.Sum256([]byte(string(m.Kind) + "\x00" + m.ID))
	return "lre-" + hex.EncodeToString(sum[:16])
}

func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

package batches

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lre-project/lre/core"
)

// Request is a batch as an entry point received it: the recipients CSV and
// the letter every row receives (its recipient fields are ignored: each row
// brings its own). Letter.Language is the default of rows without one.
type Request struct {
	Sender         core.User
	IdempotencyKey string
	Recipients     []byte
	Letter         core.DepositRequest
}

// RowError is what is wrong with one row: the CSV line, the column at fault
// (email, name, type, reference, language, birthdate; "recipients" for the
// line as a whole) and a message for the sender.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Err is the error the message comes from, for pages that write it in
	// the reader's language.
	Err *core.Error `json:"-"`
}

// RowsError lists every bad row of a batch. It unwraps to an EINVALID
// *core.Error, so it maps to 422 wherever a core error does.
type RowsError struct {
	Rows []RowError
}

func (e *RowsError) Error() string { return e.summary().Error() }

// Unwrap gives the core error the web layer's one table translates.
func (e *RowsError) Unwrap() error { return e.summary() }

func (e *RowsError) summary() *core.Error {
	return core.FieldError(core.EINVALID, "recipients", "%d rows of the recipients file are invalid; nothing was sent: correct them and send the batch again", len(e.Rows))
}

// columnOf names the CSV column behind a deposit field.
var columnOf = map[string]string{
	"recipient_email": "email", "recipient_name": "name", "recipient_type": "type",
	"sender_reference": "reference", "language": "language",
}

// Check parses the recipients and runs on every row the deposit checks a
// single letter gets (core's CheckDeposit: one home for the rule). It
// stores nothing. Errors: *RowsError listing every bad row; an error of
// the shared letter (subject, body, attachments, role, sending policy) as
// CheckDeposit returns it; EINVALID for a file that is not a recipients CSV.
func (s *Service) Check(ctx context.Context, req Request) ([]Row, error) {
	rows, err := ParseRecipients(req.Recipients, s.maxRows)
	if err != nil {
		return nil, err
	}
	var bad []RowError
	seen := map[string]int{}
	for i := range rows {
		re, err := s.checkRow(ctx, req, &rows[i], seen)
		if err != nil {
			return nil, err
		}
		if re != nil {
			bad = append(bad, *re)
		}
	}
	if len(bad) > 0 {
		return nil, &RowsError{Rows: bad}
	}
	return rows, nil
}

// checkRow returns the row's error, or a non-row error that condemns the
// whole batch.
func (s *Service) checkRow(ctx context.Context, req Request, row *Row, seen map[string]int) (*RowError, error) {
	bd, err := checkBirthdate(row.Birthdate, s.now())
	if err != nil {
		return rowError(row.Line, err), nil
	}
	row.Birthdate = bd
	key := strings.ToLower(row.Email) + "\x00" + strings.ToLower(row.Name)
	if first, dup := seen[key]; dup {
		return rowError(row.Line, core.FieldError(core.EINVALID, "email", "the same recipient as line %d: each recipient receives one letter", first)), nil
	}
	seen[key] = row.Line
	err = s.letters.CheckDeposit(ctx, letterOf(req, *row, ""))
	if err == nil {
		return nil, nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		if _, ok := columnOf[ce.Field]; ok {
			return rowError(row.Line, ce), nil
		}
	}
	return nil, err
}

func rowError(line int, err error) *RowError {
	var ce *core.Error
	if !errors.As(err, &ce) {
		ce = &core.Error{Code: core.EINVALID, Field: "recipients", Message: err.Error()}
	}
	field := columnOf[ce.Field]
	if field == "" {
		field = ce.Field
	}
	return &RowError{Line: line, Field: field, Code: ce.Code, Message: ce.Message, Err: ce}
}

// letterOf is the deposit of one row: the shared letter addressed to it.
func letterOf(req Request, row Row, key string) core.DepositRequest {
	d := req.Letter
	d.Sender, d.IdempotencyKey = req.Sender, key
	d.RecipientEmail, d.RecipientName, d.RecipientType = row.Email, row.Name, row.Type
	if row.Reference != "" {
		d.SenderReference = row.Reference
	}
	if row.Language != "" {
		d.Language = row.Language
	}
	if row.Birthdate != "" { // compared with what an identity provider returns
		d.RecipientBirthdate = row.Birthdate
	}
	return d
}

// checkBirthdate accepts an empty date, YYYY-MM-DD, or DD/MM/YYYY as
// French spreadsheets write it, and returns it as YYYY-MM-DD.
func checkBirthdate(v string, now time.Time) (string, error) {
	if v == "" {
		return "", nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		t, err = time.Parse("02/01/2006", v)
	}
	if err != nil {
		return "", core.FieldError(core.EINVALID, "birthdate", "birthdate %q is not a date: write it as YYYY-MM-DD or DD/MM/YYYY", v)
	}
	if t.Year() < 1900 || t.After(now) {
		return "", core.FieldError(core.EINVALID, "birthdate", "birthdate %s is not a plausible date of birth", t.Format("2006-01-02"))
	}
	return t.Format("2006-01-02"), nil
}

// requestDigest sums what a retry under the same Idempotency-Key must
// repeat: the recipients and the shared letter, files by their digest.
func requestDigest(req Request) string {
	h := sha256.New()
	l := req.Letter
	for _, part := range []string{string(req.Recipients), l.Subject, l.Body, l.Language, l.SenderReference, l.KnowledgeQuestion, l.KnowledgeAnswer} {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	for _, a := range l.Attachments {
		fmt.Fprintf(h, "%d:%s;%s;", len(a.Name), a.Name, a.SHA256)
	}
	if l.RequiredAssurance != "" { // only then, so that digests of batches without it stay as stored
		fmt.Fprintf(h, "required_assurance:%s;", l.RequiredAssurance)
	}
	return hex.EncodeToString(h.Sum(nil))
}

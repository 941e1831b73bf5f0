package core

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error codes. They are the only vocabulary the web layer translates into
// HTTP statuses (one table, in web/errors.go), so keep the list short.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Field names it
	ETOOLARGE     = "too_large"    // the input exceeds a configured limit; Field names it
	ENOTFOUND     = "not_found"    // no such thing, or not visible to the caller
	ECONFLICT     = "conflict"     // the state forbids the action (already decided, duplicate)
	EUNAUTHORIZED = "unauthorized" // missing or bad credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	EUNAVAILABLE  = "unavailable"  // a dependency (TSA, SMTP, disk) failed; retry later
	EINTERNAL     = "internal"     // a bug or an unexpected failure; logged, never shown
	EREFUSED      = "refused"      // a business rule refuses the deposit (consent, policy)
)

// Error is the one error type users see. Message is safe to show; Field names
// the input at fault, when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
	Err     error // the underlying cause, logged but never shown
	// Format and Args are what Message was written from, so that a page
	// can write the same message in the reader's language: Format is the
	// key of the translation catalogue (web/error_text.go).
	Format string
	Args   []any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// FieldError builds an EINVALID (or other code) error naming the field at fault.
func FieldError(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// WithCause keeps cause as the underlying error of e (logged, never
// shown) and returns e.
func (e *Error) WithCause(cause error) *Error {
	e.Err = cause
	return e
}

// Bytes is a size among an error's arguments, so that each language writes
// it for people ("25 MB", "25 Mo") instead of "26214400 bytes".
type Bytes int64

// String writes b in English, for core's own message.
func (b Bytes) String() string { return b.Format(".", "bytes", "KB", "MB", "GB") }

// Format writes b in binary multiples (a limit of 25 << 20 is "25 MB"),
// with one decimal unless whole, the language's decimal mark and its names
// for bytes and the three multiples.
func (b Bytes) Format(mark, unit, kilo, mega, giga string) string {
	n := int64(b)
	if n < 1<<10 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	div, name := int64(1<<10), kilo
	switch {
	case n >= 1<<30:
		div, name = 1<<30, giga
	case n >= 1<<20:
		div, name = 1<<20, mega
	}
	if n%div == 0 {
		return fmt.Sprintf("%d %s", n/div, name)
	}
	s := fmt.Sprintf("%.1f", float64(n)/float64(div))
	if s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	if mark != "." {
		s = strings.Replace(s, ".", mark, 1)
	}
	return s + " " + name
}

// At is a moment among an error's arguments: RFC 3339 in core's message,
// written in words and in the reader's time zone by each page.
type At time.Time

func (t At) String() string { return time.Time(t).UTC().Format(time.RFC3339) }

// Assurance is an eIDAS assurance level among an error's arguments, so that
// each language names it in its own words.
type Assurance string

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err, hiding internal details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// EGONE means the thing existed but was destroyed on purpose (a letter's
// content after its retention period); it is not coming back.
const EGONE = "gone"

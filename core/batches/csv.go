package batches

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lre-project/lre/core"
)

// The CSV's columns. email and name are required; the others are optional.
var columns = map[string]bool{"email": true, "name": true, "type": false, "reference": false, "language": false, "birthdate": false}

// MaxCSVBytes bounds the recipients file: 10,000 rows of a few hundred
// bytes each, with room to spare.
const MaxCSVBytes = 16 << 20

var bom = []byte("\xef\xbb\xbf")

// ParseRecipients reads a recipients CSV as spreadsheets write it: UTF-8
// with or without a byte-order mark, fields separated by commas or (as
// French spreadsheets do) semicolons, detected from the header line,
// quoted fields allowed, a header row naming the columns. Rows whose cells
// are all empty are skipped. Errors: EINVALID with Field "recipients" for
// a file that cannot be read as such, as a *RowsError when a row has more
// cells than the header; ETOOLARGE beyond maxRows.
func ParseRecipients(data []byte, maxRows int) ([]Row, error) {
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		return nil, core.FieldError(core.EINVALID, "recipients", "the recipients file is not UTF-8 (line %d): save it as \"CSV UTF-8\"", invalidLine(data))
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, core.FieldError(core.EINVALID, "recipients", "the recipients file is empty: it needs a header row (email, name) and one row per recipient")
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols, err := readHeader(header)
	if err != nil {
		return nil, err
	}
	return readRows(r, cols, maxRows)
}

// delimiter picks ';' when the header line holds more semicolons than
// commas outside quotes, else ','.
func delimiter(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			return pick(semis > commas)
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	return pick(semis > commas)
}

func pick(semicolon bool) rune {
	if semicolon {
		return ';'
	}
	return ','
}

// readHeader maps each column to its name and checks that the required
// ones are there and no unknown or repeated one is.
func readHeader(header []string) ([]string, error) {
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, ok := columns[name]; !ok {
			return nil, core.FieldError(core.EINVALID, "recipients", "unknown column %q in the header; the columns are email, name, type, reference, language, birthdate", h)
		}
		if seen[name] {
			return nil, core.FieldError(core.EINVALID, "recipients", "column %q appears twice in the header", name)
		}
		seen[name], cols[i] = true, name
	}
	for name, required := range columns {
		if required && !seen[name] {
			return nil, core.FieldError(core.EINVALID, "recipients", "the header has no %q column; the first line must name the columns, at least email and name", name)
		}
	}
	return cols, nil
}

func readRows(r *csv.Reader, cols []string, maxRows int) ([]Row, error) {
	var rows []Row
	var bad []RowError
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) > len(cols) {
			bad = append(bad, *rowError(line, core.FieldError(core.EINVALID, "recipients", "this line has more cells than the header: check the separators and quotes")))
			continue
		}
		row, empty := rowOf(rec, cols)
		if empty {
			continue
		}
		if len(rows) == maxRows {
			return nil, core.FieldError(core.ETOOLARGE, "recipients", "the recipients file has more than %d rows; the limit (batch_max_rows) is %d: split it into several batches", maxRows, maxRows)
		}
		row.Line = line
		rows = append(rows, row)
	}
	if len(bad) > 0 {
		return nil, &RowsError{Rows: bad}
	}
	if len(rows) == 0 {
		return nil, core.FieldError(core.EINVALID, "recipients", "the recipients file has a header but no recipient")
	}
	return rows, nil
}

// rowOf fills a Row from a record; missing trailing cells are empty.
func rowOf(rec, cols []string) (Row, bool) {
	var row Row
	empty := true
	for i, v := range rec {
		v = strings.TrimSpace(v)
		empty = empty && v == ""
		switch cols[i] {
		case "email":
			row.Email = v
		case "name":
			row.Name = v
		case "type":
			row.Type = v
		case "reference":
			row.Reference = v
		case "language":
			row.Language = v
		case "birthdate":
			row.Birthdate = v
		}
	}
	return row, empty
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return core.FieldError(core.EINVALID, "recipients", "the recipients file cannot be read at line %d: %v", pe.StartLine, pe.Err)
	}
	return core.FieldError(core.EINVALID, "recipients", "the recipients file cannot be read: %v", err)
}

// invalidLine is the line of the first byte that is not UTF-8.
func invalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[n:]
	}
	return line
}

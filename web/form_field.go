package web

import (
	"io"
	"mime/multipart"

	"github.com/lre-project/lre/core"
)

// readTextField reads one text part of a form whose fields and their
// largest sizes in bytes are table: an unknown, repeated or oversized field
// is refused by name, and the body counts against the letter's budget.
// readForm reads every form's text fields with it.
func readTextField(p *multipart.Part, table map[string]int, fields map[string]string, budget *int64, limits core.Limits) error {
	name := p.FormName()
	limit, ok := table[name]
	if !ok {
		return core.FieldError(core.EINVALID, name, "unknown field %q", name)
	}
	if _, dup := fields[name]; dup {
		return core.FieldError(core.EINVALID, name, "field %s is given more than once", name)
	}
	b, err := io.ReadAll(io.LimitReader(p, int64(limit)+1))
	if err != nil {
		return intakeError(err, limits)
	}
	if len(b) > limit {
		return core.FieldError(core.ETOOLARGE, name, "field %s is longer than %s", name, core.Bytes(limit))
	}
	if name == "body" {
		*budget -= int64(len(b))
	}
	fields[name] = string(b)
	return nil
}

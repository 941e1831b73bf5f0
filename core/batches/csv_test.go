package batches_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
	"github.com/lre-project/lre/core/batches"
)

func TestParseRecipients(t *testing.T) {
	tests := []struct {
		name  string
		csv   string
		want  []batches.Row
		field string // error's Field, empty for success
		code  string
	}{
		{"comma", "email,name\nbob@example.com,Bob Durand\n",
			[]batches.Row{{Line: 2, Email: "bob@example.com", Name: "Bob Durand"}}, "", ""},
		{"semicolon with BOM and CRLF", "\ufeffName;Email;Type\r\nDurand, Bob;bob@example.com;consumer\r\n",
			[]batches.Row{{Line: 2, Email: "bob@example.com", Name: "Durand, Bob", Type: "consumer"}}, "", ""},
		{"quoted fields with separators and a line break", "email;name;reference\n\"a@example.com\";\"Dupont; Marie\";\"lot 3\nbât. B\"\nc@example.com;\"Le \"\"Clos\"\"\";\n",
			[]batches.Row{{Line: 2, Email: "a@example.com", Name: "Dupont; Marie", Reference: "lot 3\nbât. B"}, {Line: 4, Email: "c@example.com", Name: `Le "Clos"`}}, "", ""},
		{"blank and empty rows skipped, short rows padded", "email,name,language\n\n,,\nd@example.com,D\n",
			[]batches.Row{{Line: 4, Email: "d@example.com", Name: "D"}}, "", ""},
		{"all columns", "email,name,type,reference,language,birthdate\ne@example.com,E,professional,R1,en,1970-01-31\n",
			[]batches.Row{{Line: 2, Email: "e@example.com", Name: "E", Type: "professional", Reference: "R1", Language: "en", Birthdate: "1970-01-31"}}, "", ""},
		{"unknown column", "email,name,phone\n", nil, "recipients", core.EINVALID},
		{"missing name column", "email\nbob@example.com\n", nil, "recipients", core.EINVALID},
		{"repeated column", "email,name,Email\n", nil, "recipients", core.EINVALID},
		{"header only", "email,name\n", nil, "recipients", core.EINVALID},
		{"empty file", "", nil, "recipients", core.EINVALID},
		{"not UTF-8", "email,name\nbob@example.com,Andr\xe9\n", nil, "recipients", core.EINVALID},
		{"bad quote", "email,name\nbob@example.com,\"Bob\n", nil, "recipients", core.EINVALID},
		{"too many rows", "email,name\na@example.com,A\nb@example.com,B\nc@example.com,C\n", nil, "recipients", core.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := batches.ParseRecipients([]byte(tt.csv), 2)
			if tt.field != "" {
				var ce *core.Error
				if !errors.As(err, &ce) || ce.Field != tt.field || ce.Code != tt.code {
					t.Fatalf("ParseRecipients error = %v, want %s on %s", err, tt.code, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRecipients: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("rows = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseRecipientsNamesEveryLineWithTooManyCells(t *testing.T) {
	csv := "email,name\na@example.com,A,x\nb@example.com,B\nc@example.com,C,y\n"
	_, err := batches.ParseRecipients([]byte(csv), 10)
	var re *batches.RowsError
	if !errors.As(err, &re) || len(re.Rows) != 2 || re.Rows[0].Line != 2 || re.Rows[1].Line != 4 {
		t.Fatalf("error = %#v, want lines 2 and 4", err)
	}
	if core.ErrorCode(err) != core.EINVALID {
		t.Errorf("code = %s, want %s (it maps to 422)", core.ErrorCode(err), core.EINVALID)
	}
}

func FuzzParseRecipients(f *testing.F) {
	f.Add([]byte("email;name\n\"a@example.com\";\"A; B\"\n"))
	f.Add([]byte("\ufeffemail,name,birthdate\nb@example.com,B,01/02/1980\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := batches.ParseRecipients(data, 50)
		if err == nil && (len(rows) == 0 || len(rows) > 50) {
			t.Fatalf("%d rows without an error", len(rows))
		}
		if err != nil && core.ErrorCode(err) == core.EINTERNAL {
			t.Fatalf("internal error: %v", err)
		}
		for _, r := range rows {
			if r.Line < 2 || strings.TrimSpace(r.Email+r.Name+r.Type+r.Reference+r.Language+r.Birthdate) == "" {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}

package web_test

import (
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

// TestAPIErrorsFollowAcceptLanguage deposits bad letters through the API:
// a client that asks for French reads every message in French, sizes for
// people and field names in words, while the field stays the parameter's
// name; a client that asks nothing keeps the English it always had.
func TestAPIErrorsFollowAcceptLanguage(t *testing.T) {
	e := newEnv(t, withLimits(core.Limits{MaxTotalBytes: 25 << 10, MaxFiles: 2, MaxNameBytes: 255}))
	key := e.addUser(t, "alice@acme.example", "ACME", core.RoleSender)
	cases := []struct {
		name        string
		body        []byte
		field       string
		fr, en      string
		englishOnly string
	}{
		{"no subject", multipartBody(letter().with("subject", " ").parts()...), "subject", "L’objet est obligatoire", "subject is required", "is required"},
		{"bad address", multipartBody(letter().with("recipient_email", "bob at example").parts()...), "recipient_email",
			"L’adresse du destinataire doit être une seule adresse électronique", "recipient_email must be exactly one email address", "must be exactly"},
		{"too large", multipartBody(letter().parts(file("gros.pdf", make([]byte, 30<<10)))...), "attachments",
			"La lettre dépasse la taille maximale de 25 ko", "the letter exceeds the max_total_size limit of 25 KB", "max_total_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fr := e.post(t, key, c.body, "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5").apiError(t)
			if fr.Error.Message != c.fr && !strings.HasPrefix(fr.Error.Message, c.fr) {
				t.Errorf("French message %q, want %q", fr.Error.Message, c.fr)
			}
			if strings.Contains(fr.Error.Message, c.englishOnly) || fr.Error.Field != c.field {
				t.Errorf("French answer %+v: English words or field not %q", fr.Error, c.field)
			}
			en := e.post(t, key, c.body).apiError(t)
			if !strings.HasPrefix(en.Error.Message, c.en) || en.Error.Field != c.field {
				t.Errorf("answer without Accept-Language %+v, want %q on field %s", en.Error, c.en, c.field)
			}
		})
	}
	e.assertNothingStored(t)
}

package smtp_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	lresmtp "github.com/lre-project/lre/smtp"
)

// TestComposeWritesTheDeadlineZone: the deadline is written in the zone the
// mail is composed for and names it; the same instant is 17:59 in New York.
func TestComposeWritesTheDeadlineZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"fr": "7 décembre 2026 à 17:59 (heure de New York)",
		"en": "7 December 2026 at 17:59 (New York time)",
	} {
		m := notification()
		m.Language = lang
		raw, err := lresmtp.Compose(m, nil, ny)
		if err != nil {
			t.Fatal(err)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for part, s := range map[string]string{"text": env.Text, "HTML": env.HTML} {
			if !strings.Contains(s, want) || strings.Contains(s, "Paris time") || strings.Contains(s, "heure de Paris") {
				t.Errorf("%s %s part: want %q and no Paris time:\n%s", lang, part, want, s)
			}
		}
	}
}

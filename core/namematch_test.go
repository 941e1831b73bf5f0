package core_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lre-project/lre/core"
)

func TestMatchName(t *testing.T) {
	for _, tt := range []struct {
		name, sender, birth string
		given, family, born string
		bad                 []string
	}{
		{"same", "Bob Durand", "", "Bob", "Durand", "", nil},
		{"case accents hyphens", "JEAN ERIC LEFEVRE-DUPRE", "", "Jean-Éric", "Lefèvre Dupré", "", nil},
		{"order of given names", "Claire Dupont", "", "Marie Claire", "Dupont", "", nil},
		{"family first", "Dupont Marie", "", "Marie Claire", "Dupont", "", nil},
		{"honorific", "Mme Marie Dupont", "", "Marie", "Dupont", "", nil},
		{"ligature and apostrophe", "Cœur O'Neil", "", "Coeur", "O NEIL", "", nil},
		{"birth date equal", "Bob Durand", "1980-04-02", "Bob", "Durand", "1980-04-02", nil},
		{"birth date differs", "Bob Durand", "1980-04-02", "Bob", "Durand", "1980-04-03", []string{"birthdate"}},
		{"birth date missing from provider", "Bob Durand", "1980-04-02", "Bob", "Durand", "", []string{"birthdate"}},
		{"other family name", "Bob Durand", "", "Bob", "Martin", "", []string{"family_name"}},
		{"other given name", "Bob Durand", "", "Alice", "Durand", "", []string{"given_name"}},
		{"extra word", "Bob Louis Durand", "", "Bob", "Durand", "", []string{"given_name"}},
		{"nobody", "Bob Durand", "", "", "", "", []string{"family_name", "given_name"}},
		{"part of the family name only", "Marie Lefevre", "", "Marie", "Lefèvre-Dupré", "", []string{"family_name"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := core.MatchName(tt.sender, tt.birth, core.ProvidedIdentity{GivenName: tt.given, FamilyName: tt.family, Birthdate: tt.born})
			if m.OK != (len(tt.bad) == 0) || !slices.Equal(m.Mismatched, tt.bad) {
				t.Errorf("MatchName(%q; %q %q) = %+v, want mismatched %v", tt.sender, tt.given, tt.family, m, tt.bad)
			}
		})
	}
}

func TestParseACRLevels(t *testing.T) {
	m, err := core.ParseACRLevels("")
	if err != nil || m["eidas2"] != core.AssuranceSubstantial || m["eidas3"] != core.AssuranceHigh || m["eidas1"] != core.AssuranceLow {
		t.Errorf("default map = %v, %v", m, err)
	}
	m, err = core.ParseACRLevels("https://idp.example/loa2=substantial, loa3 = high")
	if err != nil || m["https://idp.example/loa2"] != "substantial" || m["loa3"] != "high" || len(m) != 2 {
		t.Errorf("custom map = %v, %v", m, err)
	}
	for _, bad := range []string{"eidas2", "eidas2=medium", "=low"} {
		if _, err := core.ParseACRLevels(bad); err == nil {
			t.Errorf("ParseACRLevels(%q) accepted", bad)
		}
	}
	if !core.AssuranceAtLeast("high", "substantial") || core.AssuranceAtLeast("low", "substantial") || !core.AssuranceAtLeast("low", "") || core.AssuranceAtLeast("", "low") {
		t.Errorf("AssuranceAtLeast ordering is wrong")
	}
}

// FuzzMatchName: the comparison never panics, and the order in which the
// sender wrote the names never changes its result.
func FuzzMatchName(f *testing.F) {
	f.Add("Jean-Éric LEFÈVRE", "Jean Éric", "Lefèvre", "1980-01-02", "1980-01-02")
	f.Add("Mme Œdipe O'Neil", "Œdipe", "O’Neil", "", "")
	f.Add("", "", "", "x", "")
	f.Fuzz(func(t *testing.T, sender, given, family, birth, born string) {
		p := core.ProvidedIdentity{GivenName: given, FamilyName: family, Birthdate: born}
		m := core.MatchName(sender, birth, p)
		words := strings.Fields(sender)
		slices.Reverse(words)
		r := core.MatchName(strings.Join(words, " "), birth, p)
		if m.OK != r.OK || !slices.Equal(m.Mismatched, r.Mismatched) {
			t.Errorf("MatchName(%q) = %+v but reversed %+v", sender, m, r)
		}
		if m.OK != (len(m.Mismatched) == 0) || (m.OK && m.Result() != "match") {
			t.Errorf("inconsistent result %+v", m)
		}
	})
}

package core

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameMatch is the result of comparing the identity a provider returned
// with the recipient the sender named. Mismatched lists what differed:
// "family_name", "given_name", "birthdate" (never the values: the
// evidence keeps what failed, not another person's identity).
type NameMatch struct {
	OK         bool
	Mismatched []string
}

// Result words the match for the evidence: "match" or
// "mismatch:family_name+birthdate".
func (m NameMatch) Result() string {
	if m.OK {
		return "match"
	}
	return "mismatch:" + strings.Join(m.Mismatched, "+")
}

// honorifics are words a sender may put before a name that no identity
// provider returns.
var honorifics = map[string]bool{
	"m": true, "mr": true, "mme": true, "mlle": true, "mrs": true, "ms": true, "miss": true,
	"monsieur": true, "madame": true, "mademoiselle": true, "dr": true, "me": true, "maitre": true,
}

// nameWords normalises a name into its words: lower case, accents and
// ligatures removed, hyphens, apostrophes and dots read as spaces, so that
// "Jean-Éric O'Neil" and "jean eric o neil" compare equal.
func nameWords(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// MatchName compares the sender's recipient name (one free text, given
// names and family name in any order) and optional birth date with what a
// provider returned. It matches when every word of the family name is in
// the sender's text, at least one given name is, and the sender wrote no
// word the identity lacks (honorifics aside); the birth date, when the
// sender gave one, must be equal (both YYYY-MM-DD).
func MatchName(senderName, senderBirthdate string, p ProvidedIdentity) NameMatch {
	named := slices.DeleteFunc(nameWords(senderName), func(w string) bool { return honorifics[w] })
	family, given := nameWords(p.FamilyName), nameWords(p.GivenName)
	var bad []string
	familyBad := len(family) == 0 || !allIn(family, named)
	if familyBad {
		bad = append(bad, "family_name")
	}
	// A word the identity lacks counts against the given names once the
	// family name is found; otherwise it is most likely that family name.
	if !hasGiven(named, given) || !familyBad && hasExtra(named, family, given) {
		bad = append(bad, "given_name")
	}
	if senderBirthdate != "" && senderBirthdate != strings.TrimSpace(p.Birthdate) {
		bad = append(bad, "birthdate")
	}
	return NameMatch{OK: len(bad) == 0, Mismatched: bad}
}

func allIn(words, in []string) bool {
	for _, w := range words {
		if !slices.Contains(in, w) {
			return false
		}
	}
	return true
}

func hasGiven(named, given []string) bool {
	for _, g := range given {
		if slices.Contains(named, g) {
			return true
		}
	}
	return false
}

// hasExtra reports a word the sender wrote that is in neither name.
func hasExtra(named, family, given []string) bool {
	for _, w := range named {
		if !slices.Contains(family, w) && !slices.Contains(given, w) {
			return true
		}
	}
	return false
}

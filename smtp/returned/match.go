package returned

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// matcher is an alternation of patterns compiled one branch at a time, so
// that a branch with a literal prefix costs one strings.Contains when the
// text lacks it: the reason rules are long alternations without a common
// prefix, which the regexp engine would try at every position of the text.
// It matches exactly when the whole alternation would.
type matcher []branch

type branch struct {
	prefix string // literal the branch starts with, "" when it has none
	re     *regexp.Regexp
}

// compileMatcher splits pattern at its top-level alternation.
func compileMatcher(pattern string) matcher {
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic("returned: bad pattern " + pattern + ": " + err.Error())
	}
	subs := []*syntax.Regexp{tree}
	if tree.Op == syntax.OpAlternate {
		subs = tree.Sub
	}
	m := make(matcher, 0, len(subs))
	for _, s := range subs {
		re := regexp.MustCompile(s.String())
		prefix, _ := re.LiteralPrefix()
		m = append(m, branch{prefix: prefix, re: re})
	}
	return m
}

// MatchString tells whether some branch matches text.
func (m matcher) MatchString(text string) bool {
	for _, b := range m {
		if b.prefix != "" && !strings.Contains(text, b.prefix) {
			continue
		}
		if b.re.MatchString(text) {
			return true
		}
	}
	return false
}

package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// checkCatalogue parses sources and calls check for every English text
// that write finds in them (write returns a node's text and where it is,
// ok false for any other node); then it fails when fewer than atLeast texts
// were found (the walk lost its files) and on every catalogue entry that no
// source writes any more. The French catalogues of errors and of audit's
// report share it.
func checkCatalogue(t *testing.T, sources []string, catalogue map[string]string, atLeast int,
	write func(ast.Node) (string, token.Pos, bool), check func(english string, at token.Position)) {
	t.Helper()
	fset := token.NewFileSet()
	used := map[string]bool{}
	found := 0
	for _, path := range sources {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if english, pos, ok := write(n); ok {
				found++
				used[english] = true
				check(english, fset.Position(pos))
			}
			return true
		})
	}
	if found < atLeast {
		t.Fatalf("found only %d texts to translate, expected at least %d: did the sources move?", found, atLeast)
	}
	for english := range catalogue {
		if !used[english] {
			t.Errorf("French text for %q, which no source writes any more", english)
		}
	}
}

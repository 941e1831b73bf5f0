package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryAuditSentenceHasAFrenchText parses audit's sources and fails on
// a report sentence (r.pass, r.fail, r.skip, r.check) with no French text,
// unless it quotes a Go error (%v) or is a bare %s of English pieces; and
// on a French text no source writes any more.
func TestEveryAuditSentenceHasAFrenchText(t *testing.T) {
	files, err := filepath.Glob("../audit/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := map[string]bool{}
	found := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			at := map[string]int{"pass": 2, "fail": 2, "skip": 2, "check": 3}[sel.Sel.Name]
			if at == 0 || len(call.Args) <= at {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "r" {
				return true
			}
			lit, ok := call.Args[at].(*ast.BasicLit)
			if !ok {
				return true
			}
			format, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			found++
			used[format] = true
			if _, ok := auditTextFR[format]; !ok && !strings.Contains(format, "%v") && format != "%s" {
				t.Errorf("%s: no French text for the report sentence %q", fset.Position(lit.Pos()), format)
			}
			return true
		})
	}
	if found < 40 {
		t.Fatalf("found only %d report sentences: did audit move?", found)
	}
	for format := range auditTextFR {
		if !used[format] {
			t.Errorf("French text for %q, which audit no longer writes", format)
		}
	}
}

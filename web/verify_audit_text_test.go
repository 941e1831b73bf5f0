package web

import (
	"go/ast"
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
	var sources []string
	for _, path := range files {
		if !strings.HasSuffix(path, "_test.go") {
			sources = append(sources, path)
		}
	}
	checkCatalogue(t, sources, auditTextFR, 40, reportSentence, func(format string, at token.Position) {
		if _, ok := auditTextFR[format]; !ok && !strings.Contains(format, "%v") && format != "%s" {
			t.Errorf("%s: no French text for the report sentence %q", at, format)
		}
	})
}

// reportSentence returns the format literal of a call r.pass, r.fail,
// r.skip (argument 2) or r.check (argument 3) in audit.
func reportSentence(n ast.Node) (string, token.Pos, bool) {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return "", 0, false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", 0, false
	}
	at := map[string]int{"pass": 2, "fail": 2, "skip": 2, "check": 3}[sel.Sel.Name]
	if at == 0 || len(call.Args) <= at {
		return "", 0, false
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "r" {
		return "", 0, false
	}
	lit, ok := call.Args[at].(*ast.BasicLit)
	if !ok {
		return "", 0, false
	}
	format, err := strconv.Unquote(lit.Value)
	return format, lit.Pos(), err == nil
}

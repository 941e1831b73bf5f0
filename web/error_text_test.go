package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// senderErrorFiles are the sources whose errors a sender's or a reader's
// page can show: the deposit rules, the batch rules, the multipart intake
// and the letters' filters.
var senderErrorFiles = []string{
	"../core/validate.go", "../core/deposit.go", "../core/upload.go", "../core/idempotency.go", "../core/consent.go",
	"../core/bounce.go", "../core/notice_list.go", "../core/account_deposit.go", "../core/user_rules.go",
	"../core/batches/check.go", "../core/batches/csv.go", "../core/batches/send.go",
	"notice_create.go", "form_read.go", "form_field.go", "sender_intake.go", "batch_intake.go", "sender_letters.go", "verify_upload.go",
}

// TestEveryErrorHasAFrenchText parses those sources and fails on any
// core.Errorf or core.FieldError whose format has no French text: a new
// English message cannot reach a French page unnoticed.
func TestEveryErrorHasAFrenchText(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	for _, path := range senderErrorFiles {
		f, err := parser.ParseFile(fset, filepath.FromSlash(path), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			format, pos, ok := errorFormat(n)
			if !ok {
				return true
			}
			found++
			if _, ok := errorTextFR[format]; !ok {
				t.Errorf("%s: no French text for %q", fset.Position(pos), format)
			}
			return true
		})
	}
	if found < 50 {
		t.Fatalf("found only %d error formats: did the files move?", found)
	}
}

// errorFormat returns the format literal of a call Errorf(code, format,
// ...) or FieldError(code, field, format, ...), bare or as core.X.
func errorFormat(n ast.Node) (string, token.Pos, bool) {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return "", 0, false
	}
	var name string
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "core" {
			return "", 0, false
		}
		name = fn.Sel.Name
	}
	at := map[string]int{"Errorf": 1, "FieldError": 2}[name]
	if at == 0 || len(call.Args) <= at {
		return "", 0, false
	}
	lit, ok := call.Args[at].(*ast.BasicLit)
	if !ok {
		return "", 0, false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, lit.Pos(), err == nil
}

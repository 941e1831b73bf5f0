package web

import (
	"github.com/lre-project/lre/core"
	"go/ast"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// errorSources are the sources whose errors a page or an API answer can
// show: every non-test file of the domain, of storage and of web.
func errorSources(t *testing.T) []string {
	var files []string
	for _, glob := range []string{"../core/*.go", "../core/*/*.go", "../storage/*.go", "../storage/*/*.go", "*.go"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	return files
}

// TestEveryErrorHasAFrenchText parses those sources and fails on any
// core.Errorf or core.FieldError whose format has no French text, or whose
// French text takes other arguments (it may leave out the last ones, a Go
// error's English words): a new English message cannot reach a
// French page unnoticed. Internal errors are never shown, so they need none.
func TestEveryErrorHasAFrenchText(t *testing.T) {
	checkCatalogue(t, errorSources(t), errorTextFR, 150, errorFormat, func(format string, at token.Position) {
		fr, ok := errorTextFR[format]
		if !ok {
			t.Errorf("%s: no French text for %q", at, format)
		} else if v, en := strings.Join(verbs(fr), ""), strings.Join(verbs(format), ""); !strings.HasPrefix(en, v) && !strings.Contains(fr, "%[") {
			t.Errorf("%s: the French text of %q has verbs %s, the English %s", at, format, v, en)
		}
	})
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
	// bad is core/webhooks' FieldError for the url, format first.
	at, ok := map[string]int{"Errorf": 1, "FieldError": 2, "bad": 0}[name]
	if !ok || len(call.Args) <= at || at > 0 && isInternal(call.Args[0]) {
		return "", 0, false
	}
	lit, ok := call.Args[at].(*ast.BasicLit)
	if !ok {
		return "", 0, false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, lit.Pos(), err == nil
}

// isInternal reports a code argument core.EINTERNAL or EINTERNAL.
func isInternal(code ast.Expr) bool {
	switch c := code.(type) {
	case *ast.Ident:
		return c.Name == "EINTERNAL"
	case *ast.SelectorExpr:
		return c.Sel.Name == "EINTERNAL"
	}
	return false
}

// TestLocalErrorKeepsAnAddressAsTyped: a message opens with a capital
// letter, unless it opens with an email address, which is written as given
// ("carole@example.org a déjà…", never "Carole@…").
func TestLocalErrorKeepsAnAddressAsTyped(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{core.Errorf(core.ECONFLICT, "%s has already consented", "carole@example.org"), "carole@example.org a déjà donné son consentement"},
		{core.FieldError(core.EINVALID, "subject", "%s is required", "subject"), "L’objet est obligatoire"},
	} {
		if got := s.localError(tc.err, "fr"); got != tc.want {
			t.Errorf("localError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

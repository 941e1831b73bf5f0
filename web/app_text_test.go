package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// appErrorFiles are the sources whose errors the account and organisation
// pages show besides senderErrorFiles.
var appErrorFiles = []string{
	"../core/accounts/keys.go", "../core/accounts/org_users.go", "../core/accounts/users.go",
	"../core/webhooks/webhooks.go", "../storage/webhook_history.go", "../storage/users.go",
}

// webhookURLFormats are CheckWebhookURL's formats, which it passes through
// a helper that the parser cannot follow.
var webhookURLFormats = []string{
	"url is required and at most %s", "url must be an absolute http or https URL", "url must not contain credentials or a fragment",
	"url must not point to this machine", "url must not point to a loopback, private or link-local address",
}

// TestEveryAppErrorHasAFrenchText is TestEveryErrorHasAFrenchText for
// those sources.
func TestEveryAppErrorHasAFrenchText(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	for _, path := range appErrorFiles {
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
	for _, f := range webhookURLFormats {
		if _, ok := errorTextFR[f]; !ok {
			t.Errorf("no French text for %q", f)
		}
	}
	if found < 10 {
		t.Fatalf("found only %d error formats: did the files move?", found)
	}
}

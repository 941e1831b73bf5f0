// Package etsicheck runs the independent checker of ETSI evidence
// (testdata/etsi/verify_evidence.py: python3-jsonschema against
// ../shared/etsi/erds-evidence.schema.json, python3-jwcrypto for the JAdES
// signature) from the tests of any package.
package etsicheck

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Debian's interpreter: the python3 first on PATH may be another one
// (pyenv) without Debian's modules.
const python = "/usr/bin/python3"

// Packages is what to install when the checker cannot run.
const Packages = "python3-jsonschema python3-jwcrypto"

// Check runs the checker on files and returns its output and whether every
// file passed. Without the interpreter or its modules it skips the test,
// or fails it on CI, where they must be installed.
func Check(t testing.TB, files ...string) (string, bool) {
	t.Helper()
	root := repoRoot(t)
	if err := exec.Command(python, "-c", "import jsonschema, jwcrypto, cryptography").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import jsonschema and jwcrypto (%v): apt-get install %s", python, err, Packages)
		}
		t.Skipf("%s without jsonschema/jwcrypto: apt-get install %s", python, Packages)
	}
	schema := filepath.Join(root, "..", "shared", "etsi", "erds-evidence.schema.json")
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("the ETSI schema must be beside the repository (../shared/etsi): %v", err)
	}
	args := append([]string{filepath.Join(root, "testdata", "etsi", "verify_evidence.py"), schema}, files...)
	out, err := exec.Command(python, args...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run the evidence checker: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out)), err == nil
}

// repoRoot is the directory of go.mod above the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

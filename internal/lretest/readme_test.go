package lretest_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the module's root, where the README is.
const root = "../.."

// architecture returns the README's architecture section: its folder
// table (the first code block) and its "Where behaviour lives" list.
func architecture(t *testing.T) (tree, where string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Architecture\n")
	if !ok {
		t.Fatal("README.md has no ## Architecture section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	_, tree, _ = strings.Cut(sec, "```\n")
	tree, _, _ = strings.Cut(tree, "```")
	_, where, ok = strings.Cut(sec, "Where behaviour lives:")
	if !ok {
		t.Fatal("the architecture section has no \"Where behaviour lives:\" list")
	}
	return tree, where
}

// TestREADMEFolders: the README's folder table names every top-level folder
// and every package of the module, each at the start of a line with its
// job, and nothing that does not exist; so a newcomer reading it sees the
// tree as it is, and a package added without a line fails here.
func TestREADMEFolders(t *testing.T) {
	tree, _ := architecture(t)
	listed := map[string]bool{}
	head := regexp.MustCompile(`^((?:[a-z0-9_]+/)+)(?:,\s*((?:[a-z0-9_]+/)+))*`)
	for _, line := range strings.Split(tree, "\n") {
		m := head.FindString(line)
		for _, d := range strings.Split(m, ",") {
			if d = strings.TrimSpace(d); d != "" {
				listed[strings.TrimSuffix(d, "/")] = true
			}
		}
	}
	for d := range listed {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("the README lists %s/, which is not a folder", d)
		}
	}
	top, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !listed[e.Name()] && !slices.ContainsFunc(slices.Collect(maps.Keys(listed)), func(d string) bool {
			return strings.HasPrefix(d, e.Name()+"/")
		}) {
			t.Errorf("the README's architecture section does not list the folder %s/", e.Name())
		}
	}
	for _, d := range packageDirs(t) {
		if !listed[d] {
			t.Errorf("the README's architecture section does not list the package %s/", d)
		}
	}
}

// packageDirs lists the folders holding Go files, testdata aside.
func packageDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			rel, err := filepath.Rel(root, filepath.Dir(p))
			if err != nil {
				return err
			}
			if rel != "." && !slices.Contains(dirs, filepath.ToSlash(rel)) {
				dirs = append(dirs, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestREADMEWhereBehaviourLives: every file and folder that "Where
// behaviour lives" names exists, and every function or type it names right
// after a file (`core/stage.go` (`StageAt`)) is declared in that file; so
// the list cannot send a newcomer to a place that moved.
func TestREADMEWhereBehaviourLives(t *testing.T) {
	_, where := architecture(t)
	path := regexp.MustCompile("`([a-z0-9_]+/[a-zA-Z0-9_./*]*)`((?:\\s*\\(?`[A-Za-z][A-Za-z0-9_.]*`(?:,\\s*`[A-Za-z][A-Za-z0-9_.]*`)*\\)?)?)")
	ident := regexp.MustCompile("`([A-Za-z][A-Za-z0-9_.]*)`")
	n := 0
	for _, m := range path.FindAllStringSubmatch(where, -1) {
		p := m[1]
		matches, err := filepath.Glob(filepath.Join(root, p))
		if err != nil || len(matches) == 0 {
			t.Errorf("\"Where behaviour lives\" names %s, which does not exist", p)
			continue
		}
		n++
		if m[2] == "" || !strings.HasSuffix(p, ".go") {
			continue
		}
		src, err := os.ReadFile(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ident.FindAllStringSubmatch(m[2], -1) {
			name := id[1][strings.LastIndexByte(id[1], '.')+1:]
			decl := regexp.MustCompile(`(?m)^(?:func (?:\([^)]*\) )?|type |var |const |\t)` + name + `\b`)
			if !decl.Match(src) {
				t.Errorf("\"Where behaviour lives\" says %s is in %s, which does not declare it", id[1], p)
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d paths found in \"Where behaviour lives\": the list's form changed and this test reads nothing", n)
	}
}

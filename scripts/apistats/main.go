// Command apistats prints the size of the project's API: exported identifiers
// per package, and the methods of the largest service type and of the largest
// interface (embedded interfaces resolved). It reads source with go/ast only,
// so it needs no build, and serves to compare a refactoring's before and after:
//
//	go run ./scripts/apistats
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type pkg struct {
	dir      string
	name     string
	exported int
	methods  map[string]int // receiver type -> exported methods
	ifaces   map[string]*ast.InterfaceType
	imports  map[string]string // local name -> dir, for embedded pkg.Iface
}

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		p := pkgs[dir]
		if p == nil {
			p = &pkg{dir: dir, name: f.Name.Name, methods: map[string]int{}, ifaces: map[string]*ast.InterfaceType{}, imports: map[string]string{}}
			pkgs[dir] = p
		}
		collect(p, f)
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	report(pkgs)
}

func collect(p *pkg, f *ast.File) {
	for _, im := range f.Imports {
		path := strings.Trim(im.Path.Value, `"`)
		name := filepath.Base(path)
		if im.Name != nil {
			name = im.Name.Name
		}
		if i := strings.Index(path, "/lre/"); i >= 0 {
			p.imports[name] = filepath.Clean(path[i+len("/lre/"):])
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				p.exported++
				continue
			}
			p.methods[recvName(d.Recv.List[0].Type)]++
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						p.exported++
					}
					if it, ok := s.Type.(*ast.InterfaceType); ok {
						p.ifaces[s.Name.Name] = it
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							p.exported++
						}
					}
				}
			}
		}
	}
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return "?"
}

// ifaceMethods counts the methods of an interface, following embedded ones.
func ifaceMethods(pkgs map[string]*pkg, p *pkg, it *ast.InterfaceType) int {
	n := 0
	for _, m := range it.Methods.List {
		switch t := m.Type.(type) {
		case *ast.FuncType:
			n += len(m.Names)
		case *ast.Ident:
			if e := p.ifaces[t.Name]; e != nil {
				n += ifaceMethods(pkgs, p, e)
			}
		case *ast.SelectorExpr:
			if q := pkgs[p.imports[t.X.(*ast.Ident).Name]]; q != nil {
				if e := q.ifaces[t.Sel.Name]; e != nil {
					n += ifaceMethods(pkgs, q, e)
				}
			}
		}
	}
	return n
}

func report(pkgs map[string]*pkg) {
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	total := 0
	bigType, bigTypeN := "", 0
	bigIface, bigIfaceN := "", 0
	fmt.Println("exported identifiers per package (types, funcs, vars, consts; + exported methods)")
	for _, d := range dirs {
		p := pkgs[d]
		m := 0
		for t, n := range p.methods {
			m += n
			if n > bigTypeN {
				bigType, bigTypeN = d+"."+t, n
			}
		}
		for name, it := range p.ifaces {
			if n := ifaceMethods(pkgs, p, it); n > bigIfaceN {
				bigIface, bigIfaceN = d+"."+name, n
			}
		}
		total += p.exported
		fmt.Printf("  %-28s %4d  + %4d methods\n", d, p.exported, m)
	}
	fmt.Printf("total exported identifiers: %d\n", total)
	fmt.Printf("largest method set: %s (%d exported methods)\n", bigType, bigTypeN)
	fmt.Printf("largest interface: %s (%d methods)\n", bigIface, bigIfaceN)
}

package asyncio_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/goasyncio/asyncio"

// The README's layout table names every package of the module, and each
// package imports only from its own row, the rows above it, and internal
// packages: the layers are what the table says.
func TestREADMELayout(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("the README has no Layout section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	row := map[string]int{} // package directory → its row
	name := regexp.MustCompile("`([a-z0-9./-]+)`")
	n := 0
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| layer ") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		n++
		for _, m := range name.FindAllStringSubmatch(cells[2], -1) {
			dir := m[1]
			if dir == "asyncio" {
				dir = "."
			}
			row[dir] = n
		}
	}

	// The packages: directories with Go files that are not tests.
	imports := map[string][]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if base := d.Name(); path != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if _, seen := imports[dir]; !seen {
			imports[dir] = nil // a package that imports nothing of the module is one too
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == modulePath {
				imports[dir] = append(imports[dir], ".")
			} else if rest, ok := strings.CutPrefix(p, modulePath+"/"); ok {
				imports[dir] = append(imports[dir], rest)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 20 {
		t.Fatalf("found only %d packages", len(imports))
	}
	for dir, deps := range imports {
		r, ok := row[dir]
		if !ok {
			t.Errorf("package %s is not in the README's layout table", dir)
			continue
		}
		for _, dep := range deps {
			if strings.HasPrefix(dep, "internal/") || strings.Contains(dep, "/internal/") {
				continue
			}
			if dr, ok := row[dep]; ok && dr > r {
				t.Errorf("package %s (row %d of the layout) imports %s (row %d, a higher layer)", dir, r, dep, dr)
			}
		}
	}
	for dir := range row {
		if _, ok := imports[dir]; !ok && !strings.HasSuffix(dir, ".sh") {
			t.Errorf("the README's layout table names %s, which is not a package", dir)
		}
	}
}

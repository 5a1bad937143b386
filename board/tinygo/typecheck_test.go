package tinygo_test

import (
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// stubImporter serves the stub of TinyGo's machine package and imports
// everything else from the export data the go command builds.
type stubImporter struct {
	fset    *token.FileSet
	machine *types.Package
	source  types.Importer
}

func (s *stubImporter) Import(path string) (*types.Package, error) {
	if path == "machine" {
		return s.machine, nil
	}
	return s.source.Import(path)
}

func parseDir(t *testing.T, fset *token.FileSet, dir string, ctx build.Context) []*ast.File {
	t.Helper()
	pkg, err := ctx.ImportDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestTypeChecksForTinyGo type-checks the adapter as TinyGo would build it
// (with the tinygo build tag) against a stub of the machine package made
// from TinyGo's documentation. TinyGo itself cannot be installed here; this
// catches what the standard toolchain can.
func TestTypeChecksForTinyGo(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs the go command")
	fset := token.NewFileSet()
	// The export data of the board package and everything it imports.
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}", "github.com/goasyncio/asyncio/board").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, " "); ok && file != "" {
			exports[path] = file
		}
	}
	gc := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.Open(file)
	})
	conf := types.Config{Importer: gc}
	stub, err := conf.Check("machine", fset, parseDir(t, fset, "testdata/machine", build.Default), nil)
	if err != nil {
		t.Fatalf("the machine stub: %v", err)
	}
	ctx := build.Default
	ctx.BuildTags = append(ctx.BuildTags, "tinygo")
	files := parseDir(t, fset, ".", ctx)
	if len(files) < 2 {
		t.Fatalf("%d files with the tinygo tag, want the adapter and doc.go", len(files))
	}
	conf = types.Config{Importer: &stubImporter{fset: fset, machine: stub, source: gc}}
	pkg, err := conf.Check("github.com/goasyncio/asyncio/board/tinygo", fset, files, nil)
	if err != nil {
		t.Fatalf("the adapter does not type-check for TinyGo: %v", err)
	}
	for _, name := range []string{"Pin", "NewPin", "PWM", "NewPWM", "UsePulldown", "PollInterval"} {
		if pkg.Scope().Lookup(name) == nil {
			t.Errorf("the adapter has no %s", name)
		}
	}
}

// Package golden compares test output with files under testdata, for the
// examples' trace tests; the -update flag (go test ./examples/blink -update)
// rewrites the files.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Check compares got with testdata/name, or rewrites that file with -update.
func Check(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test with -update after the package creates it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test with -update after the package rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

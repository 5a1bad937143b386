// Package tooltest finds the outside tools that the board packages' tests
// check their output with: GTKWave's vcd2fst and fst2vcd (Debian package
// gtkwave) and wavedrom-cli (npm, pinned in board/tools). A test whose tool
// is missing skips, saying how to install it, except when the environment
// variable CI is set: there it fails, so that CI cannot pass without the
// check.
package tooltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// Install commands, as the failure and skip messages give them.
const (
	GTKWaveInstall  = "apt-get update && apt-get install -y gtkwave"
	WaveDromInstall = "npm ci --prefix board/tools"
)

// missing skips or, under CI, fails.
func missing(t testing.TB, name, install string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; CI needs it: %s", name, install)
	}
	t.Skipf("%s is not installed (%s)", name, install)
}

// GTKWave returns the paths of vcd2fst and fst2vcd.
func GTKWave(t testing.TB) (vcd2fst, fst2vcd string) {
	t.Helper()
	testenv.SkipIfEmulated(t, "runs GTKWave's tools")
	var err error
	if vcd2fst, err = exec.LookPath("vcd2fst"); err != nil {
		missing(t, "vcd2fst (GTKWave)", GTKWaveInstall)
	}
	if fst2vcd, err = exec.LookPath("fst2vcd"); err != nil {
		missing(t, "fst2vcd (GTKWave)", GTKWaveInstall)
	}
	return vcd2fst, fst2vcd
}

// WaveDromCLI returns the path of wavedrom-cli: the one board/tools pins,
// or one on the PATH.
func WaveDromCLI(t testing.TB) string {
	t.Helper()
	testenv.SkipIfEmulated(t, "runs wavedrom-cli under Node")
	if root := moduleRoot(); root != "" {
		p := filepath.Join(root, "board", "tools", "node_modules", ".bin", "wavedrom-cli")
		if _, err := os.Stat(p); err == nil {
			if _, err := exec.LookPath("node"); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("wavedrom-cli"); err == nil {
		return p
	}
	missing(t, "wavedrom-cli (and node)", WaveDromInstall)
	return ""
}

// moduleRoot returns the directory of the go.mod above the working
// directory, or "".
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

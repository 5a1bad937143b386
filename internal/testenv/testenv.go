// Package testenv tells tests what the machine they run on can do, so that a
// test that needs something missing there (another process, a tool on the
// PATH, a network) skips with a clear reason instead of failing.
//
// The test suite also runs cross-compiled: under qemu-user for linux/arm,
// arm64 and riscv64, and under Node for js/wasm (see scripts/cross-test.sh).
// There a test binary cannot start itself or another program of its
// architecture, and js/wasm cannot start any process at all.
package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// EmulatedEnv is the environment variable that scripts/cross-test.sh sets to
// the emulator running the tests, e.g. "qemu-arm-static".
const EmulatedEnv = "ASYNCIO_EMULATED"

// Emulator returns what runs the test binary when it is not the machine
// itself: the value of ASYNCIO_EMULATED (set by scripts/cross-test.sh, e.g.
// "qemu-arm-static"), or "node" for js/wasm. It returns "" when the tests run
// natively.
func Emulator() string {
	if e := os.Getenv(EmulatedEnv); e != "" {
		return e
	}
	if runtime.GOOS == "js" {
		return "node"
	}
	return ""
}

// SkipIfEmulated skips the test when it runs under an emulator (see
// Emulator), giving the reason it cannot run there.
func SkipIfEmulated(t testing.TB, reason string) {
	t.Helper()
	if e := Emulator(); e != "" {
		t.Skipf("skipped under %s (%s/%s): %s", e, runtime.GOOS, runtime.GOARCH, reason)
	}
}

var (
	execOnce sync.Once
	execErr  error
)

// CheckExecSelf returns nil if the test binary can start a copy of itself, as
// tests that measure a child process do. It cannot on js/wasm, which has no
// processes, nor under qemu-user without binfmt_misc, where the kernel does
// not know how to run a binary of another architecture; the error says why.
// The answer comes from trying once: the copy is started and killed at once.
func CheckExecSelf() error {
	execOnce.Do(func() { execErr = probeExecSelf() })
	return execErr
}

func probeExecSelf() error {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		return errors.New(runtime.GOOS + "/" + runtime.GOARCH + " cannot start processes")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Start(); err != nil {
		if e := Emulator(); e != "" {
			return errors.New("under " + e + " a binary of this architecture cannot be started: " + err.Error())
		}
		return err
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil
}

// SkipIfNoSubprocess skips the test when the test binary cannot start a
// copy of itself (see CheckExecSelf).
func SkipIfNoSubprocess(t testing.TB) {
	t.Helper()
	if err := CheckExecSelf(); err != nil {
		t.Skipf("skipped: needs to start a subprocess: %v", err)
	}
}

// SkipIfNoCommand skips the test when the named program cannot be run:
// it is not on the PATH, or this platform cannot start processes.
func SkipIfNoCommand(t testing.TB, name string) {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skipf("skipped: needs %s, and %s/%s cannot start processes", name, runtime.GOOS, runtime.GOARCH)
	}
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("skipped: needs %s: %v", name, err)
	}
}

// LeakOptions returns the goleak options that ignore the runtime's own
// goroutines on this platform: on js/wasm, the runtime parks a goroutine in
// runtime.handleEvent after each callback from JavaScript (a timer firing),
// and it stays. Use it as goleak.VerifyTestMain(m, testenv.LeakOptions()...).
func LeakOptions() []goleak.Option {
	if runtime.GOOS == "js" {
		return []goleak.Option{goleak.IgnoreAnyFunction("runtime.handleEvent")}
	}
	return nil
}

// BuildProgram builds the main package pkg (an import path, e.g.
// "github.com/goasyncio/asyncio/examples/blink") into a temporary directory
// of the test and returns the program's path. It skips the test where
// programs cannot be built and started: under an emulator, on js/wasm, or
// without the go command; it fails the test if the build fails.
func BuildProgram(t testing.TB, pkg string) string {
	t.Helper()
	SkipIfEmulated(t, "builds and starts a native program")
	SkipIfNoCommand(t, "go")
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// DebugMain runs a package's tests with the loops in debug mode (each loop
// checks that its methods are called from the right goroutine: see
// asyncio.Debug) and checks that no test leaves a goroutine behind.
func DebugMain(m *testing.M) {
	os.Setenv("ASYNCIO_DEBUG", "1")
	goleak.VerifyTestMain(m, LeakOptions()...)
}

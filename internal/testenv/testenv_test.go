package testenv

import (
	"os"
	"runtime"
	"testing"
)

func TestEmulator(t *testing.T) {
	t.Setenv(EmulatedEnv, "qemu-test")
	if got := Emulator(); got != "qemu-test" {
		t.Errorf("Emulator() = %q with %s set, want qemu-test", got, EmulatedEnv)
	}
	os.Unsetenv(EmulatedEnv)
	want := ""
	if runtime.GOOS == "js" {
		want = "node"
	}
	if got := Emulator(); got != want {
		t.Errorf("Emulator() = %q without %s, want %q", got, EmulatedEnv, want)
	}
}

func TestSkipIfEmulated(t *testing.T) {
	t.Setenv(EmulatedEnv, "qemu-test")
	skipped := t.Run("sub", func(t *testing.T) {
		SkipIfEmulated(t, "a reason")
		t.Error("not skipped")
	})
	if !skipped { // a skipped subtest counts as passed
		t.Error("the subtest failed")
	}
}

// TestCheckExecSelf runs where the suite runs: natively the test binary can
// start itself; on js/wasm it cannot, and the answer must say why.
func TestCheckExecSelf(t *testing.T) {
	err := CheckExecSelf()
	switch {
	case runtime.GOOS == "js" && err == nil:
		t.Error("CheckExecSelf() = nil on js/wasm")
	case Emulator() == "" && err != nil:
		t.Errorf("CheckExecSelf() = %v natively", err)
	}
	t.Logf("CheckExecSelf() = %v", err)
}

func TestLeakOptions(t *testing.T) {
	if n := len(LeakOptions()); (runtime.GOOS == "js") != (n > 0) {
		t.Errorf("%d options on %s", n, runtime.GOOS)
	}
}

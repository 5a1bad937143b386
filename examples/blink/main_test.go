package main

import (
	"bytes"
	"github.com/goasyncio/asyncio/internal/golden"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

func TestBlinkVirtual(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-virtual"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", &stderr)
	}
	got := stdout.String()
	golden.Check(t, "blink.golden", got)

	// What the golden file must say, independently of it.
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 50 {
		t.Errorf("%d changes, want 50 (10 of red, 40 of green)", len(lines))
	}
	for i, want := range []string{"0.000 red on", "0.000 green on", "0.250 green off"} {
		if i < len(lines) && lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if last := lines[len(lines)-1]; last != "9.750 green off" {
		t.Errorf("last line = %q, want %q", last, "9.750 green off")
	}
	if strings.Contains(got, "10.000") {
		t.Error("a change at 10.000: main's wake-up should come first")
	}
}

// TestBlinkRepeatable checks that the virtual trace is the same on every run.
func TestBlinkRepeatable(t *testing.T) {
	var first string
	for i := range 5 {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"-virtual"}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
		}
		if i == 0 {
			first = stdout.String()
		} else if stdout.String() != first {
			t.Fatalf("run %d gave a different trace:\n%s", i+1, &stdout)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-virtual=maybe"}, 2, `invalid boolean value "maybe" for -virtual`},
		{[]string{"-virtual", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-h"}, 0, "usage: blink"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code {
			t.Errorf("%q: exit code %d, want %d", c.args, code, c.code)
		}
		if !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("%q: stderr %q, want it to contain %q", c.args, &stderr, c.stderr)
		}
		if stdout.Len() > 0 {
			t.Errorf("%q: stdout %q, want nothing", c.args, &stdout)
		}
	}
}

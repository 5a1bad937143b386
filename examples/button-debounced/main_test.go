package main

import (
	"bytes"
	"encoding/json"
	"github.com/goasyncio/asyncio/internal/golden"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// runOK runs the command with args; it must succeed and print nothing on
// stderr.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("%q: exit code %d, stderr:\n%s", args, code, &stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("%q: stderr:\n%s", args, &stderr)
	}
	return stdout.String()
}

func TestGolden(t *testing.T) {
	const gestures = "testdata/gestures.txt"
	for _, c := range []struct {
		file string
		args []string
	}{
		{"gestures.golden", []string{"-virtual", "-script", gestures}},
		{"gestures-raw.golden", []string{"-virtual", "-script", gestures, "-raw"}},
		{"press3s.golden", []string{"-virtual", "-press", "3s"}},
		{"nopress.golden", []string{"-virtual"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			golden.Check(t, c.file, runOK(t, c.args...))
		})
	}
}

// TestEachPressCountsOnce checks, independently of the golden files, that
// with bounce every click is one press and one release, and that the raw
// edges see more.
func TestEachPressCountsOnce(t *testing.T) {
	for seed := range 20 {
		args := []string{"-virtual", "-seed", strconv.Itoa(seed), "-bounce", "8ms", "-script", "testdata/gestures.txt"}
		out := runOK(t, args...)
		if n, m := strings.Count(out, "button press"), strings.Count(out, "button release"); n != 4 || m != 4 {
			t.Errorf("seed %d: %d presses and %d releases, want 4 each:\n%s", seed, n, m, out)
		}
		if !strings.Contains(out, "button double") || !strings.Contains(out, "button long") {
			t.Errorf("seed %d: no double click or long press:\n%s", seed, out)
		}
		raw := runOK(t, append(args, "-raw")...)
		if n := strings.Count(raw, "button edge"); n <= 4 {
			t.Errorf("seed %d: raw edges saw %d presses, want bounce to add some", seed, n)
		}
	}
	// Without bounce, raw edges count right too.
	if n := strings.Count(runOK(t, "-virtual", "-bounce", "0s", "-raw", "-script", "testdata/gestures.txt"), "button edge"); n != 4 {
		t.Errorf("raw edges without bounce: %d presses, want 4", n)
	}
}

func TestWaveforms(t *testing.T) {
	dir := t.TempDir()
	vcdPath, js := filepath.Join(dir, "out.vcd"), filepath.Join(dir, "out.json")
	runOK(t, "-virtual", "-press", "1s", "-vcd", vcdPath, "-wavedrom", js)
	f, err := os.Open(vcdPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := vcd.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if w.Scope != "lab" || w.End != 10*time.Second || len(w.Signals) != 3 {
		t.Errorf("scope %q end %v signals %v", w.Scope, w.End, w.Signals)
	}
	// The button bounces: more than two changes for one click, all within
	// 5 ms of the press (1 s) and the release (1.2 s).
	btn := w.Of("button")
	if len(btn) <= 2 {
		t.Errorf("button changes %v: no bounce", btn)
	}
	for _, c := range btn {
		if !(c.At >= time.Second && c.At < 1005*time.Millisecond) && !(c.At >= 1200*time.Millisecond && c.At < 1205*time.Millisecond) {
			t.Errorf("button change %v outside the bounce windows", c)
		}
	}
	if red := w.Of("red"); len(red) != 1 || red[0].At != time.Second || red[0].Value != 0 {
		t.Errorf("red changes %v, want one, low (lit) at 1s", red)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Signal []struct{ Name, Wave string }
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Signal) != 3 {
		t.Errorf("WaveDrom JSON %v:\n%s", err, data)
	}
}

func TestEnterClicks(t *testing.T) {
	// In real time each line of stdin clicks; a short run with none.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-for", "30ms"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, &stderr)
	}
	if !strings.Contains(stderr.String(), "press Enter") {
		t.Errorf("stderr %q", &stderr)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"-for", "300ms", "-bounce", "0s", "-hold", "50ms"}, strings.NewReader("\n"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, &stderr)
	}
	if !strings.Contains(stdout.String(), "button press") || !strings.Contains(stdout.String(), "red on") {
		t.Errorf("Enter did not click:\n%s", &stdout)
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-virtual", "-press", "3"}, 2, `invalid value "3" for flag -press`},
		{[]string{"-virtual", "-press", "-1s"}, 2, "must not be negative"},
		{[]string{"-virtual", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-virtual", "-press", "20s"}, 0, "note: -press 20s comes when the run, which lasts 10s (-for), is over"},
		{[]string{"-virtual", "-for", "0s"}, 2, "-for 0s: want a positive duration"},
		{[]string{"-virtual", "-script", "testdata/none.txt"}, 2, "open testdata/none.txt"},
		{[]string{"-virtual", "-script", "main.go"}, 2, "main.go: board: script line"},
		{[]string{"-virtual", "-vcd", "/nonexistent/dir/out.vcd"}, 1, "button-debounced:"},
		{[]string{"-virtual", "-wavedrom", "out.txt"}, 1, "want a .vcd or .json file"},
		{[]string{"-h"}, 0, "usage: button-debounced"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != c.code {
			t.Errorf("%q: exit code %d, want %d", c.args, code, c.code)
		}
		if !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("%q: stderr %q, want it to contain %q", c.args, &stderr, c.stderr)
		}
	}
	// A script naming a missing part fails the run.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("1 nobody press\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-virtual", "-script", bad}, strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `no part "nobody"`) {
		t.Errorf("bad script: code %d, stderr %q", code, &stderr)
	}
}

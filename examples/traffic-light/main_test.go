package main

import (
	"bytes"
	"fmt"
	"github.com/goasyncio/asyncio/internal/golden"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// runVirtual runs the command on the virtual clock with args; it must
// succeed and print nothing on stderr.
func runVirtual(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"-virtual"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("%q: exit code %d, stderr:\n%s", args, code, &stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("%q: stderr:\n%s", args, &stderr)
	}
	return stdout.String()
}

func TestGolden(t *testing.T) {
	got := runVirtual(t)
	golden.Check(t, "traffic-light.golden", got)

	// What the golden file must say, independently of it: green until the
	// press at 8 s, then the crossing; the press at 12 s, during the
	// crossing, is served after the next 5 s of green.
	for _, want := range []string{
		"0.000 green on\n8.000 button press\n8.000 green off\n8.000 amber on\n10.000 amber off\n10.000 red on\n",
		"16.000 amber on\n17.000 red off\n17.000 amber off\n17.000 green on\n22.000 green off\n22.000 amber on\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks\n%s\ngot:\n%s", want, got)
		}
	}
}

func TestNightGolden(t *testing.T) {
	got := runVirtual(t, "-script", "testdata/night.txt", "-for", "45s")
	golden.Check(t, "night.golden", got)
	for _, want := range []string{
		"13.000 button long\n13.000 mode night\n13.000 red off\n13.500 amber off\n14.000 amber on\n",
		"28.000 button long\n28.000 amber on\n28.000 mode day\n28.000 amber off\n28.000 green on\n",
		"35.000 button press\n35.000 green off\n35.000 amber on\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks\n%s\ngot:\n%s", want, got)
		}
	}
	// In night mode only amber changes.
	for _, line := range strings.Split(got, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			at, _ := strconv.ParseFloat(f[0], 64)
			if at > 13 && at < 28 && f[1] != "amber" && f[1] != "button" {
				t.Errorf("in night mode: %s", line)
			}
		}
	}
}

func TestNoPressStaysGreen(t *testing.T) {
	if got, want := runVirtual(t, "-press", "", "-for", "1h"), "0.000 green on\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEarlyPressWaitsForMinimumGreen(t *testing.T) {
	got := runVirtual(t, "-press", "1s,2s", "-for", "6s")
	want := "0.000 green on\n1.000 button press\n2.000 button press\n5.000 green off\n5.000 amber on\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSafety presses the button at random (clicks and long presses) for
// ten minutes with several seeds, and checks from the trace that the lights
// only ever show a legal state: by day green, amber, red, red and amber, in
// that order, green for at least 5 s, red for 6 s; by night amber alone.
func TestSafety(t *testing.T) {
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 99))
		dir := t.TempDir()
		script := filepath.Join(dir, "script.txt")
		var b strings.Builder
		at := time.Duration(0)
		for at < 10*time.Minute {
			at += time.Duration(r.IntN(20000)) * time.Millisecond
			hold := time.Duration(50+r.IntN(300)) * time.Millisecond
			if r.IntN(6) == 0 {
				hold = 1200 * time.Millisecond // a long press: night mode
			}
			fmt.Fprintf(&b, "%.3f button click %v\n", at.Seconds(), hold)
			at += hold + 100*time.Millisecond
		}
		os.WriteFile(script, []byte(b.String()), 0o644)
		out := runVirtual(t, "-script", script, "-for", "11m")
		checkSafe(t, seed, out)
	}
}

func checkSafe(t *testing.T, seed uint64, out string) {
	t.Helper()
	lit := map[string]bool{}
	night := false
	state, since := "green", 0.0
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := 0; i < len(lines); {
		// Take every line at this time: the state between times is what
		// must be legal.
		f := strings.Fields(lines[i])
		now := f[0]
		for ; i < len(lines) && strings.HasPrefix(lines[i], now+" "); i++ {
			f := strings.Fields(lines[i])
			switch {
			case f[1] == "mode":
				night = f[2] == "night"
				state = ""
			case f[1] == "button":
			default:
				lit[f[1]] = f[2] == "on"
			}
		}
		t0, _ := strconv.ParseFloat(now, 64)
		var s string
		switch {
		case lit["red"] && lit["amber"] && !lit["green"]:
			s = "red+amber"
		case lit["red"] && !lit["amber"] && !lit["green"]:
			s = "red"
		case !lit["red"] && lit["amber"] && !lit["green"]:
			s = "amber"
		case !lit["red"] && !lit["amber"] && lit["green"]:
			s = "green"
		case !lit["red"] && !lit["amber"] && !lit["green"]:
			s = "dark"
		default:
			t.Fatalf("seed %d at %s: red %v amber %v green %v", seed, now, lit["red"], lit["amber"], lit["green"])
		}
		if night {
			if s != "amber" && s != "dark" {
				t.Fatalf("seed %d at %s: %s by night", seed, now, s)
			}
			continue
		}
		if s == state {
			continue
		}
		next := map[string]string{"green": "amber", "amber": "red", "red": "red+amber", "red+amber": "green"}
		if state != "" && next[state] != s {
			t.Fatalf("seed %d at %s: %s after %s", seed, now, s, state)
		}
		if state == "green" && t0-since < 5-1e-9 {
			t.Fatalf("seed %d at %s: green lasted %.3f s", seed, now, t0-since)
		}
		if state == "red" && fmt.Sprintf("%.3f", t0-since) != "6.000" {
			t.Fatalf("seed %d at %s: red lasted %.3f s", seed, now, t0-since)
		}
		state, since = s, t0
	}
}

func TestWaveforms(t *testing.T) {
	dir := t.TempDir()
	vcdPath, js := filepath.Join(dir, "out.vcd"), filepath.Join(dir, "out.json")
	runVirtual(t, "-vcd", vcdPath, "-wavedrom", js)
	f, err := os.Open(vcdPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := vcd.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range w.Signals {
		names = append(names, s.Name)
	}
	if w.Scope != "crossing" || w.End != 30*time.Second || strings.Join(names, ",") != "red,amber,green,button" {
		t.Errorf("scope %q end %v signals %v", w.Scope, w.End, names)
	}
	if v, _ := w.ValueAt("green", 7*time.Second); v != 1 {
		t.Error("green is not lit at 7 s")
	}
	if v, _ := w.ValueAt("red", 12*time.Second); v != 1 {
		t.Error("red is not lit at 12 s")
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "traffic-light.wavedrom.json", string(data))
}

// TestREADMEPicture renders the default run's WaveDrom JSON with
// wavedrom-cli and compares it with docs/traffic-light.svg, the README's
// picture; -update rewrites the picture.
func TestREADMEPicture(t *testing.T) {
	cli := wavedromCLI(t)
	dir := t.TempDir()
	js, svg := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.svg")
	runVirtual(t, "-wavedrom", js)
	if msg, err := exec.Command(cli, "-i", js, "-s", svg).CombinedOutput(); err != nil {
		t.Fatalf("wavedrom-cli: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	picture := filepath.Join("..", "..", "docs", "traffic-light.svg")
	if *golden.Update {
		if err := os.WriteFile(picture, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(picture)
	if err != nil {
		t.Fatalf("%v (go test ./examples/traffic-light -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: go test ./examples/traffic-light -update rewrites it", picture)
	}
	for _, s := range []string{"<svg", "red", "amber", "green", "button"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("the picture has no %q", s)
		}
	}
}

// wavedromCLI returns the wavedrom-cli that board/tools pins, or one on
// the PATH. Without it the test skips, except under CI (the environment
// variable CI set), where it fails with the install command.
func wavedromCLI(t *testing.T) string {
	t.Helper()
	testenv.SkipIfEmulated(t, "runs wavedrom-cli under Node")
	const install = "npm ci --prefix board/tools"
	p := filepath.Join("..", "..", "board", "tools", "node_modules", ".bin", "wavedrom-cli")
	if _, err := os.Stat(p); err == nil {
		if _, err := exec.LookPath("node"); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("wavedrom-cli"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("wavedrom-cli (and node) are not installed; CI needs them: %s", install)
	}
	t.Skipf("wavedrom-cli (and node) are not installed (%s)", install)
	return ""
}

func TestBoardFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"name": "bench", "parts": [
		{"name": "red", "kind": "led", "active": "low"},
		{"name": "amber", "kind": "pwm-led"},
		{"name": "green", "kind": "led", "active": "low"},
		{"name": "button", "kind": "button"}]}`), 0o644)
	os.WriteFile(bad, []byte(`{"parts": [{"name": "red", "kind": "led"}, {"name": "button", "kind": "button"}]}`), 0o644)
	if got, want := runVirtual(t, "-board", good, "-press", "6s", "-for", "9s"),
		"0.000 green on\n6.000 button press\n6.000 green off\n6.000 amber on\n8.000 amber off\n8.000 red on\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-virtual", "-board", bad}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `no part "amber"`) {
		t.Errorf("a board without amber: code %d, stderr %q", code, &stderr)
	}
	noButton := filepath.Join(dir, "nobutton.json")
	os.WriteFile(noButton, []byte(`{"parts": [{"name": "red", "kind": "led"}]}`), 0o644)
	stderr.Reset()
	if code := run([]string{"-virtual", "-board", noButton}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `no button "button"`) {
		t.Errorf("a board without a button: code %d, stderr %q", code, &stderr)
	}
}

// The board file shipped for GPIO runs the crossing on the simulated board
// too (which ignores chips and lines), as the default board does.
func TestShippedGPIOBoardFile(t *testing.T) {
	got := runVirtual(t, "-board", "gpio-board.json", "-press", "6s", "-for", "9s")
	if want := runVirtual(t, "-press", "6s", "-for", "9s"); got != want || got == "" {
		t.Errorf("on gpio-board.json: %q; on the default board: %q", got, want)
	}
}

func TestGPIO(t *testing.T) {
	dir := t.TempDir()
	file := "gpio-board.json"
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) > 0 {
		t.Skip("this machine has GPIO chips: not driving lines whose wiring is unknown")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-gpio", file, "-for", "10ms"}, &stdout, &stderr)
	want := "no GPIO chips"
	if runtime.GOOS != "linux" {
		want = "needs Linux"
	}
	if code != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("-gpio without chips: code %d, stderr %q, want %q", code, &stderr, want)
	}
	stderr.Reset()
	if code := run([]string{"-gpio", filepath.Join(dir, "none.json")}, &stdout, &stderr); code != 1 {
		t.Errorf("-gpio with a missing file: code %d", code)
	}
}

func TestRealTime(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-for", "50ms", "-press", ""}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, &stderr)
	}
	// Green lights at once (a few ms in on a slow machine), and nothing
	// else happens in 50 ms.
	if out := stdout.String(); !strings.HasPrefix(out, "0.0") || !strings.HasSuffix(out, " green on\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("got %q", out)
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-press", "soon"}, 2, "-press:"},
		{[]string{"-press", "-1s"}, 2, "negative press time"},
		{[]string{"-virtual", "-for", "-5s"}, 2, "-for -5s: want a positive duration"},
		{[]string{"-virtual", "-for", "0"}, 2, "-for 0s: want a positive duration"},
		{[]string{"-virtual", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-script", "testdata/none.txt"}, 2, "open testdata/none.txt"},
		{[]string{"-board", "testdata/none.json"}, 2, "open testdata/none.json"},
		{[]string{"-virtual", "-vcd", "/nonexistent/out.vcd", "-for", "1s"}, 1, "traffic-light:"},
		{[]string{"-h"}, 0, "usage: traffic-light"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code {
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
	if code := run([]string{"-virtual", "-script", bad}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `no part "nobody"`) {
		t.Errorf("bad script: code %d, stderr %q", code, &stderr)
	}
}

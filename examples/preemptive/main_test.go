package main

import (
	"bytes"
	"errors"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/golden"
	"github.com/goasyncio/asyncio/internal/testenv"
)

// The loops run in debug mode (calls from the wrong goroutine fail), and no
// test may leave a goroutine behind.
func TestMain(m *testing.M) { testenv.DebugMain(m) }

// runLab runs the command with args and returns its standard output and
// error; it fails the test on a non-zero exit code.
func runLab(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("preemptive %s: exit code %d, stderr:\n%s", strings.Join(args, " "), code, &errOut)
	}
	return out.String(), errOut.String()
}

// TestTasksVirtual pins the cooperative version's whole output on the
// virtual clock: the count exact and the LEDs never apart in part 1, and
// green frozen while worker 2 blocks in part 2.
func TestTasksVirtual(t *testing.T) {
	got, stderr := runLab(t, "-virtual", "-with", "tasks", "-block", "300ms")
	if stderr != "" {
		t.Errorf("stderr:\n%s", stderr)
	}
	golden.Check(t, "tasks.golden", got)

	// What the golden file must say, independently of it.
	for i := 1; i <= 5; i++ {
		want := strconv.Itoa(i*2003) + " of " + strconv.Itoa(i*2003) + ", 0 lost; LEDs seen apart 0 times"
		if !strings.Contains(got, "round "+strconv.Itoa(i)+": count "+want) {
			t.Errorf("no round %d line with count %s", i, want)
		}
	}
	for _, want := range []string{
		"tasks (cooperative): count 10015 of 10015, 0 lost; LEDs seen apart 0 times, out of step after 0 of 5 rounds\n",
		"tasks (cooperative): green changed 0 times while worker 2 was blocked for 300ms; 1 change due\n",
		// Each round toggles the LEDs an odd number of times: they change
		// once a round, together.
		"0.000 red on\n0.000 green on\n0.500 round 2: count 4006 of 4006, 0 lost; LEDs seen apart 0 times\n0.500 red off\n0.500 green off\n",
		// Worker 2's red, on and off at once on the virtual clock, while
		// green stands still.
		"3.500 red on\n3.500 red off\n3.500 green on\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got, "goroutines") {
		t.Error("-with tasks ran the goroutines")
	}
}

// TestTasksRepeatable checks that the tasks' output is the same on every
// run on the virtual clock.
func TestTasksRepeatable(t *testing.T) {
	first, _ := runLab(t, "-virtual", "-with", "tasks", "-part", "1", "-steps", "101")
	for i := range 3 {
		if got, _ := runLab(t, "-virtual", "-with", "tasks", "-part", "1", "-steps", "101"); got != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i+2, got, first)
		}
	}
}

// TestTasksBlockingInRealTime runs part 2 with tasks on the real clock: the
// blocking call holds the loop, so green's next change comes late, after
// worker 2 puts red out, however loaded the machine.
func TestTasksBlockingInRealTime(t *testing.T) {
	got, _ := runLab(t, "-with", "tasks", "-part", "2", "-block", "600ms")
	if !strings.Contains(got, "green changed 0 times while worker 2 was blocked for 600ms") {
		t.Errorf("green changed while the loop was blocked:\n%s", got)
	}
	events := regexp.MustCompile(`(?m)^(\d+\.\d+) (red|green) (on|off)$`).FindAllStringSubmatch(got, -1)
	var redOn, redOff, after float64 = -1, -1, -1
	for _, e := range events {
		at, _ := strconv.ParseFloat(e[1], 64)
		switch {
		case e[2] == "red" && e[3] == "on":
			redOn = at
		case e[2] == "red" && e[3] == "off":
			redOff = at
		case e[2] == "green" && redOff >= 0 && after < 0:
			after = at
		}
	}
	if redOn < 0 || redOff < 0 || after < 0 {
		t.Fatalf("no red pulse followed by a green change:\n%s", got)
	}
	if redOff-redOn < 0.6 {
		t.Errorf("red on at %.3f, off at %.3f: want 0.6 s or more apart", redOn, redOff)
	}
	if after < redOff {
		t.Errorf("green changed at %.3f, before the blocking call returned at %.3f", after, redOff)
	}
}

// TestGoroutinesKeepBlinking runs part 2 with goroutines: worker 2's
// blocking call blocks only its goroutine, so green goes on changing.
// Goroutines run in real time: the test asks for at least one change of the
// four due in a second, which a loaded machine still gives.
func TestGoroutinesKeepBlinking(t *testing.T) {
	got, _ := runLab(t, "-virtual", "-with", "goroutines", "-part", "2", "-block", "1s")
	m := regexp.MustCompile(`goroutines \(preemptive\): green changed (\d+) times while worker 2 was blocked for 1s; 4 changes due`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no summary line:\n%s", got)
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("green changed %d times while a goroutine blocked, want at least 1:\n%s", n, got)
	}
	if strings.Count(got, "red on") != 1 || strings.Count(got, "red off") != 1 {
		t.Errorf("want one red pulse:\n%s", got)
	}
}

// TestSlowTaskReported runs part 2 with tasks and -debug: the watchdog of
// asyncio.DebugSlowTasks names the task that blocks, while it blocks, with
// the stack that shows where.
func TestSlowTaskReported(t *testing.T) {
	_, stderr := runLab(t, "-virtual", "-with", "tasks", "-part", "2", "-block", "300ms", "-debug")
	for _, want := range []string{
		`asyncio: task "worker 2" has run for`,
		"time.Sleep(",
		"preemptive.tasksTrap.func2(",
		`task "worker 2" ran `,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, `"worker 1"`) {
		t.Errorf("worker 1, which yields, reported:\n%s", stderr)
	}
}

// TestRaceDetector builds the lab with -race and runs each version in it:
// the goroutines' race is reported, in step, on every run (the detector
// sees two goroutines touch the count with nothing ordering them, whatever
// the interleaving); the tasks give no report. It is skipped where programs
// cannot be built and started (an emulator, js/wasm) or the race detector
// does not exist.
func TestRaceDetector(t *testing.T) {
	testenv.SkipIfEmulated(t, "builds and starts a native program with the race detector")
	testenv.SkipIfNoCommand(t, "go")
	bin := t.TempDir() + "/preemptive-race"
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		if bytes.Contains(out, []byte("-race")) {
			t.Skipf("skipped: the race detector is not available here: %s", bytes.TrimSpace(out))
		}
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
	args := []string{"-virtual", "-part", "1", "-rounds", "1", "-steps", "200"}

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, append(args, "-with", "goroutines")...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 66 { // the race detector's exit code
		t.Errorf("goroutines under -race: %v, want exit status 66", err)
	}
	for _, want := range []string{"WARNING: DATA RACE", "main.(*shared).step()", "main.goroutinesRound."} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("goroutines under -race: stderr lacks %q:\n%s", want, &stderr)
		}
	}
	if !strings.Contains(stdout.String(), "goroutines (preemptive): count ") {
		t.Errorf("goroutines under -race: no summary:\n%s", &stdout)
	}

	out, err := exec.Command(bin, append(args, "-with", "tasks")...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("DATA RACE")) {
		t.Errorf("tasks under -race: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("tasks (cooperative): count 401 of 401, 0 lost; LEDs seen apart 0 times")) {
		t.Errorf("tasks under -race:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-with", "threads"}, 2, `-with "threads": want tasks, goroutines or both`},
		{[]string{"-part", "3"}, 2, `-part "3": want 1, 2 or both`},
		{[]string{"-rounds", "0"}, 2, "-rounds 0: want at least 1"},
		{[]string{"-steps", "0"}, 2, "-steps 0: want at least 1"},
		{[]string{"-block", "-1s"}, 2, "-block -1s: want a duration of 0 or more"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-h"}, 0, "usage: preemptive"},
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

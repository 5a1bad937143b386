package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/goasyncio/asyncio/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The MicroPython build the scenarios run under: the npm package pinned by
// package.json and package-lock.json in this directory.
const (
	mpPackage   = "@micropython/micropython-webassembly-pyscript"
	mpVersion   = "1.27.0"
	installHint = "run `npm ci --prefix conformance` from the repository root to install the pinned MicroPython"
)

// realClock lists the twins that run on the real clock rather than the
// virtual one, and so may be late like MicroPython.
var realClock = map[string]bool{"sleep_fair": true}

// knownFailures lists scenarios whose twin does not print what MicroPython
// prints because of a known bug in the asyncio package, with the reason.
// Such a scenario is skipped with its diff logged; once it passes, the test
// fails until it is removed from here.
var knownFailures = map[string]string{}

// scenario is one scenarios/NAME.py with what its header says.
type scenario struct {
	name    string
	path    string // the .py
	summary string // the header's first line

	// From the header, each a "# Key: value" line.
	mpTests      string // "MicroPython test": the tests/extmod files it covers
	reference    string // "Reference": why MicroPython's output is kept in NAME.exp
	cpythonSkip  string // "CPython: skip (why)": not valid CPython asyncio
	cpythonNotes string // "CPython differs": why CPython's output differs
	goNotes      string // "Go differs": why this package deliberately prints NAME.go.exp instead
}

// goExpPath is where a scenario that Go deliberately runs differently keeps
// the Go twin's expected output.
func (s *scenario) goExpPath() string { return strings.TrimSuffix(s.path, ".py") + ".go.exp" }

// usesExp reports whether MicroPython's output is kept in NAME.exp because
// the npm build cannot run the scenario.
func (s *scenario) usesExp() bool { return s.reference != "" }

func (s *scenario) expPath() string { return strings.TrimSuffix(s.path, ".py") + ".exp" }

var (
	scenariosOnce sync.Once
	scenariosList []*scenario
	scenariosErr  error
)

// loadScenarios reads every scenarios/*.py and checks its header.
func loadScenarios(t *testing.T) []*scenario {
	t.Helper()
	scenariosOnce.Do(func() { scenariosList, scenariosErr = readScenarios("scenarios") })
	if scenariosErr != nil {
		t.Fatal(scenariosErr)
	}
	return scenariosList
}

func readScenarios(dir string) ([]*scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil {
		return nil, err
	}
	var list []*scenario
	var errs []error
	for _, path := range paths {
		s, err := readScenario(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *scenario) int { return strings.Compare(a.name, b.name) })
	return list, errors.Join(errs...)
}

func readScenario(path string) (*scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := &scenario{name: strings.TrimSuffix(filepath.Base(path), ".py"), path: path}
	for i, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if i == 0 {
			s.summary = line
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		switch {
		case !ok:
		case key == "MicroPython test":
			s.mpTests = value
		case key == "Reference":
			s.reference = value
		case key == "CPython" && strings.HasPrefix(value, "skip"):
			s.cpythonSkip = strings.Trim(strings.TrimPrefix(value, "skip"), " ()")
		case key == "CPython differs":
			s.cpythonNotes = value
		case key == "Go differs":
			s.goNotes = value
		}
	}
	var problems []string
	if s.summary == "" || s.mpTests == "" {
		problems = append(problems, "its header must start with a one-line summary and a '# MicroPython test: ...' line")
	}
	_, expErr := os.Stat(s.expPath())
	switch {
	case s.usesExp() && expErr != nil:
		problems = append(problems, "its header has a Reference line but "+filepath.Base(s.expPath())+" is missing")
	case !s.usesExp() && expErr == nil:
		problems = append(problems, filepath.Base(s.expPath())+" exists but the header has no '# Reference: ...' line saying why")
	case !s.usesExp() && !strings.HasSuffix(string(src), "\nasyncio.run(main())\n"):
		// The npm build's command line runs asyncio.run only then.
		problems = append(problems, "it must end with exactly `asyncio.run(main())` and a newline")
	}
	if _, err := os.Stat(s.goExpPath()); (err == nil) != (s.goNotes != "") {
		problems = append(problems, "a '# Go differs: ...' line and "+filepath.Base(s.goExpPath())+" go together")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("scenario %s: %s", path, strings.Join(problems, "; "))
	}
	return s, nil
}

// tool is an external program the suite runs, or why it cannot.
type tool struct {
	path    string
	missing string
}

// skipOrFail skips t when the tool is missing, or fails it when the
// environment variable CI is set: CI must run the whole suite.
func (tl tool) skipOrFail(t *testing.T) {
	t.Helper()
	if tl.missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(tl.missing)
	}
	t.Skip(tl.missing)
}

var micropython = sync.OnceValue(func() tool {
	node, err := exec.LookPath("node")
	if err != nil {
		return tool{missing: "node is not installed: it runs MicroPython; " + installHint}
	}
	dir := filepath.Join("node_modules", filepath.FromSlash(mpPackage))
	var pkg struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err != nil || json.Unmarshal(b, &pkg) != nil {
		return tool{missing: mpPackage + " is not installed: " + installHint}
	}
	if pkg.Version != mpVersion {
		return tool{missing: fmt.Sprintf("%s %s is installed, the suite is pinned to %s: %s", mpPackage, pkg.Version, mpVersion, installHint)}
	}
	return tool{path: node + "\x00" + filepath.Join(dir, "micropython.mjs")}
})

// output is what a program printed.
type output struct {
	stdout, stderr string
	err            error
}

func (o output) lines() []string { return splitLines(o.stdout) }

func splitLines(s string) []string {
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// procs limits how many node and python processes run at once: they run in
// real time, and too many at once on a small machine make their timers late.
var procs = make(chan struct{}, max(4, runtime.NumCPU()))

// runProgram runs a command with a time limit and returns its output.
func runProgram(dir string, limit time.Duration, name string, args ...string) output {
	procs <- struct{}{}
	defer func() { <-procs }()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %v", limit)
	}
	return output{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// parallel runs fn for each scenario, all at once (runProgram limits the
// processes), and returns the outputs by scenario name.
func parallel(scs []*scenario, fn func(*scenario) output) map[string]output {
	results := make(map[string]output, len(scs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range scs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := fn(s)
			mu.Lock()
			results[s.name] = o
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results
}

var (
	mpCache sync.Map   // scenario name → *lazyOutput
	retryMu sync.Mutex // retries run one at a time, on a quieter machine
)

type lazyOutput struct {
	once sync.Once
	out  output
}

// micropythonOutput returns MicroPython's output for a scenario, the first
// time by running it under Node or reading its NAME.exp. The output carries
// the error when Node or the npm package is missing.
func micropythonOutput(s *scenario) output {
	v, _ := mpCache.LoadOrStore(s.name, new(lazyOutput))
	l := v.(*lazyOutput)
	l.once.Do(func() { l.out = runMicroPython(s) })
	return l.out
}

func runMicroPython(s *scenario) output {
	if s.usesExp() {
		b, err := os.ReadFile(s.expPath())
		return output{stdout: string(b), err: err}
	}
	mp := micropython()
	if mp.missing != "" {
		return output{err: errors.New(mp.missing)}
	}
	node, mjs, _ := strings.Cut(mp.path, "\x00")
	abs, err := filepath.Abs(mjs)
	if err != nil {
		return output{err: err}
	}
	return runProgram(filepath.Dir(s.path), time.Minute, node, abs, "-X", "heapsize=8m", filepath.Base(s.path))
}

// selected returns the scenarios that -run selects as subtests, as near as
// a simple reading of the pattern gets: the others are not run in advance.
func selected(scs []*scenario) []*scenario {
	pattern := flag.Lookup("test.run").Value.String()
	parts := strings.SplitN(pattern, "/", 2)
	if len(parts) < 2 {
		return scs
	}
	re, err := regexp.Compile(parts[1])
	if err != nil {
		return scs
	}
	var out []*scenario
	for _, s := range scs {
		if re.MatchString(s.name) {
			out = append(out, s)
		}
	}
	return out
}

// attempts is how many times a scenario runs in real time before its
// output counts as different: MicroPython runs in real time, and on a
// loaded machine a process that stalls for tens of milliseconds can see
// two deadlines in the other order. A real difference shows every time.
const attempts = 3

// runTwin runs a scenario's Go twin and returns what it printed.
func runTwin(fn twin) output {
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("twin panicked: %v", r)
			}
		}()
		done <- fn(&py{w: &buf})
	}()
	select {
	case err := <-done:
		return output{stdout: buf.String(), err: err}
	case <-time.After(30 * time.Second):
		return output{err: errors.New("twin still running after 30s")}
	}
}

// TestConformance runs every scenario in MicroPython and its Go twin, and
// compares their output line by line.
func TestConformance(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs real MicroPython in real time beside the twins; the native run checks them")
	scs := loadScenarios(t)
	for _, s := range scs {
		if twins[s.name] == nil {
			t.Errorf("scenario %s has no Go twin: add one to a twins_*_test.go file", s.name)
		}
	}
	for name := range twins {
		if !slices.ContainsFunc(scs, func(s *scenario) bool { return s.name == name }) {
			t.Errorf("twin %s has no scenarios/%s.py", name, name)
		}
	}
	for name := range knownFailures {
		if twins[name] == nil {
			t.Errorf("knownFailures names %s, which is not a scenario", name)
		}
	}
	mp := micropython()
	if mp.missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(mp.missing)
		}
		t.Log(mp.missing + "; only the scenarios kept as .exp run")
	}
	for _, s := range selected(scs) {
		go micropythonOutput(s) // start them all; each subtest waits for its own
	}
	for _, s := range scs {
		fn := twins[s.name]
		if fn == nil {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			if !s.usesExp() && mp.missing != "" {
				t.Skip("needs MicroPython: see the log of TestConformance")
			}
			source := "MicroPython"
			if s.usesExp() {
				source = filepath.Base(s.expPath())
			}
			if s.goNotes != "" {
				checkDeliberateDifference(t, s, fn)
				return
			}
			reason, known := knownFailures[s.name]
			want, got := micropythonOutput(s), runTwin(fn)
			var d string
			same := false
			for attempt := 1; ; attempt++ {
				if (want.err != nil || want.stderr != "") && !s.usesExp() && attempt < attempts {
					// A stalled real-time process can miss a deadline and
					// fail: run it again on a quieter machine.
					t.Logf("attempt %d: MicroPython failed, running again: %v\n%s", attempt, want.err, want.stderr)
					retryMu.Lock()
					want = runMicroPython(s)
					retryMu.Unlock()
					continue
				}
				if want.err != nil || want.stderr != "" {
					t.Fatalf("MicroPython failed on %s: %v\n%s", s.path, want.err, want.stderr)
				}
				if got.err != nil {
					t.Fatalf("Go twin returned an error: %v\noutput so far:\n%s", got.err, got.stdout)
				}
				d, same = diff(want.lines(), got.lines())
				if same || known || attempt == attempts || s.usesExp() && !realClock[s.name] {
					break
				}
				t.Logf("attempt %d: outputs differ; running again in case a real-time process was late:\n%s", attempt, d)
				retryMu.Lock()
				if !s.usesExp() {
					want = runMicroPython(s)
				}
				got = runTwin(fn)
				retryMu.Unlock()
			}
			switch {
			case same && known:
				t.Errorf("known failure now passes: remove %s from knownFailures", s.name)
			case !same && known:
				t.Skipf("known failure (%s); - %s, + Go twin:\n%s", reason, source, d)
			case !same:
				t.Errorf("Go twin's output differs from %s's (%s); - %s, + Go twin:\n%s", source, s.path, source, d)
			}
		})
	}
}

// checkDeliberateDifference checks a scenario where this package chose to
// differ from MicroPython: the twin prints NAME.go.exp, and MicroPython still
// prints something else (else the difference is gone and the scenario should
// be an ordinary one).
func checkDeliberateDifference(t *testing.T, s *scenario, fn twin) {
	b, err := os.ReadFile(s.goExpPath())
	if err != nil {
		t.Fatal(err)
	}
	goWant, got := splitLines(string(b)), runTwin(fn)
	if got.err != nil {
		t.Fatalf("Go twin returned an error: %v\noutput so far:\n%s", got.err, got.stdout)
	}
	if d, same := diff(goWant, got.lines()); !same {
		t.Errorf("Go twin's output differs from %s; - expected, + Go twin:\n%s", filepath.Base(s.goExpPath()), d)
	}
	mp := micropythonOutput(s)
	if mp.err != nil || mp.stderr != "" {
		t.Fatalf("MicroPython failed on %s: %v\n%s", s.path, mp.err, mp.stderr)
	}
	if _, same := diff(goWant, mp.lines()); same {
		t.Errorf("MicroPython now prints %s: drop the 'Go differs' line and the file", filepath.Base(s.goExpPath()))
	}
}

// diff compares two lists of lines and returns them merged, each prefixed
// with "  " when in both, "- " when only in want and "+ " when only in got,
// and whether they are the same.
func diff(want, got []string) (string, bool) {
	n, m := len(want), len(got)
	// lcs[i][j] is the length of the longest common subsequence of
	// want[i:] and got[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	same := true
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			fmt.Fprintf(&b, "  %s\n", want[i])
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
			fmt.Fprintf(&b, "+ %s\n", got[j])
			j, same = j+1, false
		default:
			fmt.Fprintf(&b, "- %s\n", want[i])
			i, same = i+1, false
		}
	}
	return b.String(), same
}

package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The second suite: the APIs that MicroPython lacks and CPython has (Queue,
// Semaphore, Condition, Barrier, TaskGroup, Timeout, Shield, Wait,
// AsCompleted), each scenario in cpython/NAME.py run under CPython 3.11 and
// compared line by line with its Go twin. A scenario where this package
// chooses to differ says why in a "# Go differs: ..." header line and keeps
// the Go twin's output in cpython/NAME.go.exp; the suite checks that the
// twin prints it and that CPython still prints something else.

// cpyTwins maps each cpython/NAME.py to its twin; the twins_cpython_*_test.go
// files fill it.
var cpyTwins = map[string]twin{}

func addCPyTwins(m map[string]twin) {
	for name, fn := range m {
		if _, dup := cpyTwins[name]; dup {
			panic("two CPython twins for " + name)
		}
		cpyTwins[name] = fn
	}
}

// minCPyScenarios is how many scenarios the CPython suite has at least, so
// that it cannot shrink unnoticed.
const minCPyScenarios = 30

// readCPyScenarios reads cpython/*.py: a summary line, and optionally a
// "# Go differs: ..." line with its NAME.go.exp.
func readCPyScenarios(dir string) ([]*scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil {
		return nil, err
	}
	var list []*scenario
	var errs []error
	for _, path := range paths {
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
			} else if v, ok := strings.CutPrefix(line, "Go differs: "); ok {
				s.goNotes = v
			}
		}
		if s.summary == "" {
			errs = append(errs, fmt.Errorf("%s: the first line must be a comment saying what the scenario shows", path))
		}
		if _, err := os.Stat(s.goExpPath()); (err == nil) != (s.goNotes != "") {
			errs = append(errs, fmt.Errorf("%s: a '# Go differs: ...' line and %s go together", path, filepath.Base(s.goExpPath())))
		}
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b *scenario) int { return strings.Compare(a.name, b.name) })
	return list, errors.Join(errs...)
}

// TestCPythonConformance runs every cpython/ scenario under CPython 3.11 and
// its Go twin, and compares their output line by line.
func TestCPythonConformance(t *testing.T) {
	scs, err := readCPyScenarios("cpython")
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) < minCPyScenarios {
		t.Errorf("the CPython suite has %d scenarios, fewer than %d", len(scs), minCPyScenarios)
	}
	for _, s := range scs {
		if cpyTwins[s.name] == nil {
			t.Errorf("cpython/%s.py has no Go twin: add one to a twins_cpython_*_test.go file", s.name)
		}
	}
	for name := range cpyTwins {
		if !slices.ContainsFunc(scs, func(s *scenario) bool { return s.name == name }) {
			t.Errorf("CPython twin %s has no cpython/%s.py", name, name)
		}
	}
	cpython().skipOrFail(t)
	for _, s := range scs {
		fn := cpyTwins[s.name]
		if fn == nil {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got := runTwin(fn)
			if got.err != nil {
				t.Fatalf("Go twin returned an error: %v\noutput so far:\n%s", got.err, got.stdout)
			}
			var goWant []string
			if s.goNotes != "" {
				b, err := os.ReadFile(s.goExpPath())
				if err != nil {
					t.Fatal(err)
				}
				goWant = splitLines(string(b))
				if d, same := diff(goWant, got.lines()); !same {
					t.Errorf("Go twin's output differs from %s; - expected, + Go twin:\n%s", filepath.Base(s.goExpPath()), d)
				}
			}
			var d string
			same := false
			for attempt := 1; attempt <= attempts; attempt++ {
				// CPython runs in real time: a stalled process can see two
				// deadlines the other way round, so a difference is checked
				// again before it counts.
				if attempt > 1 {
					retryMu.Lock() // retries run one at a time, on a quieter machine
				}
				want := runProgram(filepath.Dir(s.path), time.Minute, cpython().path, filepath.Base(s.path))
				if attempt > 1 {
					retryMu.Unlock()
				}
				if want.err != nil || want.stderr != "" {
					d = fmt.Sprintf("CPython failed: %v\n%s", want.err, want.stderr)
					continue
				}
				if s.goNotes != "" {
					if _, same = diff(goWant, want.lines()); same {
						t.Errorf("CPython now prints %s: drop the 'Go differs' line and the file", filepath.Base(s.goExpPath()))
					}
					return
				}
				if d, same = diff(want.lines(), got.lines()); same {
					return
				}
			}
			t.Errorf("Go twin's output differs from CPython's (%s); - CPython, + Go twin:\n%s", s.path, d)
		})
	}
}

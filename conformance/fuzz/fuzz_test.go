package fuzz

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// The normal run checks defaultChecks programs from a fixed seed, so that CI
// is reproducible; -rapid.checks and -rapid.seed change both (a seed of 0
// draws a random one). See ../README.md for the soak.
const (
	defaultChecks = "500"
	defaultSeed   = "20261204"
)

func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["rapid.checks"] && os.Getenv("RAPID_CHECKS") == "" {
		flag.Set("rapid.checks", defaultChecks)
	}
	if !set["rapid.seed"] && os.Getenv("RAPID_SEED") == "" {
		flag.Set("rapid.seed", defaultSeed)
	}
	code := m.Run()
	micropython().stop()
	cpython().stop()
	if code == 0 {
		if err := goleak.Find(testenv.LeakOptions()...); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// tally counts what the differential test saw over a run.
var tally struct {
	sync.Mutex
	programs, steps, same, crashed int
	known                          map[string]int
	kinds                          [numKinds]int
	seen                           map[string]int
}

// TestDifferential generates programs, runs each in MicroPython and twice in
// Go, and fails on any difference not in the known-divergence list
// (known_test.go), and on any broken invariant. rapid shrinks a failing
// program to a minimal one and prints it with both outputs.
func TestDifferential(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs MicroPython under Node")
	micropython().skipOrFail(t)
	tally.Lock()
	tally.programs, tally.steps, tally.same, tally.crashed = 0, 0, 0, 0
	tally.known, tally.seen, tally.kinds = map[string]int{}, map[string]int{}, [numKinds]int{}
	tally.Unlock()
	rapid.Check(t, func(rt *rapid.T) {
		p := programs.Draw(rt, "program")
		d := compare(p)
		tally.Lock()
		tally.programs++
		tally.steps += p.size()
		p.walk(func(_ int, s *step) { tally.kinds[s.kind]++ })
		for k, v := range d.goOut.seen {
			tally.seen[k] += v
		}
		switch {
		case d.crashed:
			tally.crashed++
		case d.same:
			tally.same++
		case d.known != nil:
			tally.known[d.known.name]++
		}
		tally.Unlock()
		if d.problem != "" {
			rt.Fatal(d.problem)
		}
		if d.crashed {
			rt.Skip("MicroPython crashed")
		}
	})
	tally.Lock()
	defer tally.Unlock()
	t.Logf("%d programs (%d steps): %d printed the same in MicroPython and Go; known divergences: %v; MicroPython crashed on %d",
		tally.programs, tally.steps, tally.same, tally.known, tally.crashed)
	if testing.Verbose() {
		t.Logf("step kinds generated: %v", kindCounts(tally.kinds))
		t.Logf("situations met: %v", tally.seen)
	}
}

// mpCrash is how the WebAssembly MicroPython reports a crash of the
// interpreter itself. MicroPython 1.27 crashes so when a task that failed
// and was queued for the exception handler is awaited before its turn and
// awaited again after it: the handler's turn leaves None as the task's
// result, and the second await raises it (Task.__next__ does
// nlr_raise(self->data)); testdata/micropython-crash.py is the smallest
// such program, and crashes the board's asyncio too. Such a program tells
// nothing about the Go package: it is skipped and counted.
const mpCrash = "memory access out of bounds"

// comparison is what became of one program.
type comparison struct {
	p       *program
	src     string
	mp      output
	goOut   result
	same    bool
	known   *divergence // the known divergence that explains a difference
	crashed bool        // the MicroPython interpreter crashed (see mpCrash)
	problem string      // why the test fails, or ""
}

func compare(p *program) comparison {
	p.trim()
	c := comparison{p: p, src: p.python()}
	c.goOut = interpret(p)
	again := interpret(p)
	var problems []string
	if len(c.goOut.broken) > 0 {
		problems = append(problems, "invariants broken in Go:\n  "+strings.Join(c.goOut.broken, "\n  "))
	}
	if again.out != c.goOut.out {
		d, _ := diff(lines(c.goOut.out), lines(again.out))
		problems = append(problems, "two runs on the virtual clock printed different lines (- first, + second):\n"+d)
	}
	mp, err := micropython().run(c.src)
	c.mp = mp
	switch {
	case err != nil:
		problems = append(problems, "MicroPython did not run: "+err.Error())
	case strings.Contains(mp.Err, mpCrash):
		c.crashed = true
	case mp.Err != "":
		problems = append(problems, "MicroPython failed: "+mp.Err)
	default:
		var d string
		d, c.same = diff(lines(mp.Out), lines(c.goOut.out))
		if !c.same {
			c.known = explain(p, c)
			if c.known != nil && c.known.name == *find && pure(c.known, c) {
				problems = append(problems, "found "+*find+" (- MicroPython, + Go):\n"+d)
			}
			if c.known == nil {
				problems = append(problems, "MicroPython and Go print different lines (- MicroPython, + Go):\n"+d)
			}
		}
	}
	if len(problems) > 0 {
		c.problem = strings.Join(problems, "\n") + "\n" + c.report()
	}
	return c
}

// report shows the program in both forms with both outputs.
func (c comparison) report() string {
	return fmt.Sprintf("--- the program, as the Go interpreter reads it:\n%#v\n--- as MicroPython runs it:\n%s"+
		"--- MicroPython printed:\n%s--- the Go interpreter printed:\n%s", c.p, c.src, c.mp.Out, c.goOut.out)
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func kindCounts(k [numKinds]int) string {
	var parts []string
	for i, n := range k {
		parts = append(parts, fmt.Sprintf("%v=%d", kind(i), n))
	}
	return strings.Join(parts, " ")
}

// diff compares two lists of lines and returns them merged, each prefixed
// with "  " when in both, "- " when only in want and "+ " when only in got,
// and whether they are the same.
func diff(want, got []string) (string, bool) {
	n, m := len(want), len(got)
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

package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/goasyncio/asyncio/board/scenario"
	"github.com/goasyncio/asyncio/board/scenario/attach"
)

// testTimeout bounds one scenario's run in real time.
const testTimeout = 2 * time.Minute

// runTest is "board test": it plays scenario files against a program on the
// virtual clock, headless, and returns 0 if every step of every file
// passed, 1 if one failed, 2 for bad usage.
//
// The program is built with one file added (go build -overlay) that imports
// package board/scenario/attach: the program's own board plays the scenario
// on the program's own loop, so every input and check happens at an exact
// virtual time, and the program writes its reports where board reads them.
func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("board test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: board test [flags] SCENARIO.yaml... [lab|package] [-- program arguments]\n\nPlays scenario files against a program on the virtual clock and reports each step;\nexits 0 if all passed, 1 if not. Without a program, each file's own program: field is used.\nSee docs/scenarios.md.\n\nflags:\n")
		fs.PrintDefaults()
	}
	junit := fs.String("junit", "", "write a JUnit XML report to this `file`")
	vcd := fs.String("vcd", "", "write each run's waveform as a VCD to this `file` (with several scenarios: file.NAME.vcd)")
	wd := fs.String("wavedrom", "", "write each run's waveform as WaveDrom JSON to this `file`")
	realtime := fs.Bool("realtime", false, "play the scenario in real time against real hardware (not available yet)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *realtime {
		fmt.Fprintln(stderr, "board test: -realtime (hardware in the loop on Linux GPIO) is not available yet; scenarios run on the virtual clock")
		return 2
	}
	var files, extra []string
	program := ""
	rest := fs.Args()
	for i, a := range rest {
		if a == "--" {
			extra = rest[i+1:]
			break
		}
		if strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".yml") {
			files = append(files, a)
		} else if program == "" {
			program = a
		} else {
			fmt.Fprintf(stderr, "board test: two programs, %q and %q\n", program, a)
			return 2
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "board test: name at least one scenario file (.yaml)")
		fs.Usage()
		return 2
	}
	var scs []*scenario.Scenario
	bad := false
	for _, f := range files {
		sc, err := scenario.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, "board test:", err)
			bad = true
			continue
		}
		scs = append(scs, sc)
	}
	if bad {
		return 2
	}
	dir, err := os.MkdirTemp("", "board-test-")
	if err != nil {
		fmt.Fprintln(stderr, "board test:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	// Build each program once.
	type built struct {
		argv []string
		err  error
	}
	bins := map[string]*built{}
	target := func(sc *scenario.Scenario) string {
		if program != "" {
			return program
		}
		if _, ok := labs[sc.Program]; ok || sc.Program == "" || filepath.IsAbs(sc.Program) {
			return sc.Program
		}
		return filepath.Join(filepath.Dir(sc.File), sc.Program)
	}
	for _, sc := range scs {
		t := target(sc)
		if t == "" {
			fmt.Fprintf(stderr, "board test: %s names no program: give one (a lab or a package directory), or add program: to the file\n", sc.File)
			return 2
		}
		if bins[t] != nil {
			continue
		}
		fmt.Fprintf(stderr, "board test: building %s...\n", t)
		argv, err := buildForTest(t, filepath.Join(dir, fmt.Sprintf("p%d", len(bins))), stderr)
		bins[t] = &built{append(argv, extra...), err}
		if err != nil {
			fmt.Fprintf(stderr, "board test: building %s: %v\n", t, err)
			return 2
		}
	}

	// Run them in parallel.
	type result struct {
		text    string
		verdict string
		junit   *scenario.JUnitSuite
		vcd, wd []byte
	}
	results := make([]result, len(scs))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, sc := range scs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out := filepath.Join(dir, fmt.Sprintf("run%d", i))
			os.MkdirAll(out, 0o755)
			res := &results[i]
			res.text, res.verdict = playOne(ctx, bins[target(sc)].argv, sc, out)
			if data, err := os.ReadFile(filepath.Join(out, attach.JUnitFile)); err == nil {
				var s scenario.JUnitSuites
				if xml.Unmarshal(data, &s) == nil && len(s.Suites) == 1 {
					res.junit = &s.Suites[0]
				}
			}
			if res.junit == nil {
				res.junit = &scenario.JUnitSuite{Name: sc.Name, File: sc.File, Errors: 1, Time: "0.000",
					Error: &scenario.JUnitFault{Message: "the scenario did not run", Type: "error", Text: res.text}}
			}
			res.vcd, _ = os.ReadFile(filepath.Join(out, attach.VCDFile))
			res.wd, _ = os.ReadFile(filepath.Join(out, attach.WaveDromFile))
		}()
	}
	wg.Wait()

	code := 0
	var suites []scenario.JUnitSuite
	for i, r := range results {
		io.WriteString(stdout, r.text)
		if r.verdict != "pass" {
			code = 1
		}
		suites = append(suites, *r.junit)
		name := strings.TrimSuffix(filepath.Base(scs[i].File), filepath.Ext(scs[i].File))
		for _, w := range []struct {
			path string
			data []byte
		}{{*vcd, r.vcd}, {*wd, r.wd}} {
			if w.path == "" || w.data == nil {
				continue
			}
			p := w.path
			if len(scs) > 1 {
				ext := filepath.Ext(p)
				p = strings.TrimSuffix(p, ext) + "." + name + ext
			}
			if err := os.WriteFile(p, w.data, 0o644); err != nil {
				fmt.Fprintln(stderr, "board test:", err)
				code = 1
			}
		}
	}
	if *junit != "" {
		var b bytes.Buffer
		scenario.WriteJUnit(&b, "board test", suites...)
		if err := os.WriteFile(*junit, b.Bytes(), 0o644); err != nil {
			fmt.Fprintln(stderr, "board test:", err)
			code = 1
		}
	}
	if len(scs) > 1 {
		passed := 0
		for _, r := range results {
			if r.verdict == "pass" {
				passed++
			}
		}
		fmt.Fprintf(stdout, "%d of %d scenarios passed\n", passed, len(scs))
	}
	return code
}

// playOne runs the program with the scenario and returns the text report
// and the verdict ("pass", "fail" or "error").
func playOne(ctx context.Context, argv []string, sc *scenario.Scenario, out string) (string, string) {
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	abs, _ := filepath.Abs(sc.File)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), attach.EnvScenario+"="+abs, attach.EnvOut+"="+out)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	err := cmd.Run()
	text, _ := os.ReadFile(filepath.Join(out, attach.TextFile))
	verdict, _ := os.ReadFile(filepath.Join(out, attach.VerdictFile))
	if len(verdict) == 0 {
		tail := strings.TrimSpace(output.String())
		if len(tail) > 2000 {
			tail = "..." + tail[len(tail)-2000:]
		}
		return fmt.Sprintf("scenario %s (%s)\n  ERROR the program ended without playing it (%v): does it make a simulated board?\n%s\nFAIL %s\n", sc.Name, sc.File, err, tail, sc.Name), "error"
	}
	return string(text), string(verdict)
}

// buildForTest builds a lab or a package directory into dir with the
// scenario player added, and returns the command line that runs it.
func buildForTest(target, dir string, stderr io.Writer) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, exe("program"))
	const hook = module + "/board/scenario/attach"
	if l, ok := labs[target]; ok {
		if err := buildLab(l, bin, hook, stderr); err != nil {
			return nil, err
		}
		return append([]string{bin}, l.args...), nil
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("not a lab (%s) nor a package directory", strings.Join(labNames(), ", "))
	}
	if err := (goBuild{pkg: packageDir(target), hook: hook}).run(bin); err != nil {
		return nil, err
	}
	return []string{bin}, nil
}

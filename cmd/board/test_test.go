package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// junitReport is the part of a JUnit XML report that CI systems read.
type junitReport struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// board test grades the two hand-ins of examples/grading: both scenario
// files in one call, run in parallel; the correct one passes (exit 0), the
// other fails (exit 1) with the expected and the observed period; the
// JUnit report, VCD and WaveDrom files are written and well formed.
func TestBoardTestGradesHandIns(t *testing.T) {
	testenv.SkipIfEmulated(t, "builds the hand-ins natively")
	testenv.SkipIfNoCommand(t, "go")
	files := []string{"../../examples/grading/blink.yaml", "../../examples/grading/blink-green.yaml"}
	for _, c := range []struct {
		student string
		code    int
		want    []string
	}{
		{"student-a", 0, []string{"2 of 2 scenarios passed"}},
		{"student-b", 1, []string{"expected: a toggle every 250ms", "got:      the first toggle at 0.500", "FAIL blink lab, green"}},
	} {
		t.Run(c.student, func(t *testing.T) {
			dir := t.TempDir()
			junit := filepath.Join(dir, "report.xml")
			args := append([]string{"test", "-junit", junit, "-vcd", filepath.Join(dir, "run.vcd"), "-wavedrom", filepath.Join(dir, "run.json")},
				append(files, "../../examples/grading/"+c.student)...)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout.String(), stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("no %q in:\n%s", w, stdout.String())
				}
			}
			b, err := os.ReadFile(junit)
			if err != nil {
				t.Fatal(err)
			}
			var rep junitReport
			if err := xml.Unmarshal(b, &rep); err != nil {
				t.Fatalf("JUnit report: %v\n%s", err, b)
			}
			failures := 0
			for _, s := range rep.Suites {
				failures += s.Failures
				if s.Tests != len(s.Cases) || s.Tests == 0 {
					t.Errorf("suite %q: tests=%d but %d cases", s.Name, s.Tests, len(s.Cases))
				}
			}
			if len(rep.Suites) != 2 || (failures > 0) != (c.code == 1) {
				t.Errorf("JUnit: %d suites, %d failures\n%s", len(rep.Suites), failures, b)
			}
			vcds, _ := filepath.Glob(filepath.Join(dir, "*.vcd"))
			jsons, _ := filepath.Glob(filepath.Join(dir, "*.json"))
			if len(vcds) == 0 || len(jsons) == 0 {
				t.Fatalf("waveforms written: %v %v", vcds, jsons)
			}
			v, _ := os.ReadFile(vcds[0])
			if !bytes.Contains(v, []byte("$enddefinitions")) {
				t.Errorf("%s is not a VCD", vcds[0])
			}
			j, _ := os.ReadFile(jsons[0])
			var wd map[string]any
			if err := json.Unmarshal(j, &wd); err != nil || wd["signal"] == nil {
				t.Errorf("%s is not WaveDrom JSON: %v", jsons[0], err)
			}
		})
	}
}

// A scenario file with a mistake is refused before anything runs, naming
// the line and the step; a missing file and no file at all are usage errors.
func TestBoardTestBadFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nsteps:\n  - name: nonsense\n    expect-period: {led: green, every: soon}\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"test", bad, "blink"}, &stdout, &stderr); code != 2 && code != 1 {
		t.Errorf("bad file: exit %d", code)
	}
	if out := stdout.String() + stderr.String(); !strings.Contains(out, "line 4") {
		t.Errorf("the error does not name the line:\n%s", out)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"test", filepath.Join(dir, "missing.yaml"), "blink"}, &stdout, &stderr); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
	if code := run(context.Background(), []string{"test"}, &stdout, &stderr); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
}

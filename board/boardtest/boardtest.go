// Package boardtest runs a scenario file (package board/scenario) against a
// board program in a Go test, in the same process, on the virtual clock:
// each step is a subtest (t.Run), so `go test -run 'TestX/step_3'` and the
// test output name the step that failed, with what was expected against
// what was got and the last level changes of the parts involved.
//
//	func TestBlink(t *testing.T) {
//		boardtest.Run(t, "testdata/blink.yaml", func(ctx *asyncio.Ctx, sim *board.Sim, con *scenario.Console) error {
//			return asyncMain(ctx, scenario.Lab(sim))
//		})
//	}
package boardtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/board/scenario"
)

// Options changes how Run runs.
type Options struct {
	// VCD, if not empty, is a file the run's waveform is written to, as a
	// VCD, when a step fails: a failing test comes with its timing diagram.
	VCD string
}

// Run runs the scenario file at path against program and reports each
// step as a subtest. It returns the outcome for further checks.
func Run(t *testing.T, path string, program scenario.Program) *scenario.Outcome {
	t.Helper()
	return RunWith(t, path, program, Options{})
}

// RunWith is Run with options.
func RunWith(t *testing.T, path string, program scenario.Program, o Options) *scenario.Outcome {
	t.Helper()
	sc, err := scenario.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := scenario.RunProgram(sc, program)
	if err != nil {
		t.Fatal(err)
	}
	if out.Report.Err != nil {
		t.Fatalf("%s: %v", path, out.Report.Err)
	}
	for _, res := range out.Report.Results {
		t.Run(StepName(res.Step), func(t *testing.T) {
			t.Helper()
			switch res.Status {
			case scenario.Skipped:
				t.Skip("skipped after a failed step")
			case scenario.Failed:
				f := res.Failure
				msg := fmt.Sprintf("%s:%d: %s, at %s–%s\nexpected: %s\ngot:      %s", path, res.Step.Line, res.Step.Title(),
					scenario.FormatTime(res.Start), scenario.FormatTime(res.End), f.Expected, f.Got)
				if len(f.Recent) > 0 {
					msg += "\nrecent changes:\n  " + strings.Join(f.Recent, "\n  ")
				}
				t.Error(msg)
			default:
				if res.Note != "" {
					t.Logf("%s (%s)", scenario.FormatTime(res.End), res.Note)
				}
			}
		})
	}
	if out.ProgramErr != nil {
		t.Errorf("the program failed: %v", out.ProgramErr)
	}
	if !out.Passed() && o.VCD != "" {
		if err := writeVCD(out, o.VCD); err != nil {
			t.Error(err)
		} else {
			t.Logf("waveform in %s", o.VCD)
		}
	}
	return out
}

func writeVCD(out *scenario.Outcome, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := out.Waveform.WriteVCD(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// StepName is the subtest name of a step: its number and title, e.g.
// "3_press_button".
func StepName(s scenario.Step) string {
	return fmt.Sprintf("%d %s", s.Index, s.Title())
}

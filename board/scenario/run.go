package scenario

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
)

// Program is a board program run in the same process as its scenario: it
// runs as the loop's main task on the board sim, and reads and writes its
// serial console con. It ends, like a program's main, when it returns; it
// is cancelled once the scenario has run its last step.
type Program func(ctx *asyncio.Ctx, sim *board.Sim, con *Console) error

// Outcome is the result of RunProgram.
type Outcome struct {
	Report   *Report
	Waveform *wave.Waveform // every level change of the run
	Console  []Line         // what the program printed
	// ProgramErr is the program's error, if it ended with one before the
	// scenario did (being cancelled at the scenario's end is no error).
	ProgramErr error
}

// Passed reports whether every step passed and the program did not fail.
func (o *Outcome) Passed() bool { return o.Report.Passed() && o.ProgramErr == nil }

// Board returns the simulated board a scenario names on loop: the lab board
// or the board file's.
func Board(loop *asyncio.Loop, sc *Scenario) (*board.Sim, error) {
	var spec *board.Spec
	if f := sc.BoardFile(); f != "" {
		var err error
		if spec, err = board.ReadSpecFile(f); err != nil {
			return nil, err
		}
	}
	return board.NewSimFrom(loop, spec)
}

// Lab returns the lecture's lab board as a *board.Lab, for a program
// written against it, if sim has its parts.
func Lab(sim *board.Sim) *board.Lab {
	return &board.Lab{Sim: sim, Red: sim.SimLED("red"), Green: sim.SimLED("green"), Button: sim.SimButton("button")}
}

// RunProgram runs program on the scenario's board on the virtual clock, with
// the scenario played from the start, and returns how it went. Its error is
// for a run that could not start (a board file that cannot be read).
func RunProgram(sc *Scenario, program Program) (*Outcome, error) {
	out := &Outcome{}
	var con *Console
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim, err := Board(ctx.Loop(), sc)
		if err != nil {
			return err
		}
		con = NewConsole(ctx.Loop())
		main := asyncio.CurrentTask(ctx)
		Start(sc, sim, con, func(r *Report) {
			out.Report, out.Waveform = r, sim.Waveform()
			if !r.Ended {
				main.Cancel()
			}
		})
		return program(ctx, sim, con)
	}, asyncio.VirtualClock())
	if out.Report == nil {
		return nil, err
	}
	out.Console = con.Lines()
	if err != nil && !(errors.Is(err, asyncio.ErrCancelled) && !out.Report.Ended) {
		out.ProgramErr = err
	}
	return out, nil
}

// WriteText writes the report as a person reads it: each step with its
// virtual time, and for a failure what was expected against what was got
// and the last changes of the parts involved.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	name := r.Scenario.Name
	if r.Scenario.File != "" {
		name += " (" + r.Scenario.File + ")"
	}
	fmt.Fprintf(&b, "scenario %s\n", name)
	if r.Err != nil {
		fmt.Fprintf(&b, "  ERROR %v\n", strings.ReplaceAll(r.Err.Error(), "\n", "\n        "))
	}
	failed := 0
	for _, res := range r.Results {
		when := FormatTime(res.Start)
		if res.End != res.Start {
			when += "–" + FormatTime(res.End)
		}
		label := map[Status]string{Passed: "ok  ", Failed: "FAIL", Skipped: "skip"}[res.Status]
		if res.Status == Skipped {
			when = ""
		}
		fmt.Fprintf(&b, "  %s %-17s step %d: %s", label, when, res.Step.Index, res.Step.Title())
		if res.Note != "" {
			fmt.Fprintf(&b, " (%s)", res.Note)
		}
		b.WriteByte('\n')
		if f := res.Failure; f != nil {
			failed++
			fmt.Fprintf(&b, "       line %d\n", res.Step.Line)
			fmt.Fprintf(&b, "       expected: %s\n", f.Expected)
			fmt.Fprintf(&b, "       got:      %s\n", f.Got)
			if len(f.Recent) > 0 {
				fmt.Fprintf(&b, "       recent changes:\n")
				for _, c := range f.Recent {
					fmt.Fprintf(&b, "         %s\n", c)
				}
			}
		}
	}
	if r.Ended {
		fmt.Fprintf(&b, "  (the program ended at %s)\n", FormatTime(r.EndedAt))
	}
	switch {
	case r.Passed():
		fmt.Fprintf(&b, "PASS %s: %d steps\n", r.Scenario.Name, len(r.Results))
	case r.Err != nil:
		fmt.Fprintf(&b, "FAIL %s: the scenario does not fit the board\n", r.Scenario.Name)
	default:
		fmt.Fprintf(&b, "FAIL %s: %d of %d steps failed\n", r.Scenario.Name, failed, len(r.Results))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

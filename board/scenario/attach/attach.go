// Package attach plays a scenario on a program's simulated board from
// inside the program, for cmd/board test: importing it (cmd/board test adds
// the import when it builds the program, with go build -overlay) makes the
// program's first simulated board play the scenario file named by the
// environment variable EnvScenario, on the program's own loop and clock, so
// that inputs, waits and expectations happen at exact virtual times. When
// the scenario is over, or the program ends first, it writes its report to
// the directory named by EnvOut (report.txt, report.xml as JUnit, wave.vcd,
// wave.json as WaveDrom, passed or failed) and ends the program.
//
// Without EnvScenario set, importing it changes nothing.
package attach

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/internal/simhook"
	"github.com/goasyncio/asyncio/board/scenario"
	"github.com/goasyncio/asyncio/board/wave"
)

// The environment cmd/board test sets for the program.
const (
	EnvScenario = "ASYNCIO_BOARD_SCENARIO"     // the scenario file
	EnvOut      = "ASYNCIO_BOARD_SCENARIO_OUT" // the directory the reports go to
)

// Files written to the EnvOut directory.
const (
	TextFile     = "report.txt"
	JUnitFile    = "report.xml"
	VCDFile      = "wave.vcd"
	WaveDromFile = "wave.json"
	VerdictFile  = "verdict" // "pass" or "fail"
)

func init() {
	path, out := os.Getenv(EnvScenario), os.Getenv(EnvOut)
	if path == "" || out == "" {
		return
	}
	sc, err := scenario.ReadFile(path)
	if err != nil {
		fail(out, err)
	}
	attached := false
	simhook.Add(func(v any) {
		sim, ok := v.(*board.Sim)
		if !ok || attached {
			return
		}
		attached = true
		if !sim.Loop().Virtual() {
			fail(out, fmt.Errorf("the program's loop is not on the virtual clock (asyncio.VirtualClock): run it with its -virtual flag"))
		}
		scenario.Start(sc, sim, nil, func(r *scenario.Report) {
			if err := write(out, r, sim.Waveform()); err != nil {
				fail(out, err)
			}
			os.Exit(0)
		})
	})
}

func write(dir string, r *scenario.Report, w *wave.Waveform) error {
	var text, junit, vcd, wd bytes.Buffer
	r.WriteText(&text)
	if err := scenario.WriteJUnit(&junit, r.Scenario.Name, r.JUnit()); err != nil {
		return err
	}
	if err := w.WriteVCD(&vcd); err != nil {
		return err
	}
	if err := w.WriteWaveDrom(&wd, wave.WaveDromOptions{}); err != nil {
		return err
	}
	verdict := "fail"
	if r.Passed() {
		verdict = "pass"
	}
	for name, data := range map[string][]byte{TextFile: text.Bytes(), JUnitFile: junit.Bytes(), VCDFile: vcd.Bytes(), WaveDromFile: wd.Bytes(), VerdictFile: []byte(verdict)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fail reports a run that could not play the scenario, and ends the program.
func fail(dir string, err error) {
	os.WriteFile(filepath.Join(dir, TextFile), []byte(fmt.Sprintf("ERROR %v\n", err)), 0o644)
	os.WriteFile(filepath.Join(dir, VerdictFile), []byte("error"), 0o644)
	os.Exit(3)
}

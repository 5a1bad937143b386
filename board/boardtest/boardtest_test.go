package boardtest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/boardtest"
	"github.com/goasyncio/asyncio/board/scenario"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

func blinker(period time.Duration) scenario.Program {
	return func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		red := sim.SimLED("red")
		for {
			red.Toggle()
			if err := asyncio.Sleep(ctx, period); err != nil {
				return err
			}
		}
	}
}

func write(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const scen = `name: red blinks
steps:
  - expect-led: {led: red, state: on}
  - expect-period: {led: red, every: 1s, tolerance: 10ms, for: 3s}
  - press: button
`

func TestRunPasses(t *testing.T) {
	out := boardtest.Run(t, write(t, scen), blinker(time.Second))
	if !out.Passed() || len(out.Report.Results) != 3 {
		t.Errorf("outcome %+v", out.Report)
	}
}

// TestRunFails checks what a failing run gives: the step that fails, the
// rest skipped, the subtest names and the waveform.
func TestRunFails(t *testing.T) {
	path, vcdPath := write(t, scen), filepath.Join(t.TempDir(), "fail.vcd")
	// A failing subtest would fail this test too, so the failing run is
	// checked through the outcome RunWith reports from, and its waveform.
	sc, err := scenario.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := scenario.RunProgram(sc, blinker(1200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	res := out.Report.Results
	if out.Passed() || res[0].Status != scenario.Passed || res[1].Status != scenario.Failed || res[2].Status != scenario.Skipped {
		t.Fatalf("results %+v", res)
	}
	if got := boardtest.StepName(res[1].Step); got != "2 expect LED red to toggle every 1s ± 10ms for 3s" {
		t.Errorf("step name %q", got)
	}
	f, err := os.Create(vcdPath)
	if err != nil {
		t.Fatal(err)
	}
	out.Waveform.WriteVCD(f)
	f.Close()
	r, _ := os.Open(vcdPath)
	defer r.Close()
	w, err := vcd.Read(r)
	if err != nil || len(w.Of("red")) == 0 {
		t.Errorf("waveform: %v, %d red changes", err, len(w.Of("red")))
	}
}

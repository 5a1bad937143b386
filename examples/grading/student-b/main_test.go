package main

import (
	"strings"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/scenario"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

// TestGrade plays the grading scenarios on this student's lab.
func TestGrade(t *testing.T) {
	var text strings.Builder
	passed := true
	for _, f := range []string{"../blink.yaml", "../blink-green.yaml"} {
		sc, err := scenario.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := scenario.RunProgram(sc, func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
			return asyncMain(ctx, scenario.Lab(sim))
		})
		if err != nil {
			t.Fatal(err)
		}
		out.Report.WriteText(&text)
		passed = passed && out.Passed()
	}
	t.Log(text.String())
	if passed || !strings.Contains(text.String(), "got:      the first toggle at 0.500, 500ms after the start") {
		t.Error("the wrong period is not caught with a clear message")
	}
}

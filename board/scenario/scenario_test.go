package scenario_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/scenario"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

// blink is the lecture's blink lab: red every 1 s, green every 0.25 s, for
// 10 s.
func blink(red, green time.Duration) scenario.Program {
	return func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		lab := scenario.Lab(sim)
		for _, b := range []struct {
			p   time.Duration
			led board.LED
		}{{red, lab.Red}, {green, lab.Green}} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					b.led.Toggle()
					if err := asyncio.Sleep(ctx, b.p); err != nil {
						return err
					}
				}
			})
		}
		return asyncio.Sleep(ctx, 10*time.Second)
	}
}

func run(t *testing.T, yaml string, p scenario.Program) (*scenario.Outcome, string) {
	t.Helper()
	sc, err := scenario.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	sc.Name = t.Name()
	out, err := scenario.RunProgram(sc, p)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	out.Report.WriteText(&b)
	return out, b.String()
}

const blinkScenario = `
name: blink
steps:
  - expect-period: {led: red, every: 1s, tolerance: 10ms, for: 10s}
  - expect-no-change: {parts: [red, green], for: 1ms}
`

func TestBlink(t *testing.T) {
	out, text := run(t, blinkScenario, blink(time.Second, 250*time.Millisecond))
	if !out.Passed() {
		t.Fatalf("failed:\n%s", text)
	}
	t.Log(text)
}

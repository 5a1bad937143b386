package scenario_test

import (
	"fmt"
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

// device is a program that uses every kind of step: red follows the button
// (polled every 20 ms), green blinks every 250 ms, and each console line
// "ping" is answered "pong <ms>".
func device(ctx *asyncio.Ctx, sim *board.Sim, con *scenario.Console) error {
	lab := scenario.Lab(sim)
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		for {
			lab.Green.Toggle()
			if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
				return err
			}
		}
	})
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		for {
			line, err := con.ReadLine(ctx)
			if err != nil {
				return err
			}
			if line == "ping" {
				fmt.Fprintf(con, "pong %d\n", ctx.Loop().Time().Milliseconds())
			} else {
				fmt.Fprintf(con, "what is %q?\n", line)
			}
		}
	})
	fmt.Fprintln(con, "ready")
	for {
		lab.Red.Set(lab.Button.Pressed())
		if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

func TestEveryStep(t *testing.T) {
	for _, c := range []struct {
		name, steps string
		fail        string // "" for a pass; else text the report must hold
	}{
		{"press", "- press: button\n- delay: 25ms\n- expect-led: {led: red, state: on}", ""},
		{"release", "- press: button\n- delay: 25ms\n- release: button\n- delay: 25ms\n- expect-led: {led: red, state: off}", ""},
		{"hold", "- hold: {button: button, for: 100ms}\n- expect-led: {led: red, state: on}\n- delay: 20ms\n- expect-led: {led: red, state: off}", ""},
		{"set-pin", "- set-pin: {pin: button, level: low}\n- wait-led: {led: red, state: on, timeout: 20ms}\n- set-pin: {pin: button, level: float}\n- wait-led: {led: red, state: off, timeout: 20ms}", ""},
		{"type", "- type: ping\n- wait-serial: {match: '^pong \\d+$', timeout: 1ms}", ""},
		{"delay", "- delay: 1.5\n- expect-led: {led: green, state: off}", ""},
		{"wait-pin", "- wait-pin: {pin: green, level: 1, timeout: 300ms}", ""},
		{"wait-pin timeout", "- wait-pin: {pin: red, level: 0, timeout: 300ms}", "expected: red 0 within 300ms\n       got:      red still 1 at 0.300"},
		{"wait-led", "- press: button\n- wait-led: {led: red, state: on, timeout: 20ms}", ""},
		{"wait-led timeout", "- wait-led: {led: red, state: on, timeout: 1s}", "got:      red still off at 1.000"},
		{"wait-serial", "- wait-serial: {text: ready, timeout: 1ms}", ""},
		{"wait-serial timeout", "- type: hello\n- wait-serial: {text: pong, timeout: 100ms}", `expected: a line "pong" within 100ms` + "\n" + `       got:      lines 0.000 "ready", 0.000 "what is \"hello\"?"`},
		{"expect-pin", "- expect-pin: {pin: red, level: high}", ""},
		{"expect-pin fails", "- expect-pin: {pin: red, level: 0}", "expected: red 0\n       got:      red 1"},
		{"expect-led fails", "- delay: 260ms\n- expect-led: {led: green, state: on}", "expected: green on\n       got:      green off\n       recent changes:\n         0.000 green 0 (on)\n         0.250 green 1 (off)"},
		{"expect-period every", "- expect-period: {led: green, every: 250ms, tolerance: 1ms, for: 2s}", ""},
		{"expect-period period", "- expect-period: {pin: green, period: 500ms, tolerance: 1ms, for: 2s}", ""},
		{"expect-period wrong", "- expect-period: {led: green, every: 200ms, tolerance: 10ms, for: 2s}", "got:      the first toggle at 0.250, 250ms after the start"},
		{"expect-period none", "- expect-period: {led: red, every: 1s, tolerance: 10ms, for: 2s}", "got:      no toggle"},
		{"expect-duty", "- expect-duty: {led: green, duty: 50, tolerance: 0.1, for: 2s}", ""},
		{"expect-duty wrong", "- expect-duty: {led: red, duty: 50%, tolerance: 5, for: 1s}", "got:      0.00% (0s of 1s)"},
		{"expect-response", "- delay: 5ms\n- press: button\n- expect-response: {led: red, state: on, within: 20ms}", ""},
		{"expect-response slow", "- delay: 5ms\n- press: button\n- expect-response: {led: red, state: on, within: 10ms}", "got:      red still off at 0.015"},
		{"expect-response late", "- delay: 5ms\n- press: button\n- delay: 50ms\n- expect-response: {led: red, state: on, within: 10ms}", "got:      after 15ms, at 0.020"},
		{"expect-response no input", "- expect-response: {led: red, state: on, within: 10ms}", "expected: an input step before it"},
		{"expect-serial", "- type: ping\n- delay: 1ms\n- expect-serial: {text: ready}\n- expect-serial: {match: pong}", ""},
		{"expect-serial fails", "- expect-serial: {text: pong}", `got:      lines 0.000 "ready"`},
		{"expect-no-change", "- delay: 1ms\n- expect-no-change: {part: red, for: 1s}", ""},
		{"expect-no-change fails", "- delay: 1ms\n- expect-no-change: {for: 1s}", "expected: no change for 1s from 0.001\n       got:      green turned off at 0.250"},
		{"skipped after a failure", "- expect-pin: {pin: red, level: 0}\n- press: button", "skip                   step 2: press button"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, text := run(t, "steps:\n"+indent(c.steps), device)
			if c.fail == "" {
				if !out.Passed() {
					t.Fatalf("failed:\n%s", text)
				}
				return
			}
			if out.Passed() {
				t.Fatalf("passed, want a failure:\n%s", text)
			}
			if !strings.Contains(text, c.fail) {
				t.Errorf("report lacks %q:\n%s", c.fail, text)
			}
		})
	}
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func TestBadFiles(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"", "empty file"},
		{"- press: button", "line 1: want a mapping with name, board and steps"},
		{"name: x\nsteps: 3", "line 2: steps: want a list"},
		{"name: x", "no steps"},
		{"name: x\ncolour: red\nsteps: []", `line 2: unknown field "colour"`},
		{"steps:\n  - press: button\n  - presss: button", `line 3: step 2: unknown step "presss"`},
		{"steps:\n  - press: button\n    release: button", `line 3: step 1: "press" and "release" in one step`},
		{"steps:\n  - wait-pin: {pin: red, level: 2, timeout: 1s}", `line 2: step 1 (wait-pin): level "2": want 0, 1, low or high`},
		{"steps:\n  - wait-pin: {pin: red, level: 1}", "line 2: step 1 (wait-pin): timeout is missing"},
		{"steps:\n  - delay: soon", `line 2: step 1 (delay): for: "soon" is not a time`},
		{"steps:\n  - delay: -1s", `negative time "-1s"`},
		{"steps:\n  - expect-led: {led: red, state: dim}", `state "dim": want on or off`},
		{"steps:\n  - expect-period: {led: red, tolerance: 1ms, for: 1s}", "give one of every (between toggles) or period"},
		{"steps:\n  - expect-period: {led: red, pin: red, every: 1s, tolerance: 1ms, for: 1s}", "led and pin: name one part"},
		{"steps:\n  - expect-duty: {led: red, duty: 150, tolerance: 1, for: 1s}", `duty "150": want a percentage`},
		{"steps:\n  - expect-serial: {match: '('}", "match: error parsing regexp"},
		{"steps:\n  - expect-serial: {text: a, match: b}", "text and match: give one"},
		{"steps:\n  - expect-no-change: {for: 0s}", "for must be more than 0"},
		{"steps:\n  - hold: button", "want a mapping of its fields, e.g. {hold: {button: button, for: 400ms}}"},
		{"steps:\n  - press: {button: b, colour: red}", `line 2: step 1 (press): unknown field "colour"`},
		{"steps:\n  - {}", "line 2: step 1: want a mapping"},
		{"steps:\n  - press: [", "scenario: yaml:"},
	} {
		_, err := scenario.Parse([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.yaml, err, c.want)
		}
	}
	// Every problem is reported, not only the first.
	_, err := scenario.Parse([]byte("steps:\n  - presss: a\n  - delay: x\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v, want lines 2 and 3", err)
	}
}

func TestPartsTheBoardLacks(t *testing.T) {
	out, text := run(t, "steps:\n  - press: knob\n  - expect-led: {led: button, state: on}\n  - expect-pin: {pin: blue, level: 1}", device)
	if out.Passed() {
		t.Fatal("passed")
	}
	for _, want := range []string{
		`line 2: step 1 (press): the board has no button "knob" (its parts: red, green, button)`,
		`line 3: step 2 (expect-led): the board has no LED "button"`,
		`line 4: step 3 (expect-pin): the board has no part "blue"`,
		"FAIL TestPartsTheBoardLacks: the scenario does not fit the board",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestAfterTheProgramEnds(t *testing.T) {
	out, text := run(t, "steps:\n  - delay: 11s\n  - expect-led: {led: red, state: off}\n  - press: button", blink(time.Second, 250*time.Millisecond))
	if out.Passed() || !out.Report.Ended || out.Report.EndedAt != 10*time.Second {
		t.Fatalf("passed or did not end at 10 s:\n%s", text)
	}
	if !strings.Contains(text, "expected: to press button\n       got:      the program ended at 10.000") {
		t.Errorf("report:\n%s", text)
	}
	// A wait the program's end leaves unmet fails at its timeout.
	_, text = run(t, "steps:\n  - wait-led: {led: red, state: on, timeout: 20s}", func(ctx *asyncio.Ctx, sim *board.Sim, _ *scenario.Console) error {
		return asyncio.Sleep(ctx, time.Second)
	})
	if !strings.Contains(text, "got:      red still off at 20.000 (the program ended at 1.000)") {
		t.Errorf("report:\n%s", text)
	}
}

func TestWrongBlinkPeriod(t *testing.T) {
	out, text := run(t, blinkScenario+"  - expect-period: {led: green, every: 250ms, tolerance: 10ms, for: 1s}\n", blink(time.Second, 250*time.Millisecond))
	if out.Passed() {
		t.Fatalf("passed after the program ended:\n%s", text)
	}
	out, text = run(t, blinkScenario, blink(1100*time.Millisecond, 250*time.Millisecond))
	if out.Passed() || !strings.Contains(text, "got:      the first toggle at 1.100, 1.1s after the start") {
		t.Fatalf("report:\n%s", text)
	}
}

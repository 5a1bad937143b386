package primitives_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/primitives"
)

// keyMatrix is a key matrix wired as micropython-async's: a row selected
// by driving it low, columns with pull-ups. Each key is a simulated button
// with contact bounce: a column reads low when a key of the selected row
// on it has its contacts closed.
type keyMatrix struct {
	keys     [][]*board.SimButton // [row][col]
	selected []bool               // rows driven low
}

func newKeyMatrix(loop *asyncio.Loop, rows, cols int) *keyMatrix {
	sim := board.NewSim(loop)
	m := &keyMatrix{selected: make([]bool, rows)}
	for r := range rows {
		var row []*board.SimButton
		for c := range cols {
			k := sim.AddButton(fmt.Sprintf("k%d%d", r, c))
			k.SetBounce(board.Bounce{Duration: 5 * ms, Seed: uint64(r*cols + c + 1)})
			row = append(row, k)
		}
		m.keys = append(m.keys, row)
	}
	return m
}

type rowPin struct {
	m *keyMatrix
	r int
}

func (p rowPin) Set(high bool) { p.m.selected[p.r] = !high }

type colPin struct {
	m *keyMatrix
	c int
}

func (p colPin) Get() bool {
	for r, sel := range p.m.selected {
		if sel && p.m.keys[r][p.c].Pressed() {
			return false
		}
	}
	return true
}

func (m *keyMatrix) pins() ([]primitives.OutputPin, []board.Input) {
	var rows []primitives.OutputPin
	var cols []board.Input
	for r := range m.keys {
		rows = append(rows, rowPin{m, r})
	}
	for c := range m.keys[0] {
		cols = append(cols, colPin{m, c})
	}
	return rows, cols
}

func TestKeyboard(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		m := newKeyMatrix(ctx.Loop(), 4, 3) // a telephone keypad
		m.keys[0][0].PressAt(1003 * ms)     // "1"
		m.keys[0][0].ReleaseAt(1203 * ms)
		m.keys[1][1].PressAt(1503 * ms) // "5", held...
		m.keys[3][2].PressAt(1603 * ms) // ...while "#" is pressed: both count
		m.keys[3][2].ReleaseAt(1703 * ms)
		m.keys[1][1].ReleaseAt(2003 * ms)
		for i := range 12 { // more than the buffer holds: the oldest are lost
			m.keys[3][1].PressAt(time.Duration(3003+100*i) * ms)
			m.keys[3][1].ReleaseAt(time.Duration(3053+100*i) * ms)
		}
		rows, cols := m.pins()
		kb := primitives.NewKeyboard(rows, cols, primitives.MatrixConfig{Buffer: 3})
		kb.Start(ctx)
		const chars = "123456789*0#"
		for code, err := range kb.All(ctx) {
			if err != nil {
				return err
			}
			rec.fn(fmt.Sprintf("%c pressed %v", chars[code], kb.Pressed(code)))()
			if code == 11 {
				break
			}
		}
		asyncio.Sleep(ctx, 3*time.Second)
		for range 3 {
			code, _ := kb.GetNowait()
			rec.fn(string(chars[code]))()
		}
		if !kb.Empty() || kb.Pressed(-1) || kb.Pressed(12) {
			t.Error("more queued, or Pressed out of range")
		}
		return nil
	})
	want := []string{"1.050 1 pressed true", "1.550 5 pressed true", "1.650 # pressed true", "4.650 0", "4.650 0", "4.650 0"}
	if got := rec.String(); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestSwArray(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  primitives.SwArrayConfig
		want string
	}{
		{"close and open", primitives.SwArrayConfig{},
			"1.050 0 close\n1.150 0 open\n1.250 0 close\n1.350 0 open\n1.550 3 close\n2.050 1 close\n3.550 1 open\n3.650 3 open"},
		{"everything", primitives.SwArrayConfig{Report: primitives.SwClose | primitives.SwOpen | primitives.SwLong | primitives.SwDouble},
			"1.050 0 close\n1.150 0 open\n1.250 0 close\n1.250 0 double\n1.350 0 open\n1.550 3 close\n2.050 1 close\n2.550 3 long\n3.050 1 long\n3.550 1 open\n3.650 3 open"},
		{"suppressed", primitives.SwArrayConfig{Report: primitives.SwClose | primitives.SwOpen | primitives.SwLong | primitives.SwDouble, Suppress: true},
			"1.250 0 double\n1.350 0 open\n2.550 3 long\n3.050 1 long\n3.550 1 open\n3.650 3 open"},
		{"long only, per-instance timing", primitives.SwArrayConfig{Report: primitives.SwLong, LongPress: 2 * time.Second},
			"3.550 3 long"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
				m := newKeyMatrix(ctx.Loop(), 2, 2)
				for _, at := range []time.Duration{1003, 1203} { // a double click on 0
					m.keys[0][0].PressAt(at * ms)
					m.keys[0][0].ReleaseAt((at + 100) * ms)
				}
				m.keys[1][1].PressAt(1503 * ms) // long presses on 3 and 1, overlapping
				m.keys[0][1].PressAt(2003 * ms)
				m.keys[0][1].ReleaseAt(3503 * ms)
				m.keys[1][1].ReleaseAt(3603 * ms)
				rows, cols := m.pins()
				a := primitives.NewSwArray(rows, cols, c.cfg)
				task := a.Start(ctx)
				asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
					for e, err := range a.All(ctx) {
						if err != nil {
							return err
						}
						rec.fn(fmt.Sprintf("%d %v", e.Code, e.Kind))()
					}
					return nil
				})
				asyncio.Sleep(ctx, 3*time.Second)
				if !a.Closed(3) || a.Closed(0) || a.Closed(9) {
					t.Error("Closed at 3 s")
				}
				asyncio.Sleep(ctx, 2*time.Second)
				task.Cancel()
				return asyncio.Sleep(ctx, time.Second)
			})
			if got := rec.String(); got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// A Keyboard over a telephone keypad (4 rows, 3 columns; newKeyMatrix
// above stands for the keypad and its pins): keys are ranged over as they
// are pressed.
func ExampleKeyboard() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		keypad := newKeyMatrix(ctx.Loop(), 4, 3)
		for i, k := range []*board.SimButton{keypad.keys[0][1], keypad.keys[3][1], keypad.keys[3][2]} { // 2, 0, #
			k.PressAt(time.Duration(1003+300*i) * time.Millisecond)
			k.ReleaseAt(time.Duration(1103+300*i) * time.Millisecond)
		}
		rows, cols := keypad.pins()
		kb := primitives.NewKeyboard(rows, cols, primitives.MatrixConfig{})
		kb.Start(ctx)
		const chars = "123456789*0#"
		for code, err := range kb.All(ctx) {
			if err != nil {
				return err
			}
			fmt.Println(ctx.Loop().Time(), string(chars[code]))
			if chars[code] == '#' {
				return nil
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.05s 2
	// 1.35s 0
	// 1.65s #
}

// A SwArray reports each key's long presses and double clicks.
func ExampleSwArray() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		keys := newKeyMatrix(ctx.Loop(), 2, 2)
		keys.keys[0][0].PressAt(1003 * time.Millisecond) // key 0: a long press
		keys.keys[0][0].ReleaseAt(2503 * time.Millisecond)
		keys.keys[1][0].PressAt(3003 * time.Millisecond) // key 2: a double click
		keys.keys[1][0].ReleaseAt(3103 * time.Millisecond)
		keys.keys[1][0].PressAt(3203 * time.Millisecond)
		keys.keys[1][0].ReleaseAt(3303 * time.Millisecond)
		rows, cols := keys.pins()
		a := primitives.NewSwArray(rows, cols, primitives.SwArrayConfig{Report: primitives.SwLong | primitives.SwDouble})
		a.Start(ctx)
		for range 2 {
			e, err := a.Get(ctx)
			if err != nil {
				return err
			}
			fmt.Println(ctx.Loop().Time(), "key", e.Code, e.Kind)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2.05s key 0 long
	// 3.25s key 2 double
}

package tui

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/view"
)

func (f *fakeSession) Set(name, field string, v int) error {
	return f.call("set %s %s %d", name, field, v)
}

// pixels encodes a picture of w×h pixels with those at xy lit, as the
// board sends it.
func pixels(w, h int, xy ...[2]int) string {
	data := make([]byte, (w*h+7)/8)
	for _, p := range xy {
		i := p[1]*w + p[0]
		data[i/8] |= 0x80 >> (i % 8)
	}
	return base64.StdEncoding.EncodeToString(data)
}

// thermostatState is the thermostat lab's board with a picture on its
// display: a frame around the panel and a dot at 10, 20.
func thermostatState() view.State {
	var lit [][2]int
	for x := range 128 {
		lit = append(lit, [2]int{x, 0}, [2]int{x, 63})
	}
	for y := 1; y < 63; y++ {
		lit = append(lit, [2]int{0, y}, [2]int{127, y})
	}
	lit = append(lit, [2]int{10, 20})
	return view.State{
		Board: "thermostat", Run: 1, Speed: 1, Paused: true, Running: true,
		Parts: []view.PartState{
			{Name: "heater", Kind: "led", Colour: "red"},
			{Name: "button", Kind: "button", ActiveLow: true, Level: 1},
			{Name: "knob", Kind: "potentiometer", Width: 16, Level: 0x8000},
			{Name: "i2c0", Kind: "i2c"},
			{Name: "env", Kind: "bme280", Level: 21300},
			{Name: "oled", Kind: "ssd1306", Width: 128, Height: 64, Pixels: pixels(128, 64, lit...)},
		},
		Console: []view.ConsoleLine{{Stream: view.Stdout, Text: "0.000 display --.- SET 20.0°C HEAT OFF"}},
	}
}

func TestPictureInBlocks(t *testing.T) {
	pic, ok := pictureOf(view.PartState{Width: 4, Height: 4, Pixels: pixels(4, 4, [2]int{0, 0}, [2]int{3, 0}, [2]int{2, 1}, [2]int{0, 2}, [2]int{1, 3}, [2]int{2, 2}, [2]int{3, 3})})
	if !ok {
		t.Fatal("the picture does not decode")
	}
	// Rows 0-1: ▘ (0,0); then (3,0) top right and (2,1) bottom left: ▞.
	// Rows 2-3: (0,2) top left and (1,3) bottom right: ▚; (2,2) and
	// (3,3): ▚.
	if got, want := pic.quadrantRows(), []string{"▘▞", "▚▚"}; !slices.Equal(got, want) {
		t.Errorf("quadrants %q, want %q", got, want)
	}
	// Braille, one cell of two columns by four rows each.
	// Left cell: (0,0) dot 1, (0,2) dot 3, (1,3) dot 8: 0x01|0x04|0x80.
	// Right cell: (3,0) dot 4, (2,1) dot 2, (2,2) dot 3, (3,3) dot 8.
	if got, want := pic.brailleRows(), []string{string([]rune{0x2800 + 0x85, 0x2800 + 0x08 + 0x02 + 0x04 + 0x80})}; !slices.Equal(got, want) {
		t.Errorf("Braille %q, want %q", got, want)
	}
	// An empty cell is a space; a picture of odd size ends in half cells.
	pic, _ = pictureOf(view.PartState{Width: 3, Height: 3, Pixels: pixels(3, 3, [2]int{2, 2})})
	if got, want := pic.quadrantRows(), []string{"  ", " ▘"}; !slices.Equal(got, want) {
		t.Errorf("quadrants of 3×3 %q, want %q", got, want)
	}
	for _, p := range []view.PartState{
		{Width: 128, Height: 64},
		{Width: 128, Height: 64, Pixels: "not base64!"},
		{Width: 128, Height: 64, Pixels: pixels(8, 8)},
	} {
		if _, ok := pictureOf(p); ok {
			t.Errorf("%+v decodes", p)
		}
	}
}

// The display is drawn in quadrants where the terminal has room, in
// Braille where it has less, and named where it has too little; the
// console keeps two rows.
func TestDisplayInTheTerminal(t *testing.T) {
	st := thermostatState()
	pic, _ := pictureOf(st.Parts[5])
	for _, c := range []struct {
		w, h  int
		title string
		rows  []string
	}{
		{100, 50, "── display oled, 128×64 ─", pic.quadrantRows()},
		{80, 40, "── display oled, 128×64 in Braille ─", pic.brailleRows()},
		{80, 24, "── display oled: 8 rows more show it ─", nil},
	} {
		m := newTestModel(t, newFake(st), c.w, c.h)
		lines := screen(m)
		if len(lines) != c.h {
			t.Errorf("%d×%d: %d lines", c.w, c.h, len(lines))
		}
		for i, l := range lines {
			if ansi.StringWidth(l) > c.w {
				t.Errorf("%d×%d: line %d is %d wide", c.w, c.h, i, ansi.StringWidth(l))
			}
		}
		at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, c.title) })
		if at < 0 {
			t.Errorf("%d×%d: no line %q:\n%s", c.w, c.h, c.title, strings.Join(lines, "\n"))
			continue
		}
		if got := lines[at+1 : at+1+len(c.rows)]; !slices.Equal(got, c.rows) {
			t.Errorf("%d×%d: the display is\n%s\nwant\n%s", c.w, c.h, strings.Join(got, "\n"), strings.Join(c.rows, "\n"))
		}
		con := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "── console") })
		if con != at+1+len(c.rows) {
			t.Errorf("%d×%d: the console's rule is at row %d, want it under the display", c.w, c.h, con)
		}
		line(t, lines, "  0.000 display --.- SET 20.0°C HEAT OFF")
	}
	// The frame's corners and the dot, in quadrants: the top left cell has
	// both top pixels and the bottom left one; the dot at 10, 20 is the top
	// left pixel of the cell at column 5, row 10.
	q := pic.quadrantRows()
	if r := []rune(q[0]); r[0] != '▛' || r[63] != '▜' {
		t.Errorf("the top corners are %q and %q, want ▛ and ▜", r[0], r[63])
	}
	if r := []rune(q[31]); r[0] != '▙' || r[63] != '▟' {
		t.Errorf("the bottom corners are %q and %q, want ▙ and ▟", r[0], r[63])
	}
	if r := []rune(q[10]); r[5] != '▘' {
		t.Errorf("the dot's cell is %q, want ▘", r[5])
	}
}

// The parts' rows: the knob's travel and the sensor's temperature, with
// their keys; the bus, the display and the sensor draw no wave.
func TestKnobAndSensorRows(t *testing.T) {
	m := newTestModel(t, newFake(thermostatState()), 100, 50)
	lines := screen(m)
	for _, want := range []string{"←→  knob   50%", "↑↓  env    21.3°", "←→ knob  ↑↓ temp  q quit"} {
		line(t, lines, want)
	}
	// On a narrow screen the help leaves them out, for the rows show them.
	lines = screen(newTestModel(t, newFake(thermostatState()), 80, 24))
	line(t, lines, "r restart  i type  q quit")
	line(t, lines, "←→  knob   50%")
	for _, name := range []string{"i2c0", "env", "oled"} {
		l := line(t, lines, " "+name+" ")
		if strings.ContainsAny(l, "▁▔│─") {
			t.Errorf("%s has a wave: %q", name, l)
		}
	}
}

// The arrows turn the knob a twentieth of its travel a press and set the
// temperature in half degrees, within their ranges.
func TestKnobAndSensorKeys(t *testing.T) {
	f := newFake(thermostatState())
	m := newTestModel(t, f, 100, 50)
	press := func(code rune) { m.Update(tea.KeyPressMsg{Code: code}) }
	press(tea.KeyRight)
	press(tea.KeyRight)
	press(tea.KeyLeft)
	press(tea.KeyUp)
	press(tea.KeyUp)
	press(tea.KeyDown)
	want := []string{
		"set knob  36045", "set knob  39322", "set knob  36045",
		"set env temperature 21500", "set env temperature 22000", "set env temperature 21500",
	}
	if got := f.takeCalls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	// At the ends of their ranges.
	f.set(func(st *view.State) { st.Parts[2].Level, st.Parts[4].Level = 0xff00, 84800 })
	m.Update(updateMsg{})
	press(tea.KeyRight)
	press(tea.KeyUp)
	press(tea.KeyUp)
	f.set(func(st *view.State) { st.Parts[2].Level, st.Parts[4].Level = 100, -39800 })
	m.Update(updateMsg{})
	press(tea.KeyLeft)
	press(tea.KeyDown)
	press(tea.KeyDown)
	want = []string{
		"set knob  65535", "set env temperature 85000", "set env temperature 85000",
		"set knob  0", "set env temperature -40000", "set env temperature -40000",
	}
	if got := f.takeCalls(); !slices.Equal(got, want) {
		t.Errorf("calls at the ends %q, want %q", got, want)
	}
	// A board without them says so.
	f = newFake(labState())
	m = newTestModel(t, f, 80, 24)
	m.Update(tea.KeyPressMsg{Code: tea.KeyRight})
	line(t, screen(m), "key right: the board has no potentiometer")
	if calls := f.takeCalls(); len(calls) != 0 {
		t.Errorf("calls %q", calls)
	}
}

func TestSnap(t *testing.T) {
	for _, c := range []struct{ v, step, want int }{
		{21300, 500, 21500}, {21500, 500, 22000}, {21300, -500, 21000}, {21000, -500, 20500},
		{-300, 500, 0}, {-300, -500, -500}, {-500, -500, -1000}, {0, 500, 500},
	} {
		if got := snap(c.v, c.step); got != c.want {
			t.Errorf("snap(%d, %d) = %d, want %d", c.v, c.step, got, c.want)
		}
	}
}

//go:build linux || darwin || freebsd

package tui_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
)

const thermostatPkg = "github.com/goasyncio/asyncio/examples/thermostat"

// braille draws a display's picture as the Session has it, two pixels by
// four a character, each row without its trailing blanks.
func braille(t *testing.T, s *view.Session, name string) []string {
	t.Helper()
	var p view.PartState
	for _, q := range s.State().Parts {
		if q.Name == name {
			p = q
		}
	}
	data, err := base64.StdEncoding.DecodeString(p.Pixels)
	if err != nil || p.Width != 128 || p.Height != 64 || len(data) != 1024 {
		t.Fatalf("%s's picture: %d×%d, %d bytes, %v", name, p.Width, p.Height, len(data), err)
	}
	lit := func(x, y int) bool { i := y*128 + x; return data[i/8]&(0x80>>(i%8)) != 0 }
	dots := [4][2]rune{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}
	var rows []string
	for y := 0; y < 64; y += 4 {
		var row []rune
		for x := 0; x < 128; x += 2 {
			r := rune(0)
			for dy := range 4 {
				for dx := range 2 {
					if lit(x+dx, y+dy) {
						r |= dots[dy][dx]
					}
				}
			}
			if r == 0 {
				row = append(row, ' ')
			} else {
				row = append(row, 0x2800+r)
			}
		}
		rows = append(rows, strings.TrimRight(string(row), " "))
	}
	return rows
}

// displayRows returns the 16 rows under the display's rule on the screen,
// without their trailing blanks.
func displayRows(lines []string) []string {
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "── display oled, 128×64 in Braille") })
	if i < 0 || i+17 > len(lines) {
		return nil
	}
	var rows []string
	for _, l := range lines[i+1 : i+17] {
		rows = append(rows, strings.TrimRight(l, " "))
	}
	return rows
}

func level(s *view.Session, name string) int {
	for _, p := range s.State().Parts {
		if p.Name == name {
			return p.Level
		}
	}
	return -1
}

// TestThermostatLabInATerminal shows the thermostat lab's OLED in Braille
// as the driver drew it, turns the knob with → and sees the set point
// change on the display, and raises the temperature with ↑.
func TestThermostatLabInATerminal(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, thermostatPkg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startSession(t, view.Config{Program: []string{bin, "-virtual", "-for", "10m"}, Paused: true})
	term := newTerminal(t, 80, 52) // room for the display in Braille beside the lab's task lanes
	wait := runView(t, ctx, term, s)

	has := func(lines []string, s string) bool { return strings.Contains(strings.Join(lines, "\n"), s) }
	row := func(lines []string, name string) partRow { r, _ := findRow(lines, name); return r }
	term.waitScreen("the first picture", func(lines []string) bool {
		return has(lines, "0.000 display --.- SET 20.0°C HEAT OFF") && displayRows(lines) != nil
	})
	// Step to the first reading: the display shows it as the Session has it.
	term.typeText(".")
	lines := term.waitScreen("the first reading", func(lines []string) bool {
		return has(lines, "1.000 display 18.0°C SET 20.0°C HEAT ON") && row(lines, "knob").value == "50%"
	})
	want := braille(t, s, "oled")
	lines = term.waitScreen("the display as the Session has it", func(lines []string) bool { return slices.Equal(displayRows(lines), want) })
	lit := 0
	for _, r := range displayRows(lines) {
		lit += len(strings.Fields(r))
	}
	if lit < 10 {
		t.Fatalf("the display is nearly blank:\n%s", strings.Join(displayRows(lines), "\n"))
	}
	if r := row(lines, "knob"); r.lamp != "←→" {
		t.Errorf("the knob's row is %+v, want its keys ←→", r)
	}

	// → twice: the knob turns a tenth of its travel, to 60%, and the set
	// point follows at the knob's next reading: 22 °C.
	term.typeText("\x1b[C\x1b[C")
	term.waitScreen("the knob at 60%", func(lines []string) bool { return row(lines, "knob").value == "60%" })
	if got := level(s, "knob"); got != 0x8000+2*3277 {
		t.Errorf("the knob is at %d, want %d", got, 0x8000+2*3277)
	}
	term.typeText(".")
	term.waitScreen("the new set point", func(lines []string) bool { return has(lines, "SET 22.0°C HEAT ON") })
	if slices.Equal(want, braille(t, s, "oled")) {
		t.Fatal("the display's picture did not change with the set point")
	}
	// The screen follows the Session's picture, which the lab may redraw
	// meanwhile: compare with the picture as it is when the screen is read.
	term.waitScreen("the display with the new set point", func(lines []string) bool {
		return slices.Equal(displayRows(lines), braille(t, s, "oled"))
	})

	// ↑: the room's temperature goes up to the next half degree.
	before := level(s, "env")
	up := (before/500 + 1) * 500
	term.typeText("\x1b[A")
	term.waitScreen("the sensor warmer", func(lines []string) bool {
		return row(lines, "env").value == fmt.Sprintf("%.1f°", float64(up)/1000)
	})
	if got := level(s, "env"); got != up {
		t.Errorf("↑ took the sensor from %d to %d m°C, want to %d", before, got, up)
	}

	settle(term)
	term.typeText("q")
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkRestored(t, term)
}

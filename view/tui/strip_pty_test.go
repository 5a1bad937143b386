//go:build linux || darwin || freebsd

package tui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
)

const stripPkg = "github.com/goasyncio/asyncio/examples/strip"

// stripLEDs returns the strip's row on the screen: its LEDs' glyphs, and
// the row and column of the first.
func stripLEDs(lines []string) (leds string, y, x int) {
	for y, l := range lines {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "strip" {
			i := strings.Index(l, f[1])
			return f[1], y, len([]rune(l[:i]))
		}
	}
	return "", -1, -1
}

// glyphs is the strip's row as the Session's colours draw it.
func glyphs(s *view.Session) string {
	var b strings.Builder
	for _, p := range s.State().Parts {
		if p.Name != "strip" {
			continue
		}
		for _, c := range p.Colours {
			if c == "#000000" {
				b.WriteString("○")
			} else {
				b.WriteString("●")
			}
		}
	}
	return b.String()
}

// TestStripLabInATerminal shows the strip lab's LEDs in their row, lit
// where the Session's strip is, the comet's head in red; a step moves the
// comet on.
func TestStripLabInATerminal(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, stripPkg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startSession(t, view.Config{Program: []string{bin, "-virtual", "-for", "10m"}, Paused: true})
	term := newTerminal(t, 80, 30)
	wait := runView(t, ctx, term, s)

	want := "●○○○○○●●" // the head at 0, its tail at 7 and 6
	lines := term.waitScreen("the strip at 0", func(lines []string) bool { leds, _, _ := stripLEDs(lines); return leds == want })
	if got := glyphs(s); got != want {
		t.Errorf("the Session's strip draws %s, want %s", got, want)
	}
	_, y, x := stripLEDs(lines)
	term.mu.Lock()
	head, off := term.emu.CellAt(x, y), term.emu.CellAt(x+1, y)
	term.mu.Unlock()
	if head == nil || head.Style.Fg == nil || off == nil {
		t.Fatalf("no cells at the strip's row %d, column %d", y, x)
	}
	r, g, b, _ := head.Style.Fg.RGBA()
	if r>>8 < 0xc0 || g>>8 > 0x40 || b>>8 > 0x40 {
		t.Errorf("the comet's head is drawn in %04x %04x %04x, want red", r, g, b)
	}
	if off.Style.Fg != nil {
		if r, _, _, _ := off.Style.Fg.RGBA(); r>>8 >= 0xc0 {
			t.Errorf("an LED that is out is drawn as brightly as the head: %v", off.Style.Fg)
		}
	}

	// A step runs to the comet's next move.
	term.typeText(".")
	term.waitScreen("the comet a step on", func(lines []string) bool { leds, _, _ := stripLEDs(lines); return leds == "●●○○○○○●" })

	settle(term)
	term.typeText("q")
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkRestored(t, term)
}

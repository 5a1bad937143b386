package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/view"
)

// The strip's row shows its LEDs where a pin's wave would be: lit ones in
// their colours, and "…" for those beyond the row.
func TestStripRow(t *testing.T) {
	st := labState()
	st.Parts = append(st.Parts,
		view.PartState{Name: "spi0", Kind: "spi"},
		view.PartState{Name: "strip", Kind: "ws2812", Width: 4, Colours: []string{"#ff0000", "#000000", "#00ff00", "#0000ff"}},
	)
	m := newTestModel(t, newFake(st), 80, 24)
	row := line(t, screen(m), " strip ")
	if f := strings.Fields(row); len(f) != 2 || f[0] != "strip" || f[1] != "●○●●" {
		t.Errorf("the strip's row %q, want its name and ●○●●", row)
	}
	if f := strings.Fields(line(t, screen(m), " spi0 ")); len(f) != 1 {
		t.Errorf("the bus's row has %q, want its name alone", f)
	}
	raw := m.View().Content
	for _, want := range []string{"0;0;255", "0;255;0", "255;0;0"} { // the LEDs' colours, in true colour
		if !strings.Contains(raw, want) {
			t.Errorf("the screen has no colour %s", want)
		}
	}

	long := view.PartState{Kind: "ws2812", Colours: make([]string, 100)}
	for i := range long.Colours {
		long.Colours[i] = "#102030"
	}
	if got := ansi.Strip(stripRow(long, 10)); got != strings.Repeat("●", 9)+"…" {
		t.Errorf("a strip of 100 in 10 columns: %q", got)
	}
	if got := ansi.Strip(stripRow(view.PartState{Colours: []string{"#000000", "bad"}}, 4)); got != "○○  " {
		t.Errorf("two dark LEDs in 4 columns: %q", got)
	}
}

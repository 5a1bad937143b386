package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/goasyncio/asyncio/view"
)

// stripRow draws an LED strip (partkind.WS2812) in its row, where a pin's
// wave would be: an LED a column, a lit one "●" in its colour, one that
// is out "○", and "…" at the end if the strip is wider than width.
func stripRow(p view.PartState, width int) string {
	var b strings.Builder
	n := len(p.Colours)
	shown := n
	if n > width {
		shown = max(width-1, 0)
	}
	for _, c := range p.Colours[:shown] {
		if c == "#000000" || !strings.HasPrefix(c, "#") || len(c) != 7 {
			b.WriteString(lipgloss.NewStyle().Foreground(offColour).Render(unlitGlyph))
			continue
		}
		b.WriteString(lipgloss.NewStyle().Foreground(lipgloss.Color(c)).Render(litGlyph))
	}
	switch {
	case n > width && width > 0:
		b.WriteString(dimStyle.Render("…"))
	case width > n:
		b.WriteString(strings.Repeat(" ", width-n))
	}
	return b.String()
}

package view_test

import (
	"slices"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

const stripPkg = "github.com/goasyncio/asyncio/examples/strip"

// TestStripLab: the Session has the strip lab's SPI bus and strip, and the
// strip's colours as "#rrggbb", following the comet step by step.
func TestStripLab(t *testing.T) {
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, stripPkg), "-virtual", "-for", "10m"}, Paused: true})
	st := viewtest.WaitState(t, s, "the strip's first frame", func(st view.State) bool {
		return len(viewtest.Part(st, "strip").Colours) == 8 && viewtest.Part(st, "strip").Colours[0] == "#ff0000"
	})
	if p := viewtest.Part(st, "spi0"); p.Kind != partkind.SPI {
		t.Errorf("spi0: %+v", p)
	}
	p := viewtest.Part(st, "strip")
	want := []string{"#ff0000", "#000000", "#000000", "#000000", "#000000", "#000000", "#0f0000", "#3f0000"}
	if p.Kind != partkind.WS2812 || p.Width != 8 || !slices.Equal(p.Colours, want) {
		t.Errorf("strip: %+v, want the colours %v", p, want)
	}
	// A step runs to the next change of the strip's colours: the comet's
	// next move, 0.1 s on.
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "the comet a step on", func(st view.State) bool {
		return viewtest.Part(st, "strip").Colours[1] == "#ff0000"
	})
	if st.Time > 150*time.Millisecond {
		t.Errorf("one step ran the clock to %v, want it stopped at the strip's change at 0.1 s", st.Time)
	}
}

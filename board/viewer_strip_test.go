//go:build !tinygo

package board_test

import (
	"image/color"
	"slices"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// TestViewerStrip: the viewer hears the SPI bus and the strip as parts,
// and the strip's colours each time they change.
func TestViewerStrip(t *testing.T) {
	ln, _ := listenAsViewer(t)

	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			sim := board.NewSim(ctx.Loop())
			bus := sim.AddSPI("spi0")
			if _, err := sim.AddWS2812("strip", bus, 2); err != nil {
				return err
			}
			ws := board.NewWS2812SPI(bus)
			if err := ws.WriteColors([]color.RGBA{{R: 0xff}, {B: 0x80}}); err != nil {
				return err
			}
			ws.WriteColors([]color.RGBA{{R: 0xff}, {B: 0x80}}) // no change: nothing sent
			if err := asyncio.Sleep(ctx, 100*ms); err != nil {
				return err
			}
			return ws.WriteColors([]color.RGBA{{G: 0x10}, {R: 1, G: 2, B: 3}})
		}, asyncio.VirtualClock())
	}()
	_, dec := acceptBoard(t, ln)
	parts := map[string]wire.Message{}
	var colours []wire.Message
	for {
		m, err := dec.Decode()
		if err != nil {
			break // the program has ended
		}
		switch m.Type {
		case wire.Part:
			parts[m.Name] = m
		case wire.Colours:
			colours = append(colours, m)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := parts["spi0"]; p.Kind != partkind.SPI {
		t.Errorf("spi0: %+v", p)
	}
	if p := parts["strip"]; p.Kind != partkind.WS2812 || p.Width != 2 {
		t.Errorf("strip: %+v", p)
	}
	var got [][]byte
	for _, m := range colours {
		px, err := m.Pixels()
		if err != nil || m.Name != "strip" || m.Width != 2 {
			t.Fatalf("colours %+v: %v", m, err)
		}
		got = append(got, px)
	}
	want := [][]byte{{0, 0, 0, 0, 0, 0}, {0xff, 0, 0, 0, 0, 0x80}, {0, 0x10, 0, 1, 2, 3}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("colours sent: % x, want % x", got, want)
	}
	if len(colours) == 3 && colours[2].Time() != 100*time.Millisecond {
		t.Errorf("the last colours at %v, want 100ms", colours[2].Time())
	}
}

//go:build !tinygo

package board_test

import (
	"io"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// TestViewerSensors: the viewer hears the display's pictures, and sets
// the knob and the sensor's temperature; bad settings are refused.
func TestViewerSensors(t *testing.T) {
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvPaused, "1")

	type result struct {
		knob uint16
		temp float64
	}
	done := make(chan result, 1)
	go func() {
		var r result
		asyncio.Run(func(ctx *asyncio.Ctx) error {
			sim := board.NewSim(ctx.Loop())
			bus := sim.AddI2C("i2c0")
			env, _ := sim.AddBME280("env", bus, 0x76)
			sim.AddSSD1306("oled", bus, 0x3c)
			knob := sim.AddPotentiometer("knob", 0)
			// Display on, all pixels on: a picture.
			bus.Tx(0x3c, []byte{0x00, 0xaf, 0xa5}, nil)
			for knob.Value() == 0 || env.Temperature() == 21 {
				if err := asyncio.Sleep(ctx, 10*ms); err != nil {
					return err
				}
			}
			r = result{knob.Value(), env.Temperature()}
			return nil
		}, asyncio.VirtualClock())
		done <- r
	}()
	conn, dec := acceptBoard(t, ln)
	next := func(want wire.Type) wire.Message {
		t.Helper()
		for {
			m, err := dec.Decode()
			if err != nil {
				t.Fatalf("waiting for %q: %v", want, err)
			}
			if m.Type == want {
				return m
			}
		}
	}
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(conn, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	parts := map[string]wire.Message{}
	for len(parts) < 4 {
		m := next(wire.Part)
		parts[m.Name] = m
	}
	if p := parts["oled"]; p.Kind != partkind.SSD1306 || p.Width != 128 || p.Height != 64 {
		t.Errorf("oled: %+v", p)
	}
	if p := parts["env"]; p.Kind != partkind.BME280 || p.Value != 21000 {
		t.Errorf("env: %+v", p)
	}
	if p := parts["knob"]; p.Kind != partkind.Potentiometer || p.Width != 16 {
		t.Errorf("knob: %+v", p)
	}
	// Frames: a dark one when the display is added, then all lit.
	for {
		m := next(wire.Frame)
		px, err := m.Pixels()
		if err != nil || len(px) != 1024 {
			t.Fatalf("frame: %v, %d bytes", err, len(px))
		}
		if strings.Count(string(px), "\xff") == 1024 {
			break
		}
	}
	send(`{"t":"set","name":"knob","value":70000}`)
	if m := next(wire.Error); !strings.Contains(m.Text, "0 to 65535") {
		t.Errorf("knob to 70000 gave %q", m.Text)
	}
	send(`{"t":"set","name":"env","field":"wind","value":1}`)
	if m := next(wire.Error); !strings.Contains(m.Text, `no reading "wind"`) {
		t.Errorf("setting the wind gave %q", m.Text)
	}
	send(`{"t":"set","name":"oled","value":1}`)
	if m := next(wire.Error); !strings.Contains(m.Text, `"oled" is not a potentiometer or sensor`) {
		t.Errorf("setting the display gave %q", m.Text)
	}
	send(`{"t":"set","name":"knob","value":40000}`)
	if m := next(wire.Level); m.Name != "knob" || m.Value != 40000 {
		t.Errorf("after setting the knob: %+v", m)
	}
	send(`{"t":"set","name":"env","field":"temperature","value":25500}`)
	if m := next(wire.Part); m.Name != "env" || m.Value != 25500 {
		t.Errorf("after setting the temperature: %+v", m)
	}
	send(`{"t":"step"}`)
	if r := <-done; r.knob != 40000 || r.temp != 25.5 {
		t.Errorf("the board saw knob %d, temperature %v", r.knob, r.temp)
	}
}

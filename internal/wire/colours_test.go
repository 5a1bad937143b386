package wire_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

func TestColoursCheck(t *testing.T) {
	good := wire.Message{Type: wire.Colours, Name: "strip", Width: 2, Data: wire.EncodePixels([]byte{0xff, 0, 0, 0, 0, 0xff})}
	if err := good.Check(); err != nil {
		t.Errorf("good colours: %v", err)
	}
	// The longest strip fits in a line.
	long := wire.Message{Type: wire.Colours, Name: "strip", Width: wire.MaxStripLEDs, Data: wire.EncodePixels(make([]byte, 3*wire.MaxStripLEDs))}
	var buf bytes.Buffer
	if err := wire.NewEncoder(&buf).Encode(long); err != nil {
		t.Fatal(err)
	}
	if m, err := wire.NewDecoder(&buf).Decode(); err != nil || m.Width != wire.MaxStripLEDs {
		t.Errorf("a strip of %d LEDs: %v", wire.MaxStripLEDs, err)
	}
	for _, c := range []struct {
		m    wire.Message
		want string
	}{
		{wire.Message{Type: wire.Colours, Name: "strip", Width: 2, Data: wire.EncodePixels([]byte{1, 2, 3})}, "3 bytes of colours for 2 LEDs, want 6"},
		{wire.Message{Type: wire.Colours, Name: "strip", Width: 0}, "a strip of 0 LEDs"},
		{wire.Message{Type: wire.Colours, Name: "strip", Width: wire.MaxStripLEDs + 1}, "want 1 to 1024"},
		{wire.Message{Type: wire.Colours, Name: "strip", Width: 1, Data: "!!"}, "colours:"},
		{wire.Message{Type: wire.Colours, Width: 1, Data: wire.EncodePixels([]byte{1, 2, 3})}, "no name"},
	} {
		err := c.m.Check()
		if !errors.Is(err, wire.ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want malformed, %q", c.m, err, c.want)
		}
	}
	for _, k := range []string{partkind.SPI, partkind.WS2812} {
		if err := (wire.Message{Type: wire.Part, Name: "p", Kind: k}).Check(); err != nil {
			t.Errorf("kind %q: %v", k, err)
		}
	}
}

package wire_test

import (
	"errors"
	"testing"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

func TestFrameAndSetCheck(t *testing.T) {
	good := wire.Message{Type: wire.Frame, Name: "oled", Width: 16, Height: 2, Data: wire.EncodePixels([]byte{1, 2, 3, 4})}
	if err := good.Check(); err != nil {
		t.Errorf("a good frame: %v", err)
	}
	for _, m := range []wire.Message{
		{Type: wire.Frame, Name: "oled", Width: 16, Height: 2, Data: wire.EncodePixels([]byte{1})},
		{Type: wire.Frame, Name: "oled", Width: 12, Height: 2, Data: wire.EncodePixels([]byte{1, 2, 3})},
		{Type: wire.Frame, Name: "oled", Width: 512, Height: 8},
		{Type: wire.Frame, Name: "oled", Width: 8, Height: 1, Data: "!!"},
		{Type: wire.Frame, Width: 8, Height: 1, Data: wire.EncodePixels([]byte{1})},
		{Type: wire.Set},
		{Type: wire.Part, Name: "x", Kind: "thermometer"},
	} {
		if err := m.Check(); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("%+v: %v, want malformed", m, err)
		}
	}
	for _, k := range []string{partkind.I2C, partkind.BME280, partkind.SSD1306, partkind.Potentiometer} {
		if err := (wire.Message{Type: wire.Part, Name: "p", Kind: k}).Check(); err != nil {
			t.Errorf("kind %q: %v", k, err)
		}
	}
}

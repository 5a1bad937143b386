package wire_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/board/wire"
)

func TestRoundTrip(t *testing.T) {
	msgs := []wire.Message{
		{Type: wire.Hello, Board: "lab", Value: wire.Version},
		{Type: wire.Part, Name: "red", Kind: wire.KindLED, Colour: "red", ActiveLow: true, Value: 1},
		{Type: wire.Level, Name: "red", At: 250e6, Value: 0},
		{Type: wire.Clock, At: 1e9, Speed: 2, Paused: true},
		{Type: wire.Press, Name: "button"},
		{Type: wire.Drive, Name: "dial", Value: 1},
		{Type: wire.Speed, Speed: 0.5},
		{Type: wire.Step},
	}
	var buf bytes.Buffer
	enc := wire.NewEncoder(&buf)
	for _, m := range msgs {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != len(msgs) {
		t.Fatalf("%d lines for %d messages", n, len(msgs))
	}
	dec := wire.NewDecoder(&buf)
	for i, want := range msgs {
		got, err := dec.Decode()
		if err != nil || got != want {
			t.Fatalf("message %d: got %+v, %v; want %+v", i, got, err, want)
		}
	}
	if _, err := dec.Decode(); err != io.EOF {
		t.Errorf("after the last message: %v, want EOF", err)
	}
}

func TestMalformedLinesAreSkippable(t *testing.T) {
	in := strings.Join([]string{
		`not json`,
		`{"t":"warp"}`,
		`{"t":"press"}`,
		`{"t":"drive","name":"p","value":7}`,
		`{"t":"speed","speed":-1}`,
		`{"t":"part","name":"x","kind":"lamp"}`,
		`{}`,
		``,
		`{"t":"press","name":"button"}`,
	}, "\n")
	dec := wire.NewDecoder(strings.NewReader(in))
	for i := range 7 {
		_, err := dec.Decode()
		if !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("line %d: %v, want ErrMalformed", i+1, err)
		}
	}
	m, err := dec.Decode()
	if err != nil || m.Type != wire.Press || m.Name != "button" {
		t.Fatalf("after the bad lines: %+v, %v", m, err)
	}
}

func TestOverlongLineEndsTheDecoder(t *testing.T) {
	dec := wire.NewDecoder(strings.NewReader(strings.Repeat("x", wire.MaxLine+1) + "\n"))
	_, err := dec.Decode()
	if err == nil || errors.Is(err, wire.ErrMalformed) || err == io.EOF {
		t.Fatalf("an over-long line gave %v", err)
	}
}

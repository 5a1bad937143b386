package wire_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

func TestRoundTrip(t *testing.T) {
	msgs := []wire.Message{
		{Type: wire.Hello, Board: "lab", Value: wire.Version},
		{Type: wire.Part, Name: "red", Kind: partkind.LED, Colour: "red", ActiveLow: true, Value: 1},
		{Type: wire.Level, Name: "red", At: 250e6, Value: 0},
		{Type: wire.Clock, At: 1e9, Speed: 2, Paused: true, Steps: 3},
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

func TestParseAddr(t *testing.T) {
	tok := wire.NewToken()
	if len(tok) != 32 || tok == wire.NewToken() {
		t.Fatalf("NewToken = %q", tok)
	}
	got, addr, err := wire.ParseAddr(wire.FormatAddr(tok, "127.0.0.1:4000"), false)
	if err != nil || got != tok || addr != "127.0.0.1:4000" {
		t.Fatalf("ParseAddr = %q, %q, %v", got, addr, err)
	}
	for _, ok := range []string{tok + "@[::1]:4000", tok + "@localhost:4000"} {
		if _, _, err := wire.ParseAddr(ok, false); err != nil {
			t.Errorf("ParseAddr(%q): %v", ok, err)
		}
	}
	if _, _, err := wire.ParseAddr(tok+"@192.0.2.1:4000", true); err != nil {
		t.Errorf("with remote allowed: %v", err)
	}
	for in, want := range map[string]string{
		"127.0.0.1:4000":            "no secret",
		"abc@127.0.0.1:4000":        "at least 16",
		tok + "!@127.0.0.1:4000":    "letters and digits",
		tok + "@127.0.0.1":          "missing port",
		tok + "@127.0.0.1:0":        "no port",
		tok + "@example.com:4000":   "IP address or localhost",
		tok + "@192.0.2.1:4000":     "not on the loopback interface",
		tok + "@[2001:db8::1]:4000": wire.EnvRemote,
	} {
		if _, _, err := wire.ParseAddr(in, false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAddr(%q) = %v, want an error saying %q", in, err, want)
		}
	}
	if wire.TokenMatches("", "") || !wire.TokenMatches(tok, tok) || wire.TokenMatches(tok[:31], tok) {
		t.Error("TokenMatches")
	}
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("x", wire.MaxName+1)
	for _, m := range []wire.Message{
		{Type: wire.Part, Name: long, Kind: partkind.LED},
		{Type: wire.Hello, Board: long},
		{Type: wire.Speed, Speed: 5e-324},
		{Type: wire.Speed, Speed: 1e308},
		{Type: wire.Clock, Steps: -1},
	} {
		if err := m.Check(); !errors.Is(err, wire.ErrMalformed) {
			t.Errorf("Check(%+.60v) = %v", m, err)
		}
	}
	dec := wire.NewDecoder(strings.NewReader(`{"t":"text","text":"` + strings.Repeat("x", wire.MaxLine) + `"}` + "\n"))
	if _, err := dec.Decode(); err == nil || errors.Is(err, wire.ErrMalformed) {
		t.Errorf("a line longer than MaxLine: %v", err)
	}
}

package web_test

import (
	"image/png"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// POST /api/set turns a knob and sets a sensor's reading; a bad body, a
// part that takes no setting and a value the board refuses are errors.
func TestSetCommand(t *testing.T) {
	s := startThermostat(t)
	viewtest.WaitState(t, s, "the board", func(st view.State) bool { return len(st.Parts) == 6 })
	ts := serve(t, s)

	for _, c := range []struct{ body string }{
		{`{"name":"knob","value":40000}`},
		{`{"name":"env","field":"temperature","value":23500}`},
	} {
		if code, msg := post(t, ts.URL, "set", c.body); code != http.StatusNoContent {
			t.Fatalf("set %s: %d %s", c.body, code, msg)
		}
	}
	viewtest.WaitState(t, s, "the knob and the sensor set", func(st view.State) bool {
		return viewtest.Part(st, "knob").Level == 40000 && viewtest.Part(st, "env").Level == 23500
	})

	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{`{"value":1}`, 400, `missing "name"`},
		{`{"name":"knob"}`, 400, `missing "value"`},
		{`{"name":"knob","value":"high"}`, 400, "malformed JSON"},
		{`{"name":"knob","value":1,"colour":"red"}`, 400, `unknown field "colour"`},
		{`{"name":"nope","value":1}`, 400, `no such part: "nope"`},
		{`{"name":"heater","value":1}`, 400, "not an input"},
	} {
		code, msg := post(t, ts.URL, "set", c.body)
		if code != c.code || !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "set: ") {
			t.Errorf("POST /api/set %s: %d %q, want %d and a message with %q", c.body, code, msg, c.code, c.want)
		}
	}

	// A value out of range reaches the board, which refuses it: the
	// console says so, and the knob stays where it was.
	if code, msg := post(t, ts.URL, "set", `{"name":"knob","value":70000}`); code != http.StatusNoContent {
		t.Fatalf("set out of range: %d %s", code, msg)
	}
	viewtest.WaitState(t, s, "the board's refusal", func(st view.State) bool {
		for _, l := range st.Console {
			if l.Stream == view.System && strings.Contains(l.Text, "refused") && strings.Contains(l.Text, "70000") {
				return true
			}
		}
		return false
	})
	if got := viewtest.Part(s.State(), "knob").Level; got != 40000 {
		t.Errorf("the knob is at %d after a refused setting, want 40000", got)
	}
}

// The README shows the thermostat lab in the page: docs/thermostat.png is
// there, a screenshot of the page's size (TestBrowserThermostatScreenshot
// checks what it shows), and the files the section names exist.
func TestThermostatScreenshotInREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"](docs/thermostat.png)", "](board/linuxgpio/testdata/thermostat-pi.json)"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README has no %q", want)
		}
	}
	if _, err := os.Stat("../../board/linuxgpio/testdata/thermostat-pi.json"); err != nil {
		t.Error(err)
	}
	f, err := os.Open("../../docs/thermostat.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("docs/thermostat.png: %v", err)
	}
	if size := img.Bounds().Size(); size.X != 1280 || size.Y < 600 {
		t.Errorf("docs/thermostat.png is %v, want the page's 1280 wide", size)
	}
}

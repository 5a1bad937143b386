package board_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/vcd"
)

const fullSpec = `{
  "name": "bench",
  "parts": [
    {"name": "red", "kind": "led", "colour": "red", "active": "low"},
    {"name": "lamp", "kind": "pwm-led", "colour": "white"},
    {"name": "ok", "kind": "button", "bounce": {"duration": "5ms", "flips": 4, "seed": 9}},
    {"name": "up", "kind": "button", "active": "high"},
    {"name": "dial-a", "kind": "pin", "mode": "input-pullup", "chip": "gpiochip0", "line": 17},
    {"name": "out", "kind": "pin", "mode": "output"}
  ]
}`

func TestParseSpec(t *testing.T) {
	s, err := board.ParseSpec([]byte(fullSpec))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "bench" || len(s.Parts) != 6 || s.Parts[4].Chip != "gpiochip0" || *s.Parts[4].Line != 17 {
		t.Errorf("spec %+v", s)
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, s)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Name() != "bench" || !slices.Equal(sim.Parts(), []string{"red", "lamp", "ok", "up", "dial-a", "out"}) {
		t.Errorf("sim %q parts %q", sim.Name(), sim.Parts())
	}
	if l := sim.SimLED("red"); l.Polarity() != board.ActiveLow || l.Colour() != "red" {
		t.Errorf("red: %v %q", l.Polarity(), l.Colour())
	}
	if l := sim.SimPWMLED("lamp"); l.Polarity() != board.ActiveHigh || l.Colour() != "white" {
		t.Errorf("lamp: %v %q", l.Polarity(), l.Colour())
	}
	if b := sim.SimButton("ok"); b.Polarity() != board.ActiveLow {
		t.Error("ok is not active-low")
	}
	if b := sim.SimButton("up"); b.Polarity() != board.ActiveHigh {
		t.Error("up is not active-high")
	}
	if p := sim.SimPin("dial-a"); p.Mode() != board.PinInputPullup || !p.Get() {
		t.Error("dial-a is not a pulled-up input")
	}
	if p := sim.SimPin("out"); p.Mode() != board.PinOutput {
		t.Error("out is not an output")
	}
	// ok bounces: a press makes more than one change.
	sim.SimButton("ok").Press()
	runFor(t, loop, 10*ms)
	if n := len(sim.Levels()); n < 3 || n > 5 {
		t.Errorf("a bouncy press made %d changes, want 3 or 5 (flips 4)", n)
	}
}

func TestLabSpec(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, nil)
	if err != nil {
		t.Fatal(err)
	}
	lab := board.NewLab(loop)
	if sim.Name() != lab.Name() || !slices.Equal(sim.Parts(), lab.Parts()) {
		t.Errorf("NewSimFrom(nil) %q %q, NewLab %q %q", sim.Name(), sim.Parts(), lab.Name(), lab.Parts())
	}
	for _, name := range []string{"red", "green"} {
		a, b := sim.SimLED(name), lab.SimLED(name)
		if a.Polarity() != b.Polarity() || a.Colour() != b.Colour() || a.Value() != b.Value() {
			t.Errorf("%s differs", name)
		}
	}
	if sim.SimButton("button").Polarity() != lab.Button.Polarity() {
		t.Error("button differs")
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"parts": [{"name": "a", "kind": "led", "colur": "red"}]}`, `unknown field "colur"`},
		{`{"parts": [`, "unexpected EOF"},
		{`{"parts": [{"kind": "led"}]}`, "part 1 has no name"},
		{`{"parts": [{"name": "a", "kind": "led"}, {"name": "a", "kind": "pin"}]}`, `duplicate part name "a"`},
		{`{"parts": [{"name": "a", "kind": "lamp"}]}`, `unknown kind "lamp"`},
		{`{"parts": [{"name": "a", "kind": "led", "active": "up"}]}`, `active is "up"`},
		{`{"parts": [{"name": "a", "kind": "pin", "mode": "in"}]}`, `mode is "in"`},
		{`{"parts": [{"name": "a", "kind": "button", "bounce": {"duration": "5"}}]}`, `bad bounce duration "5"`},
		{`{"parts": [{"name": "a", "kind": "button", "bounce": {"duration": "-5ms"}}]}`, `bad bounce duration`},
		{`{"parts": [{"name": "a", "kind": "pin", "line": -1}]}`, "negative line"},
	} {
		_, err := board.ParseSpec([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSpec(%s) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
	// Every problem is reported at once.
	_, err := board.ParseSpec([]byte(`{"parts": [{"name": "a", "kind": "x"}, {"name": "b", "kind": "led", "active": "x"}]}`))
	if err == nil || !strings.Contains(err.Error(), `unknown kind "x"`) || !strings.Contains(err.Error(), `active is "x"`) {
		t.Errorf("joined errors: %v", err)
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	if _, err := board.NewSimFrom(loop, &board.Spec{Parts: []board.PartSpec{{Name: "x", Kind: "y"}}}); err == nil {
		t.Error("NewSimFrom of a bad spec: no error")
	}
}

func TestReadSpecFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(fullSpec), 0o644)
	os.WriteFile(bad, []byte(`{"parts": [{"name": "a"}]}`), 0o644)
	if s, err := board.ReadSpecFile(good); err != nil || s.Name != "bench" {
		t.Errorf("ReadSpecFile(good) = %v, %v", s, err)
	}
	if _, err := board.ReadSpecFile(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("ReadSpecFile(bad) = %v", err)
	}
	if _, err := board.ReadSpecFile(filepath.Join(dir, "none.json")); err == nil {
		t.Error("ReadSpecFile of a missing file: no error")
	}
}

func TestBounceSpec(t *testing.T) {
	var nilSpec *board.BounceSpec
	if b, err := nilSpec.Bounce(); err != nil || b != (board.Bounce{}) {
		t.Errorf("nil BounceSpec = %+v, %v", b, err)
	}
	b, err := (&board.BounceSpec{Duration: "2ms", Flips: 3, Seed: 4}).Bounce()
	if err != nil || b != (board.Bounce{Duration: 2 * ms, Flips: 3, Seed: 4}) {
		t.Errorf("Bounce() = %+v, %v", b, err)
	}
}

func TestSaveWaveform(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	lab.Red.On()
	runFor(t, loop, time.Second)
	dir := t.TempDir()
	vcdPath, js := filepath.Join(dir, "a.vcd"), filepath.Join(dir, "a.json")
	if err := lab.SaveWaveform(vcdPath, wave.WaveDromOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := lab.SaveWaveform(js, wave.WaveDromOptions{Step: 250 * ms}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(vcdPath)
	defer f.Close()
	w, err := vcd.Read(f)
	if err != nil || w.End != time.Second || len(w.Signals) != 3 {
		t.Errorf("read back %+v, %v", w, err)
	}
	data, _ := os.ReadFile(js)
	if !strings.Contains(string(data), `"wave": "0..."`) {
		t.Errorf("WaveDrom JSON:\n%s", data)
	}
	if err := lab.SaveWaveform(filepath.Join(dir, "a.txt"), wave.WaveDromOptions{}); err == nil {
		t.Error("SaveWaveform to .txt: no error")
	}
	if err := lab.SaveWaveform(filepath.Join(dir, "no", "a.vcd"), wave.WaveDromOptions{}); err == nil {
		t.Error("SaveWaveform to a missing directory: no error")
	}
}

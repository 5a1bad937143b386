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
)

const script = `# the lecture's button, and a pin
3.000    button  press
3.400    button  release     # 400 ms later
+1.5     button  click 200ms
+0.25    button  click
6s       p       low
6.002    p       float
6.0025   p       high
7        p       float
`

func TestParseScript(t *testing.T) {
	sc, err := board.ParseScript(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	want := board.Script{
		{At: 3 * time.Second, Part: "button", Action: board.Press, Line: 2},
		{At: 3400 * ms, Part: "button", Action: board.Release, Line: 3},
		{At: 4900 * ms, Part: "button", Action: board.Click, Hold: 200 * ms, Line: 4},
		{At: 5150 * ms, Part: "button", Action: board.Click, Hold: board.DefaultClickHold, Line: 5},
		{At: 6 * time.Second, Part: "p", Action: board.Low, Line: 6},
		{At: 6002 * ms, Part: "p", Action: board.Float, Line: 7},
		{At: 6002500 * time.Microsecond, Part: "p", Action: board.High, Line: 8},
		{At: 7 * time.Second, Part: "p", Action: board.Float, Line: 9},
	}
	if !slices.Equal(sc, want) {
		t.Errorf("got\n%v\nwant\n%v", sc, want)
	}
	wantText := "3.000 button press\n3.400 button release\n4.900 button click 200ms\n5.150 button click 100ms\n" +
		"6.000 p low\n6.002 p float\n6.002500000 p high\n7.000 p float\n"
	if sc.String() != wantText {
		t.Errorf("String() =\n%s\nwant\n%s", sc, wantText)
	}
	// The text form parses back to the same steps.
	again, err := board.ParseScript(strings.NewReader(sc.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		again[i].Line = want[i].Line
	}
	if !slices.Equal(again, want) {
		t.Errorf("round trip\n%v\nwant\n%v", again, want)
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"3 button", `line 1: want a time, a part and an action, got "3 button"`},
		{"\n\nsoon button press", `line 3: bad time "soon"`},
		{"-1 button press", `bad time "-1"`},
		{"-1s button press", `negative time "-1s"`},
		{"1.0000000001 button press", "bad time"},
		{"+ button press", "empty time"},
		{"1 button push", `unknown action "push"`},
		{"1 button press now", `unexpected "now"`},
		{"1 button click 2 3", `unexpected "3"`},
		{"1 button click soon", "click hold"},
		{"99999999999999 button press", "bad time"},
	} {
		_, err := board.ParseScript(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseScript(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
	if sc, err := board.ParseScript(strings.NewReader(".5 b press\n")); err != nil || sc[0].At != 500*ms {
		t.Errorf(".5: %v, %v", sc, err)
	}
}

func TestPlay(t *testing.T) {
	sc, err := board.ParseScript(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	lab.AddPin("p", board.PinInputPulldown)
	hs, err := lab.Play(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 10 {
		t.Errorf("%d handles, want 10 (two per click)", len(hs))
	}
	runFor(t, loop, 10*time.Second)
	want := []string{
		"3s button 0", "3.4s button 1", "4.9s button 0", "5.1s button 1", "5.15s button 0", "5.25s button 1",
		"6.0025s p 1", "7s p 0",
	}
	if got := levels(lab.Levels()); !slices.Equal(got, want) {
		t.Errorf("levels %q, want %q", got, want)
	}
}

func TestPlayErrors(t *testing.T) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	sc := board.Script{
		{At: 1, Part: "red", Action: board.Press, Line: 4},
		{At: 1, Part: "nope", Action: board.High},
		{At: 1, Part: "green", Action: board.Low},
		{At: 1, Part: "button", Action: "wiggle"},
		{At: 1, Part: "button", Action: board.Press}, // fine, but nothing is scheduled
	}
	hs, err := lab.Play(sc)
	if hs != nil || err == nil {
		t.Fatalf("Play = %v, %v", hs, err)
	}
	for _, want := range []string{`line 4: red: board: part "red" is not a button`, `nope: board: no part "nope"`,
		`green: board: part "green" is not a pin or button`, `unknown action "wiggle"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwants %q", err, want)
		}
	}
	runFor(t, loop, time.Second)
	if len(lab.Levels()) != 0 {
		t.Errorf("a failed Play changed levels: %v", lab.Levels())
	}
	// Buttons take pin actions too.
	if _, err := lab.Play(board.Script{{At: 2 * time.Second, Part: "button", Action: board.Low}}); err != nil {
		t.Error(err)
	}
}

func TestReadScriptFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.txt"), filepath.Join(dir, "bad.txt")
	os.WriteFile(good, []byte(script), 0o644)
	os.WriteFile(bad, []byte("1 x"), 0o644)
	if sc, err := board.ReadScriptFile(good); err != nil || len(sc) != 8 {
		t.Errorf("ReadScriptFile(good) = %v, %v", sc, err)
	}
	if _, err := board.ReadScriptFile(bad); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("ReadScriptFile(bad) = %v", err)
	}
	if _, err := board.ReadScriptFile(filepath.Join(dir, "none")); err == nil {
		t.Error("ReadScriptFile of a missing file: no error")
	}
}

package web_test

// The thermostat lab in the page: its OLED on a canvas, its knob as a
// slider and its BME280's temperature as a number field.

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

const thermostatPkg = "github.com/goasyncio/asyncio/examples/thermostat"

// startThermostat starts the thermostat lab on the virtual clock, paused,
// with ten minutes to run.
func startThermostat(t *testing.T) *view.Session {
	t.Helper()
	bin := program(t, thermostatPkg)
	s, err := view.Start(view.Config{Program: []string{bin, "-virtual", "-for", "10m"}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// canvasJS gives the OLED's canvas as the page drew it: a string of '#'
// for a lit pixel and '.' for a dark one, row by row, a newline after
// each. Lit pixels are the bright blue-white, dark ones nearly black.
const canvasJS = `(() => {
	const c = document.querySelector('#parts .part[data-name="oled"] canvas');
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let s = '';
	for (let y = 0; y < c.height; y++) {
		for (let x = 0; x < c.width; x++) {
			const i = 4 * (y * c.width + x);
			s += d[i] > 0x80 && d[i + 2] > 0x80 ? '#' : d[i] < 0x20 ? '.' : '?';
		}
		s += '\n';
	}
	return s;
})()`

// sessionPicture gives the display's picture as the Session has it from
// the board, in canvasJS's form, and how many pixels are lit.
func sessionPicture(t *testing.T, s *view.Session, name string) (string, int) {
	t.Helper()
	for _, p := range s.State().Parts {
		if p.Name != name {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(p.Pixels)
		if err != nil {
			t.Fatalf("%s's pixels: %v", name, err)
		}
		if p.Width != 128 || p.Height != 64 || len(data) != p.Width*p.Height/8 {
			t.Fatalf("%s is %d×%d with %d bytes, want 128×64 with 1024", name, p.Width, p.Height, len(data))
		}
		var b strings.Builder
		lit := 0
		for y := range p.Height {
			for x := range p.Width {
				i := y*p.Width + x
				if data[i/8]&(0x80>>(i%8)) != 0 {
					b.WriteByte('#')
					lit++
				} else {
					b.WriteByte('.')
				}
			}
			b.WriteByte('\n')
		}
		return b.String(), lit
	}
	t.Fatalf("the Session has no part %q", name)
	return "", 0
}

// rows returns rows y0 to y1 (not included) of a picture in canvasJS's
// form.
func rows(pic string, y0, y1 int) string {
	lines := strings.Split(pic, "\n")
	return strings.Join(lines[y0:y1], "\n")
}

// partLevel returns the level of the part named name in the Session.
func partLevel(t *testing.T, s *view.Session, name string) int {
	t.Helper()
	for _, p := range s.State().Parts {
		if p.Name == name {
			return p.Level
		}
	}
	t.Fatalf("the Session has no part %q", name)
	return 0
}

// stepUntil clicks the page's step button until the console has a line
// of the program's that holds want, and returns the first such line. It fails the test after 300 steps.
func stepUntil(t *testing.T, tab context.Context, what, want string) string {
	t.Helper()
	lineJS := `(() => { const ls = [...document.querySelectorAll('#console .line.out')].map(l => l.textContent).filter(l => l.includes(` +
		strconv.Quote(want) + `)); return ls.length ? ls[0] : ''; })()`
	for range 300 {
		if line := eval[string](t, tab, lineJS); line != "" {
			return line
		}
		stepOnce(t, tab)
	}
	t.Fatalf("%s: no line with %q in the console after 300 steps; it has:\n%s", what, want, eval[string](t, tab, consoleJS))
	return ""
}

// stepOnce clicks Step and waits until the board has finished the step:
// then the page has what the step changed and printed, and no step is
// under way.
func stepOnce(t *testing.T, tab context.Context) {
	t.Helper()
	before := eval[int](t, tab, `window.boardPage.steps()`)
	click(t, tab, "#step")
	waitPage(t, tab, fmt.Sprintf("step %d to finish", before+1),
		fmt.Sprintf(`String(window.boardPage.steps() > %d && !window.boardPage.stepping())`, before), "true")
}

// setPoint is the thermostat's set point for the knob at level (the
// lab's setPoint: 10 to 30 °C in steps of 0.5, from a 12-bit reading).
func setPoint(level int) float64 {
	f := float64(level&^0xf) / 0xfff0
	return 10 + math.Round(min(f, 1)*40)/2
}

// The thermostat's OLED is drawn on a canvas as the driver drew it; the
// slider turns the knob, and the set point on the display follows; the
// temperature field sets the sensor, and the reading and the heater follow.
func TestBrowserThermostat(t *testing.T) {
	tab := newBrowser(t)
	s := startThermostat(t)
	openPage(t, tab, s)
	viewtest.WaitState(t, s, "the board", func(st view.State) bool { return len(st.Parts) == 6 })

	// At 0 the display shows no reading yet and the set point of the knob
	// at half its travel, 20 °C.
	stepUntil(t, tab, "the first picture", "display --.- SET 20.0°C HEAT OFF")
	viewtest.WaitState(t, s, "the first picture", func(st view.State) bool {
		for _, p := range st.Parts {
			if p.Name == "oled" && p.Pixels != "" {
				return true
			}
		}
		return false
	})
	want, lit := sessionPicture(t, s, "oled")
	if lit < 100 || lit > 128*64/2 {
		t.Fatalf("the display has %d pixels lit, want the text's: some hundreds", lit)
	}
	waitPage(t, tab, "the canvas showing the display", canvasJS, want)
	waitPage(t, tab, "the canvas's count of lit pixels", `document.querySelector('#parts .part[data-name="oled"] canvas').dataset.lit`, strconv.Itoa(lit))
	// The driver drew inside the panel and left its edges dark: the text
	// starts at column 2, row 2.
	for y, row := range strings.Split(strings.TrimSuffix(want, "\n"), "\n") {
		if y < 2 && strings.Contains(row, "#") || row[0] == '#' || row[1] == '#' {
			t.Fatalf("row %d is lit at the panel's edge:\n%s", y, want)
		}
	}
	// The first reading: 18 °C, the heater on.
	stepUntil(t, tab, "the first reading", "display 18.0°C SET 20.0°C HEAT ON")
	waitPage(t, tab, "the heater on", `document.querySelector('#parts .part[data-name="heater"]').dataset.lit`, "true")
	before, _ := sessionPicture(t, s, "oled")
	waitPage(t, tab, "the canvas with the reading", canvasJS, before)

	// Click the slider three quarters along: the knob turns, and at its
	// next reading the set point follows.
	x, y := centre(t, tab, `#parts .part[data-name="knob"] input.knob`)
	w := eval[float64](t, tab, `document.querySelector('#parts .part[data-name="knob"] input.knob').getBoundingClientRect().width`)
	if err := chromedp.Do(tab, chromedp.MouseClickXY(x+w/4, y)); err != nil {
		t.Fatal(err)
	}
	viewtest.WaitState(t, s, "the knob turned", func(st view.State) bool {
		for _, p := range st.Parts {
			if p.Name == "knob" {
				return p.Level > 0xa000
			}
		}
		return false
	})
	level := partLevel(t, s, "knob")
	if level > 0xe000 {
		t.Fatalf("clicking the slider three quarters along turned the knob to %#x, want about 0xc000", level)
	}
	waitPage(t, tab, "the slider", `document.querySelector('#parts .part[data-name="knob"] input.knob').value`, strconv.Itoa(level))
	set := fmt.Sprintf("SET %.1f°C", setPoint(level))
	if set == "SET 20.0°C" {
		t.Fatalf("the knob at %#x gives the set point it had", level)
	}
	line := stepUntil(t, tab, "the new set point", set)
	if !strings.Contains(line, "display 18.0°C "+set+" HEAT ON") {
		t.Errorf("after the knob turned the display says %q, want 18.0°C, %s and the heater on", line, set)
	}
	// The canvas follows the Session's picture; the lab may have taken its
	// next reading meanwhile, so compare with the picture as it is now.
	var after string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		after, _ = sessionPicture(t, s, "oled")
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](canvasJS))
		if err != nil {
			t.Fatal(err)
		}
		if got == after {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for the canvas with the new set point: got %q, want %q", got, after)
		}
	}
	// The set point's line (rows 42 to 49) is redrawn.
	if rows(before, 42, 50) == rows(after, 42, 50) {
		t.Errorf("the set point's rows are the same after the knob turned:\n%s", rows(after, 42, 50))
	}

	// Type 35 °C in the temperature field: the sensor takes it at once;
	// its readings rise towards it through the sensor's IIR filter, and
	// the heater goes off, the room being above any set point.
	field := `#parts .part[data-name="env"] input.temperature`
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(field), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS(field), ""),
		chromedp.SendKeys(chromedp.CSS(field), "35"+kb.Tab),
	); err != nil {
		t.Fatal(err)
	}
	viewtest.WaitState(t, s, "the sensor set", func(st view.State) bool {
		for _, p := range st.Parts {
			if p.Name == "env" {
				return p.Level == 35000
			}
		}
		return false
	})
	line = stepUntil(t, tab, "the new reading", "°C "+set+" HEAT OFF")
	var reading float64
	if _, err := fmt.Sscanf(line[strings.Index(line, "display "):], "display %f°C", &reading); err != nil {
		t.Fatalf("the display line %q: %v", line, err)
	}
	if reading <= setPoint(level)+0.5 || reading > 35 {
		t.Errorf("after setting 35 °C the display says %q, want a reading above the set point and at most 35 °C", line)
	}
	waitPage(t, tab, "the heater off", `document.querySelector('#parts .part[data-name="heater"]').dataset.lit`, "false")
	waitPage(t, tab, "the field following the sensor", `document.querySelector('`+field+`').value`, fmt.Sprintf("%.1f", float64(partLevel(t, s, "env"))/1000))
	final, _ := sessionPicture(t, s, "oled")
	waitPage(t, tab, "the canvas with the new reading", canvasJS, final)
	if rows(after, 14, 38) == rows(final, 14, 38) {
		t.Errorf("the temperature's rows are the same after the reading changed")
	}
}

// TestBrowserThermostatScreenshot draws the thermostat lab in the page for
// the README: stepped to its reading at 3 s, the heater on. It checks that
// docs/thermostat.png still shows the page as sameScreenshot compares, and
// writes it instead with -screenshot or UPDATE_SCREENSHOT=1.
func TestBrowserThermostatScreenshot(t *testing.T) {
	update := *screenshot || os.Getenv("UPDATE_SCREENSHOT") == "1"
	tab := newBrowser(t)
	s := startThermostat(t)
	openPage(t, tab, s)
	viewtest.WaitState(t, s, "the board", func(st view.State) bool { return len(st.Parts) == 6 })
	stepUntil(t, tab, "the reading at 3 s", "3.000 display 18.1°C SET 20.0°C HEAT ON")
	want, _ := sessionPicture(t, s, "oled")
	waitPage(t, tab, "the canvas", canvasJS, want)
	waitPage(t, tab, "the heater on", `document.querySelector('#parts .part[data-name="heater"]').dataset.lit`, "true")
	const file = "../../docs/thermostat.png"
	png, err := screenshotLike(tab, file)
	if png == nil {
		t.Fatal(err)
	}
	if !update {
		if err != nil {
			t.Fatalf("docs/thermostat.png does not show the page as it is: %v\n(if the page changed on purpose: UPDATE_SCREENSHOT=1 go test ./view/web -run ThermostatScreenshot)", err)
		}
		return
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote docs/thermostat.png")
}

package web_test

// Browser tests: the page in a headless Chromium, driven as a person would
// use it, against real Sessions of the lecture's labs.

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// partsPkg is a board program with a PWM LED, an input pin and an output
// pin (testdata/parts).
const partsPkg = "github.com/goasyncio/asyncio/view/web/testdata/parts"

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/lib/chromium/chromium"

var screenshot = flag.Bool("screenshot", false, "write the page's screenshot to docs/board.png (also with UPDATE_SCREENSHOT=1)")

// chromium returns the browser's path. Without it the test is skipped,
// except in CI, where it must be installed.
func chromium(t *testing.T) string {
	t.Helper()
	testenv.SkipIfEmulated(t, "drives a native browser")
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is not installed at %s, and CI must run the browser tests: apt-get install -y chromium", chromiumPath)
		}
		t.Skipf("skipped: needs Chromium at %s (apt-get install -y chromium)", chromiumPath)
	}
	return chromiumPath
}

// newBrowser starts a headless Chromium for the test and returns the
// context of its first tab. The whole test is bounded by a minute: a
// bound on a broken run, not a timing assertion.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), time.Minute)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(tab); err != nil { // starts the browser
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelTimeout()
	})
	return tab
}

// newTab opens another tab of the browser of ctx; it is closed when the
// test ends.
func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

// openPage serves the page of s for the test, opens it in tab and waits until
// it shows the lab's board.
func openPage(t *testing.T, tab context.Context, s *view.Session) string {
	t.Helper()
	ts := serve(t, s)
	load(t, tab, ts.URL)
	return ts.URL
}

func load(t *testing.T, tab context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(tab,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#parts .part[data-name="button"]`)),
	); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	t.Cleanup(func() {
		// The page must not have failed on its own.
		if faults, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.boardPage.faults()`)); err == nil && len(faults) > 0 {
			t.Errorf("the page failed: %q", faults)
		}
		// Leaving the page ends its event stream: the server's Close, in
		// a cleanup that runs next, waits for that.
		if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
			t.Logf("leaving the page: %v", err)
		}
	})
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitPage waits until the JavaScript expression expr gives want, and
// fails the test with what it gave last if it does not within 20 s.
func waitPage(t *testing.T, tab context.Context, what, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got string
	for {
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if got = v; got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: got %q, want %q", what, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// What the page shows, as expressions giving strings.
const (
	// leds says which LEDs are drawn lit: a lit LED's dome is opaque and
	// glows, an unlit one is dim and does not.
	ledsJS = `[...document.querySelectorAll('#parts .led')].map(e => {
		const opacity = Number(e.querySelector('.dome').getAttribute('opacity'));
		const glow = e.querySelector('svg').style.filter.includes('drop-shadow');
		const lit = opacity === 1 && glow ? 'on' : opacity < 0.3 && !glow ? 'off' : 'half';
		return e.dataset.name + '=' + lit;
	}).join(' ')`
	timeJS    = `document.querySelector('#time').textContent`
	pressedJS = `(() => { const b = document.querySelector('#parts .btn-part'); return b.dataset.name + '=' + (b.classList.contains('pressed') ? 'down' : 'up') + ',' + (b.dataset.pressed === 'true' ? 'pressed' : 'released'); })()`
	consoleJS = `[...document.querySelectorAll('#console .line:not(.system)')].map(l => l.className.replace('line ', '') + ':' + l.textContent).join('\n')`
	errorJS   = `(() => { const e = document.querySelector('#error'); return e.hidden ? '' : e.textContent; })()`
)

// goldenStates reads the blink lab's golden trace and returns the LEDs
// after each time in it: "red=on green=off" by the time in seconds, as the
// page prints it.
func goldenStates(t *testing.T) (times []string, states map[string]string) {
	t.Helper()
	f, err := os.Open("../../examples/blink/testdata/blink.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lit := map[string]string{"red": "off", "green": "off"}
	states = map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var at, name, onOff string
		if _, err := fmt.Sscan(sc.Text(), &at, &name, &onOff); err != nil {
			t.Fatalf("golden line %q: %v", sc.Text(), err)
		}
		lit[name] = onOff
		if _, ok := states[at]; !ok {
			times = append(times, at)
		}
		states[at] = "red=" + lit["red"] + " green=" + lit["green"]
	}
	return times, states
}

// key sends a key's down and up.
func key(t *testing.T, tab context.Context, k string) {
	t.Helper()
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyDown, k)
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyUp, k)
}

// keyEvent sends a key going down or up, for keys that are characters.
func keyEvent(t *testing.T, tab context.Context, typ input.DispatchKeyEventType, k string) {
	t.Helper()
	p := input.DispatchKeyEventParams{Type: typ, Key: k}
	if typ == input.DispatchKeyEventTypeKeyDown {
		p.Text = k
	}
	switch {
	case k >= "0" && k <= "9":
		p.Code, p.WindowsVirtualKeyCode = "Digit"+k, int64(k[0])
	case k == " ":
		p.Code, p.WindowsVirtualKeyCode = "Space", 32
	case k == ".":
		p.Code, p.WindowsVirtualKeyCode = "Period", 190
	case k >= "a" && k <= "z":
		p.Code, p.WindowsVirtualKeyCode = "Key"+strings.ToUpper(k), int64(k[0]-'a'+'A')
	}
	if _, err := chromedp.Call(tab, input.DispatchKeyEvent, p); err != nil {
		t.Fatal(err)
	}
}

// centre returns the middle of the element sel, in the page's pixels.
func centre(t *testing.T, tab context.Context, sel string) (x, y float64) {
	t.Helper()
	xy := eval[[]float64](t, tab, `(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	return xy[0], xy[1]
}

func mouse(t *testing.T, tab context.Context, typ input.DispatchMouseEventType, x, y float64) {
	t.Helper()
	opts := []chromedp.MouseOption{}
	if typ != input.DispatchMouseEventTypeMouseMoved {
		opts = append(opts, chromedp.ButtonLeft, chromedp.ClickCount(1))
	}
	if err := chromedp.Do(tab, chromedp.MouseEvent(typ, x, y, opts...)); err != nil {
		t.Fatal(err)
	}
}

func click(t *testing.T, tab context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// diagramXY returns where the timing diagram draws the time at (seconds)
// in the row of the part with the given index, when the clock is at now:
// it shows 5 s, the last 5 s or the first, after a column of names 120
// pixels wide; rows are 34 pixels high under a time axis of 24.
func diagramXY(t *testing.T, tab context.Context, now, at float64, row int) (x, y float64) {
	t.Helper()
	geo := eval[[]float64](t, tab, `(() => { const r = document.querySelector('#wave').getBoundingClientRect(); return [r.x, r.y, r.width]; })()`)
	start := max(0, now-5)
	plotW := geo[2] - 120 - 8
	return geo[0] + 120 + (at-start)/5*plotW, geo[1] + 24 + 34*(float64(row)+0.5)
}

// startPaused starts a lab on the virtual clock, paused, for the test.
func startPaused(t *testing.T, pkg string) *view.Session {
	t.Helper()
	args := []string{program(t, pkg)}
	if pkg != partsPkg {
		args = append(args, "-virtual")
	}
	s, err := view.Start(view.Config{Program: args, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Stepping the blink lab: each step jumps to the next deadline, and the
// page shows the lab's time and LEDs as its golden trace says, whether the
// step comes from the button or the keyboard.
func TestBrowserStepsTheBlinkLab(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	openPage(t, tab, s)

	times, states := goldenStates(t)
	waitPage(t, tab, "the LEDs at 0", ledsJS, states["0.000"])
	waitPage(t, tab, "the time at 0", timeJS, "0.000 s")
	waitPage(t, tab, "the status", `document.querySelector('#status').textContent`, "paused")

	for i, at := range times[1:13] {
		switch i % 3 {
		case 0:
			click(t, tab, "#step")
		case 1:
			key(t, tab, ".")
		case 2:
			key(t, tab, "s")
		}
		waitPage(t, tab, "the time after step "+fmt.Sprint(i+1), timeJS, at+" s")
		waitPage(t, tab, "the LEDs at "+at, ledsJS, states[at])
	}
	// The console shows the lab's trace so far.
	waitPage(t, tab, "the console", `[...document.querySelectorAll('#console .line.out')].slice(0, 3).map(l => l.textContent).join('|')`,
		"0.000 red on|0.000 green on|0.250 green off")

	// The diagram's cursor snaps to the nearest edge: green's at 2.000 s,
	// from 4 pixels away.
	x, y := diagramXY(t, tab, 3.0, 2.0, 1)
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x+4, y)
	waitPage(t, tab, "the cursor", `document.querySelector('#cursor').textContent`, "cursor 2.000000 s  edge of green: 1 → 0")

	// Space resumes the clock, and pauses it again.
	key(t, tab, " ")
	waitPage(t, tab, "the clock running", `document.querySelector('#status').textContent`, "running")
	key(t, tab, " ")
	waitPage(t, tab, "the clock paused", `document.querySelector('#status').textContent`, "paused")
}

// Holding the button with the mouse lights the button lab's red LED; the
// key 1 holds it too.
func TestBrowserHoldTheButton(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, buttonPkg)
	openPage(t, tab, s)

	waitPage(t, tab, "red out", ledsJS, "red=off green=off")
	waitPage(t, tab, "the button up", pressedJS, "button=up,released")

	x, y := centre(t, tab, ".btn-part .cap-wrap")
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x, y)
	mouse(t, tab, input.DispatchMouseEventTypeMousePressed, x, y)
	waitPage(t, tab, "the button held", pressedJS, "button=down,pressed")
	// Held: the lab polls every 20 ms, so the next step lights red. The
	// mouse is busy holding the button: the keyboard steps.
	key(t, tab, ".")
	waitPage(t, tab, "the time of the poll", timeJS, "0.020 s")
	waitPage(t, tab, "red lit", ledsJS, "red=on green=off")
	waitPage(t, tab, "the button still held", pressedJS, "button=down,pressed")
	mouse(t, tab, input.DispatchMouseEventTypeMouseReleased, x, y)
	waitPage(t, tab, "the button let go", pressedJS, "button=up,released")
	waitPage(t, tab, "the console", consoleJS, "out:0.020 red on")

	// The key 1 holds the first button while it is down.
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, 5, 5)
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyDown, "1")
	waitPage(t, tab, "the button held by key 1", pressedJS, "button=down,pressed")
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyUp, "1")
	waitPage(t, tab, "the button let go by key 1", pressedJS, "button=up,released")

	// Leaving the button with the mouse down lets it go.
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x, y)
	mouse(t, tab, input.DispatchMouseEventTypeMousePressed, x, y)
	waitPage(t, tab, "the button held again", pressedJS, "button=down,pressed")
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x+200, y)
	waitPage(t, tab, "the button let go on leaving", pressedJS, "button=up,released")
	mouse(t, tab, input.DispatchMouseEventTypeMouseReleased, x+200, y)

	// A double click is two presses and two releases, in order.
	before := len(s.State().Changes)
	if err := chromedp.Do(tab,
		chromedp.MouseClickXY(x, y, chromedp.ClickCount(1)),
		chromedp.MouseClickXY(x, y, chromedp.ClickCount(2)),
	); err != nil {
		t.Fatal(err)
	}
	st := viewtest.WaitState(t, s, "the double click's four changes", func(st view.State) bool { return len(st.Changes) >= before+4 })
	var levels []string
	for _, c := range st.Changes[before:] {
		levels = append(levels, fmt.Sprintf("%s=%d", c.Name, c.Value))
	}
	if got := strings.Join(levels, " "); got != "button=0 button=1 button=0 button=1" {
		t.Errorf("a double click gave %s, want the button down, up, down, up", got)
	}

	// A finger holds it too.
	touch := func(typ input.DispatchTouchEventType) {
		t.Helper()
		p := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{}}
		if typ == input.DispatchTouchEventTypeTouchStart {
			p.TouchPoints = append(p.TouchPoints, &input.TouchPoint{X: x, Y: y})
		}
		if _, err := chromedp.Call(tab, input.DispatchTouchEvent, p); err != nil {
			t.Fatal(err)
		}
	}
	touch(input.DispatchTouchEventTypeTouchStart)
	waitPage(t, tab, "the button held by a finger", pressedJS, "button=down,pressed")
	touch(input.DispatchTouchEventTypeTouchEnd)
	waitPage(t, tab, "the button let go by the finger", pressedJS, "button=up,released")
}

// A line typed in the console reaches the program: the button lab presses
// its button for each line it reads.
func TestBrowserConsoleInput(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, buttonPkg)
	openPage(t, tab, s)
	waitPage(t, tab, "red out", ledsJS, "red=off green=off")

	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#console-input"), "press it\n")); err != nil {
		t.Fatal(err)
	}
	waitPage(t, tab, "the line echoed", consoleJS, "in:press it")
	waitPage(t, tab, "the input cleared", `document.querySelector('#console-input').value`, "")
	waitPage(t, tab, "the button pressed by the program", pressedJS, "button=down,pressed")
	click(t, tab, "#step")
	waitPage(t, tab, "red lit", ledsJS, "red=on green=off")
	waitPage(t, tab, "the program's output", consoleJS, "in:press it\nout:0.020 red on")
}

// The VCD download saves board.vcd with every signal.
func TestBrowserDownloadsTheVCD(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	openPage(t, tab, s)
	for _, at := range []string{"0.250 s", "0.500 s"} {
		click(t, tab, "#step")
		waitPage(t, tab, "a step", timeJS, at)
	}

	dir := t.TempDir()
	yes := true
	begin := chromedp.Events(tab, browser.DownloadWillBegin)
	progress := chromedp.Events(tab, browser.DownloadProgress)
	if _, err := chromedp.Call(tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:      browser.SetDownloadBehaviorBehaviorAllow,
		DownloadPath:  dir,
		EventsEnabled: &yes,
	}); err != nil {
		t.Fatal(err)
	}
	click(t, tab, "#vcd")
	for ev, err := range begin {
		if err != nil {
			t.Fatal(err)
		}
		if ev.SuggestedFilename != "board.vcd" {
			t.Errorf("the download is named %q, want board.vcd", ev.SuggestedFilename)
		}
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "board.vcd"))
	if err != nil {
		t.Fatal(err)
	}
	vcd := string(b)
	if !strings.HasPrefix(vcd, "$date") && !strings.HasPrefix(vcd, "$timescale") && !strings.HasPrefix(vcd, "$version") {
		t.Errorf("the file does not start as a VCD:\n%s", vcd)
	}
	for _, want := range []string{"$scope module lab $end", " red ", " green ", " button ", "#250000000", "#500000000"} {
		if !strings.Contains(vcd, want) {
			t.Errorf("the VCD has no %q:\n%s", want, vcd)
		}
	}
	// GTKWave can read it, where it is installed.
	if vcd2fst, err := exec.LookPath("vcd2fst"); err == nil {
		out, err := exec.Command(vcd2fst, filepath.Join(dir, "board.vcd"), filepath.Join(dir, "board.fst")).CombinedOutput()
		if err != nil {
			t.Errorf("vcd2fst: %v\n%s", err, out)
		}
	}
}

// A malformed command and an unknown part show their error, and the page
// goes on.
func TestBrowserShowsErrors(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	openPage(t, tab, s)
	waitPage(t, tab, "no error", errorJS, "")

	eval[chromedp.Void](t, tab, `void window.boardPage.post("press", '{"name":')`)
	waitPage(t, tab, "the malformed command's error", errorJS, "press: malformed JSON body: unexpected EOF")
	eval[chromedp.Void](t, tab, `void window.boardPage.post("press", {name: "nope"})`)
	waitPage(t, tab, "the unknown part's error", errorJS, `press: view: no such part: "nope"`)
	eval[chromedp.Void](t, tab, `void window.boardPage.post("speed", {speed: -1})`)
	waitPage(t, tab, "the bad speed's error", `document.querySelector('#error').textContent.startsWith('speed: ') + ''`, "true")

	// The page goes on: a step and a speed work.
	click(t, tab, "#step")
	waitPage(t, tab, "a step", timeJS, "0.250 s")
	click(t, tab, `button.speed[data-speed="10"]`)
	waitPage(t, tab, "the speed", `document.querySelector('#speed').textContent + ' ' + document.querySelector('button.speed.active').dataset.speed`, "10× 10")
	key(t, tab, "-")
	waitPage(t, tab, "a slower speed", `document.querySelector('#speed').textContent`, "2×")
	if st := s.State(); st.Speed != 2 {
		t.Errorf("the Session's speed is %v, want 2", st.Speed)
	}
}

// Two tabs show the same board; a restart shows the new run in both.
func TestBrowserTwoTabs(t *testing.T) {
	tab1 := newBrowser(t)
	s := startPaused(t, blinkPkg)
	url := openPage(t, tab1, s)
	tab2 := newTab(t, tab1)
	load(t, tab2, url)

	_, states := goldenStates(t)
	for _, tab := range []context.Context{tab1, tab2} {
		waitPage(t, tab, "the LEDs at 0", ledsJS, states["0.000"])
	}
	for _, at := range []string{"0.250", "0.500", "0.750", "1.000"} {
		click(t, tab1, "#step")
		for i, tab := range []context.Context{tab1, tab2} {
			waitPage(t, tab, fmt.Sprintf("tab %d's time", i+1), timeJS, at+" s")
			waitPage(t, tab, fmt.Sprintf("tab %d's LEDs at %s", i+1, at), ledsJS, states[at])
		}
	}

	// Restart from the second tab: both show run 2 from its start.
	click(t, tab2, "#restart")
	for i, tab := range []context.Context{tab1, tab2} {
		waitPage(t, tab, fmt.Sprintf("tab %d's run", i+1), `document.querySelector('#run').textContent`, "2")
		waitPage(t, tab, fmt.Sprintf("tab %d's time", i+1), timeJS, "0.000 s")
		waitPage(t, tab, fmt.Sprintf("tab %d's LEDs", i+1), ledsJS, states["0.000"])
	}
}

// When its connection drops, the page connects again and shows the board
// as it is then.
func TestBrowserReconnects(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	ts := serve(t, s)
	load(t, tab, ts.URL)
	_, states := goldenStates(t)
	waitPage(t, tab, "the LEDs at 0", ledsJS, states["0.000"])

	ts.CloseClientConnections()
	waitPage(t, tab, "the page disconnected", `document.querySelector('#status').dataset.state`, "connecting")
	// While it is away, the clock moves on.
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	waitPage(t, tab, "the page back", `document.querySelector('#status').dataset.state`, "paused")
	waitPage(t, tab, "the time after the step", timeJS, "0.250 s")
	waitPage(t, tab, "the LEDs after the step", ledsJS, states["0.250"])
}

// A PWM LED is drawn dimmed and its duty as a bus in the diagram; an
// input pin is driven from the page, an output pin only shown.
func TestBrowserPWMAndPins(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, partsPkg)
	ts := serve(t, s)
	if err := chromedp.Do(tab,
		chromedp.Navigate(ts.URL),
		chromedp.WaitVisible(chromedp.CSS(`#parts .part[data-name="relay"]`)),
	); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chromedp.Do(tab, chromedp.Navigate("about:blank")) })

	lampJS := `(() => { const e = document.querySelector('#parts .part[data-name="lamp"]');
		return e.querySelector('.detail').textContent + ' ' + e.querySelector('.dome').getAttribute('opacity'); })()`
	pinsJS := `[...document.querySelectorAll('#parts .pin-part')].map(e => e.dataset.name + '=' + e.querySelector('.level').textContent +
		(e.querySelector('button.drive') ? ' (input)' : ' (output)')).join(' ')`
	waitPage(t, tab, "the lamp out", lampJS, "0% 0.18")
	waitPage(t, tab, "the pins", pinsJS, "sensor=0 (input) relay=0 (output)")

	// One step goes past the ten polls that change nothing to the lamp's
	// next change, at 100 ms: 25%.
	key(t, tab, ".")
	waitPage(t, tab, "a step", timeJS, "0.100 s")
	waitPage(t, tab, "the lamp at 25%", lampJS, "25% 0.385")

	// Drive the sensor high: the relay follows at the next poll.
	click(t, tab, `#parts .part[data-name="sensor"] button.drive`)
	waitPage(t, tab, "the sensor driven", pinsJS, "sensor=1 (input) relay=0 (output)")
	key(t, tab, ".")
	waitPage(t, tab, "the next poll", timeJS, "0.110 s")
	waitPage(t, tab, "the relay following", pinsJS, "sensor=1 (input) relay=1 (output)")

	// The diagram reads the lamp's duty at its edge.
	x, y := diagramXY(t, tab, 0.11, 0.1, 0)
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x+2, y)
	waitPage(t, tab, "the cursor on the lamp", `document.querySelector('#cursor').textContent`, "cursor 0.100000 s  edge of lamp: 0% → 25%")
	// And the relay's.
	x, y = diagramXY(t, tab, 0.11, 0.11, 2)
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x-2, y)
	waitPage(t, tab, "the cursor on the relay", `document.querySelector('#cursor').textContent`, "cursor 0.110000 s  edge of relay: 0 → 1")
}

// TestBrowserScreenshot draws the page for the README: the blink lab
// stepped to 3.5 s, the cursor on an edge and a marker set. It checks that
// docs/board.png still shows the page (same size, and the same picture on
// a coarse grid, which fonts and anti-aliasing do not change), and writes
// it instead with -screenshot or UPDATE_SCREENSHOT=1.
func TestBrowserScreenshot(t *testing.T) {
	update := *screenshot || os.Getenv("UPDATE_SCREENSHOT") == "1"
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	openPage(t, tab, s)
	times, states := goldenStates(t)
	for _, at := range times[1:15] {
		key(t, tab, ".")
		waitPage(t, tab, "a step", timeJS, at+" s")
	}
	waitPage(t, tab, "the LEDs", ledsJS, states[times[14]])

	// A marker at red's edge at 1.000 s, the cursor at green's at 2.750 s.
	x, y := diagramXY(t, tab, 3.5, 1.0, 0)
	if err := chromedp.Do(tab, chromedp.MouseClickXY(x+3, y)); err != nil {
		t.Fatal(err)
	}
	x, y = diagramXY(t, tab, 3.5, 2.75, 1)
	mouse(t, tab, input.DispatchMouseEventTypeMouseMoved, x+3, y)
	waitPage(t, tab, "the cursor", `document.querySelector('#cursor').textContent`,
		"cursor 2.750000 s  edge of green: 0 → 1  Δ from marker 1.750000 s")
	png, err := screenshotLike(tab, "../../docs/board.png")
	if !update {
		if err != nil {
			t.Fatalf("docs/board.png does not show the page as it is: %v\n(if the page changed on purpose: UPDATE_SCREENSHOT=1 go test ./view/web -run Screenshot)", err)
		}
		return
	}
	if png == nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../../docs/board.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote docs/board.png")
}

// screenshotLike takes screenshots of the page until one is the same as
// the PNG in file (as sameScreenshot compares them), for up to
// viewtest.Bound: the page draws a frame or two after its state changes,
// later on a loaded machine. It returns the last screenshot, and the last
// difference if none matched.
func screenshotLike(tab context.Context, file string) ([]byte, error) {
	deadline := time.Now().Add(viewtest.Bound)
	for {
		time.Sleep(100 * time.Millisecond)
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			return nil, err
		}
		err = sameScreenshot(file, png)
		if err == nil || time.Now().After(deadline) {
			return png, err
		}
	}
}

// sameScreenshot compares the PNG in the file with got: the same width, a
// height within 2%, and on a 24×24 grid of cells over each every cell's
// mean colour within 24 of 255 per channel, and the cells' mean difference
// within 4.
func sameScreenshot(file string, got []byte) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	want, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	have, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return fmt.Errorf("the page's screenshot: %v", err)
	}
	// The page's height follows its text, which fonts change a little.
	ws, hs := want.Bounds().Size(), have.Bounds().Size()
	if ws.X != hs.X || math.Abs(float64(ws.Y-hs.Y)) > 0.02*float64(ws.Y) {
		return fmt.Errorf("it is %v, the page %v", ws, hs)
	}
	const grid = 24
	a, c := cells(want, grid), cells(have, grid)
	var sum, worst float64
	worstAt := 0
	for i := range a {
		d := math.Abs(a[i] - c[i])
		sum += d
		if d > worst {
			worst, worstAt = d, i
		}
	}
	if mean := sum / float64(len(a)); worst > 24 || mean > 4 {
		cell := worstAt / 3
		return fmt.Errorf("the pictures differ: by %.1f in the cell at column %d, row %d of a %d×%d grid; by %.2f on average", worst, cell%grid, cell/grid, grid, grid, mean)
	}
	return nil
}

// cells returns the mean red, green and blue (0 to 255) of each cell of an
// n×n grid over img, row by row.
func cells(img image.Image, n int) []float64 {
	r := img.Bounds()
	out := make([]float64, 3*n*n)
	counts := make([]float64, n*n)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := (y-r.Min.Y)*n/r.Dy()*n + (x-r.Min.X)*n/r.Dx()
			cr, cg, cb, _ := img.At(x, y).RGBA()
			out[3*i] += float64(cr >> 8)
			out[3*i+1] += float64(cg >> 8)
			out[3*i+2] += float64(cb >> 8)
			counts[i]++
		}
	}
	for i := range out {
		out[i] /= max(counts[i/3], 1)
	}
	return out
}

// TestSameScreenshot: the comparison takes the picture as it is and refuses
// it upside down.
func TestSameScreenshot(t *testing.T) {
	b, err := os.ReadFile("../../docs/board.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameScreenshot("../../docs/board.png", b); err != nil {
		t.Errorf("the same picture: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	flipped := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			flipped.Set(x, r.Max.Y-1-(y-r.Min.Y), img.At(x, y))
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, flipped)
	if err := sameScreenshot("../../docs/board.png", buf.Bytes()); err == nil {
		t.Error("the picture upside down passes")
	}
}

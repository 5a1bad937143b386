package web_test

// The strip lab in the page: the WS2812 strip as a row of LEDs in the
// colours the simulated strip shows.

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"

	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

const stripPkg = "github.com/goasyncio/asyncio/examples/strip"

// stripJS gives the strip's LEDs as the page drew them: each LED's colour
// as its style paints it, "#rrggbb", or "off" for a dark one.
const stripJS = `[...document.querySelectorAll('#parts .part[data-name="strip"] .pixel')].map(e => {
	const bg = getComputedStyle(e).backgroundColor;
	const m = bg.match(/\d+/g).map(Number);
	const hex = '#' + m.slice(0, 3).map(v => v.toString(16).padStart(2, '0')).join('');
	return e.dataset.colour === '#000000' && hex === '#2b2b2b' ? 'off' : hex;
}).join(' ')`

// sessionStrip gives the strip's colours as the Session has them, in
// stripJS's form.
func sessionStrip(s *view.Session) string {
	var out []string
	for _, c := range viewtest.Part(s.State(), "strip").Colours {
		if c == "#000000" {
			c = "off"
		}
		out = append(out, c)
	}
	return strings.Join(out, " ")
}

// The page draws the strip's eight LEDs as the Session has them, and
// follows the comet as the clock steps; a click of the button (key 1)
// turns it green.
func TestBrowserStrip(t *testing.T) {
	tab := newBrowser(t)
	s, err := view.Start(view.Config{Program: []string{program(t, stripPkg), "-virtual", "-for", "10m"}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	openPage(t, tab, s)
	viewtest.WaitState(t, s, "the strip's first frame", func(st view.State) bool {
		return len(viewtest.Part(st, "strip").Colours) == 8 && viewtest.Part(st, "strip").Colours[0] == "#ff0000"
	})
	want := "#ff0000 off off off off off #0f0000 #3f0000"
	if got := sessionStrip(s); got != want {
		t.Fatalf("the Session's strip: %s, want %s", got, want)
	}
	waitPage(t, tab, "the strip at 0", stripJS, want)
	waitPage(t, tab, "the strip's label", `document.querySelector('#parts .part[data-name="strip"] .detail').textContent`, "8 × WS2812")
	waitPage(t, tab, "the bus", `document.querySelector('#parts .part[data-name="spi0"] .detail').textContent`, "SPI bus")

	for _, at := range []string{"0.100 s", "0.200 s"} {
		click(t, tab, "#step")
		waitPage(t, tab, "the time after a step", timeJS, at)
	}
	waitPage(t, tab, "the strip at 0.2 s", stripJS, "#0f0000 #3f0000 #ff0000 off off off off off")

	// Hold the button (key 1) and step: the button task sees the press at
	// its next poll, and the comet's next move is green.
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyDown, "1")
	viewtest.WaitState(t, s, "the button pressed", func(st view.State) bool { return viewtest.Part(st, "button").Pressed })
	green := func() bool { return strings.Contains(sessionStrip(s), "#00ff00") }
	for i := 0; !green(); i++ {
		if i == 50 {
			t.Fatalf("no green comet after 50 steps; the strip: %s", sessionStrip(s))
		}
		stepOnce(t, tab)
	}
	keyEvent(t, tab, input.DispatchKeyEventTypeKeyUp, "1")
	waitPage(t, tab, "the page's strip as the Session's", stripJS, sessionStrip(s))
	if got := eval[string](t, tab, stripJS); !strings.Contains(got, "#00ff00") {
		t.Errorf("the page's strip after the click: %s, want the green comet", got)
	}
}

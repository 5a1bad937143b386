package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// scriptedServer serves the page from static/ with an event stream that the
// test writes, event by event, as a Session's server would; commands are
// accepted and do nothing.
type scriptedServer struct {
	*httptest.Server
	events chan [2]string // name and data
}

func newScriptedServer(t *testing.T) *scriptedServer {
	t.Helper()
	s := &scriptedServer{events: make(chan [2]string)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("static", "index.html"))
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))
	mux.HandleFunc("POST /api/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for {
			select {
			case e := <-s.events:
				fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e[0], e[1])
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// send sends the page an event with v as its data.
func (s *scriptedServer) send(t *testing.T, name string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s.events <- [2]string{name, string(data)}:
	case <-time.After(10 * time.Second):
		t.Fatalf("the page does not read its events (%s %s)", name, data)
	}
}

// TestBrowserClockNeverGoesBack: the clock the page shows, which it moves on
// by itself between the server's readings, never goes backwards while the
// program runs: not when the clock pauses behind what was shown, nor on a
// step, a resume, a change of speed or a reading behind it.
func TestBrowserClockNeverGoesBack(t *testing.T) {
	tab := newBrowser(t)
	srv := newScriptedServer(t)
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chromedp.Do(tab, chromedp.Navigate("about:blank")) })
	const ms = int64(time.Millisecond)
	clock := func(at int64, speed float64, paused bool) map[string]any {
		return map[string]any{"type": "clock", "run": 1, "time": at, "speed": speed, "paused": paused}
	}
	srv.send(t, "state", map[string]any{"now": 1000 * ms, "state": map[string]any{
		"board": "lab", "run": 1, "time": 1000 * ms, "speed": 1, "paused": false, "running": true,
		"parts": []map[string]any{{"name": "red", "kind": "led", "colour": "red", "level": 0}},
	}})
	waitPage(t, tab, "the board", `String(document.querySelectorAll('#parts .led').length)`, "1")
	// Record what the page shows, at every frame and in between.
	eval[bool](t, tab, `(() => {
		window.shown = [];
		const sample = () => window.shown.push([window.boardPage.time(), document.querySelector('#time').textContent]);
		(function frame() { sample(); requestAnimationFrame(frame); })();
		setInterval(sample, 2);
		return true;
	})()`)
	time.Sleep(300 * time.Millisecond) // the page shows about 1.3 s
	srv.send(t, "update", clock(1050*ms, 1, true))
	time.Sleep(100 * time.Millisecond)
	// A step, to the next change, still behind what was shown.
	srv.send(t, "update", map[string]any{"type": "level", "run": 1,
		"part":   map[string]any{"name": "red", "kind": "led", "colour": "red", "level": 1, "brightness": 100},
		"change": map[string]any{"name": "red", "at": 1100 * ms, "value": 1}})
	srv.send(t, "update", clock(1100*ms, 1, true))
	time.Sleep(100 * time.Millisecond)
	srv.send(t, "update", clock(1100*ms, 1, false)) // resume
	time.Sleep(100 * time.Millisecond)
	srv.send(t, "now", map[string]any{"now": 1150 * ms}) // a reading behind the page
	time.Sleep(100 * time.Millisecond)
	srv.send(t, "update", clock(1200*ms, 10, false)) // ten times faster
	time.Sleep(100 * time.Millisecond)
	srv.send(t, "update", clock(1250*ms, 0.5, false)) // slower
	time.Sleep(100 * time.Millisecond)
	srv.send(t, "update", clock(9000*ms, 0.5, true)) // paused well ahead: the page catches up
	time.Sleep(100 * time.Millisecond)

	if faults := eval[[]string](t, tab, `window.boardPage.faults()`); len(faults) > 0 {
		t.Errorf("the page failed: %q", faults)
	}
	samples := eval[[][2]any](t, tab, `window.shown`)
	if len(samples) < 50 {
		t.Fatalf("only %d samples of the clock", len(samples))
	}
	var last float64
	lastText := ""
	for i, s := range samples {
		ns, _ := s[0].(float64)
		text, _ := s[1].(string)
		secs, err := strconv.ParseFloat(strings.TrimSuffix(text, " s"), 64)
		if err != nil {
			t.Fatalf("the clock shows %q", text)
		}
		if ns < last || (lastText != "" && secs < mustSeconds(lastText)) {
			t.Fatalf("sample %d: the clock went back from %.3f s (%q) to %.3f s (%q)", i, last/1e9, lastText, ns/1e9, text)
		}
		last, lastText = ns, text
	}
	if last != float64(9000*ms) || lastText != "9.000 s" {
		t.Errorf("the clock ends at %v (%q), want 9 s, paused", last/1e9, lastText)
	}
}

func mustSeconds(text string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimSuffix(text, " s"), 64)
	return v
}

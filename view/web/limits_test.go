package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
	"github.com/goasyncio/asyncio/view/web"
)

// TestEventStreamsAreBounded: pages beyond MaxEventStreams are answered
// 503 with a reason, and a stream that ends makes room for another.
func TestEventStreamsAreBounded(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)
	streams := make([]*stream, web.MaxEventStreams)
	for i := range streams {
		streams[i] = openEvents(t, ts.URL)
		streams[i].next()
	}
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 512)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body[:n]), fmt.Sprintf("at most %d event streams", web.MaxEventStreams)) {
		t.Errorf("stream %d: %s %q, want 503 saying why", web.MaxEventStreams+1, resp.Status, body[:n])
	}
	streams[0].close()
	deadline := time.Now().Add(viewtest.Bound)
	for {
		resp, err := http.Get(ts.URL + "/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a stream ended: %s", resp.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestBadSpeeds: speeds too small or too large for a clock are refused
// with the range.
func TestBadSpeeds(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)
	for _, body := range []string{`{"speed":5e-324}`, `{"speed":1e308}`, `{"speed":0}`, `{"speed":-1}`} {
		code, msg := post(t, ts.URL, "speed", body)
		if code != http.StatusBadRequest || !strings.Contains(msg, "want 0.001 to 1000") {
			t.Errorf("speed %s: %d %q, want 400 with the range", body, code, msg)
		}
	}
	if code, msg := post(t, ts.URL, "speed", `{"speed":1000}`); code != http.StatusNoContent {
		t.Errorf("speed 1000: %d %q", code, msg)
	}
}

// TestInputToAProgramThatDoesNotRead: a program that never reads its input
// does not hold POST /api/input: once the pipe is full, a line is refused
// with 409 after a bounded wait.
func TestInputToAProgramThatDoesNotRead(t *testing.T) {
	s := startLab(t, blinkPkg) // blink never reads its input
	ts := serve(t, s)
	line := strings.Repeat("x", 32<<10)
	begin := time.Now()
	for i := 0; ; i++ {
		code, msg := post(t, ts.URL, "input", `{"line":"`+line+`"}`)
		if code == http.StatusConflict {
			if !strings.Contains(msg, "has not read its input") {
				t.Errorf("refused with %q", msg)
			}
			break
		}
		if code != http.StatusNoContent {
			t.Fatalf("input %d: %d %q", i, code, msg)
		}
		if i > 100 {
			t.Fatal("100 lines of 32 KiB taken by a program that does not read")
		}
	}
	if d := time.Since(begin); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	// The session goes on.
	if code, msg := post(t, ts.URL, "pause", ""); code != http.StatusNoContent {
		t.Errorf("pause after: %d %q", code, msg)
	}
}

// TestFirstViewerStartsTheRun: a Session that waits for a viewer starts
// its program when the first page opens its event stream, which then shows
// the run from its start.
func TestFirstViewerStartsTheRun(t *testing.T) {
	bin := program(t, blinkPkg)
	s, err := view.Start(view.Config{Program: []string{bin, "-virtual"}, WaitForViewer: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ts := serve(t, s)
	time.Sleep(300 * time.Millisecond) // a program started now would have run
	if st := s.State(); st.Run != 0 || st.Running || len(st.Parts) != 0 || st.Time != 0 {
		t.Fatalf("before a viewer: run %d running %v parts %d time %v", st.Run, st.Running, len(st.Parts), st.Time)
	}
	resp, err := http.Get(ts.URL + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := s.State(); st.Run != 0 {
		t.Fatal("GET /api/state started the program")
	}
	es := openEvents(t, ts.URL)
	e := es.next()
	st := decodeJSON[stateData](t, e.data).State
	if e.name != "state" || st.Run != 1 || !st.Running {
		t.Fatalf("first event %s: run %d running %v", e.name, st.Run, st.Running)
	}
	// The page sees the lab from its start: green lit at 0, out at 0.250,
	// in the state or in the updates after it, each once.
	var at []time.Duration
	fromState := func(st view.State) {
		at = nil
		for _, c := range st.Changes {
			if c.Name == "green" {
				at = append(at, c.At)
			}
		}
	}
	fromState(st)
	es.until("the green LED's first two changes", func(e event) bool {
		if len(at) >= 2 {
			return true
		}
		if e.name == "state" { // the board's name came, say
			fromState(decodeJSON[stateData](t, e.data).State)
			return len(at) >= 2
		}
		if e.name != "update" {
			return false
		}
		u := decodeJSON[view.Update](t, e.data)
		if u.Type == view.UpdateLevel && u.Change.Name == "green" {
			at = append(at, u.Change.At)
		}
		return len(at) == 2
	})
	if len(at) < 2 || at[0] != 0 || at[1] != 250*time.Millisecond {
		t.Errorf("the green LED changed at %v, want 0s and 250ms", at)
	}
	// A second page does not start another run.
	es2 := openEvents(t, ts.URL)
	if st := decodeJSON[stateData](t, es2.next().data).State; st.Run != 1 {
		t.Errorf("second page: run %d", st.Run)
	}
}

// TestRemoteNeedsAFlagAndAToken: Listen refuses an address beyond the
// loopback interface unless asked with Remote, and then every request
// needs the token.
func TestRemoteNeedsAFlagAndAToken(t *testing.T) {
	testenv.SkipIfEmulated(t, "starts a native program")
	s, err := view.Start(view.Config{Program: []string{"true"}, WaitForViewer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, addr := range []string{":8080", "0.0.0.0:0", "[::]:0", "192.0.2.1:8080", "example.com:80"} {
		if _, err := web.Listen(s, addr); !errors.Is(err, web.ErrNotLoopback) || !strings.Contains(err.Error(), "Remote") {
			t.Errorf("Listen(%q) = %v, want ErrNotLoopback naming Remote", addr, err)
		}
	}
	if _, err := web.Listen(s, "127.0.0.1:0", web.Remote("short")); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a short token: %v", err)
	}
	// On loopback, so that the test stays on this machine; the token is
	// required all the same.
	token := wire.NewToken()
	srv, err := web.Listen(s, "127.0.0.1:0", web.Remote(token))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasSuffix(srv.URL, "/?token="+token) {
		t.Fatalf("URL %q has no token", srv.URL)
	}
	base := strings.TrimSuffix(srv.URL, "/?token="+token)
	get := func(url string, h func(*http.Request)) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if h != nil {
			h(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, u := range []string{base + "/", base + "/api/state", base + "/?token=" + strings.Repeat("0", 32)} {
		if resp := get(u, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %s, want 403", u, resp.Status)
		}
	}
	resp := get(srv.URL, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", srv.URL, resp.Status)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		cookie = c
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("no HttpOnly cookie: %v", resp.Cookies())
	}
	if resp := get(base+"/api/state", func(r *http.Request) { r.AddCookie(cookie) }); resp.StatusCode != 200 {
		t.Errorf("with the cookie: %s", resp.Status)
	}
	if resp := get(base+"/api/state", func(r *http.Request) { r.Header.Set("Authorization", "token "+token) }); resp.StatusCode != 200 {
		t.Errorf("with the header: %s", resp.Status)
	}
	http.DefaultClient.CloseIdleConnections()
}

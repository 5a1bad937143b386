package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
	"github.com/goasyncio/asyncio/view/web"
)

const (
	blinkPkg  = "github.com/goasyncio/asyncio/examples/blink"
	buttonPkg = "github.com/goasyncio/asyncio/examples/button"
)

// The lab programs are built once for the whole run, into binDir.
var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// program returns the path of the lab pkg, built for this run. It skips the
// test where programs cannot be built and started.
func program(t *testing.T, pkg string) string {
	t.Helper()
	testenv.SkipIfEmulated(t, "builds and starts a native program")
	testenv.SkipIfNoCommand(t, "go")
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[pkg]; ok {
		return bin
	}
	bin := filepath.Join(binDir, path.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built[pkg] = bin
	return bin
}

// startLab starts a Session of a lab on the virtual clock (-virtual, so
// that its times are the lab's own), paused, and waits until its board has
// connected. The Session is closed when the test ends.
func startLab(t *testing.T, pkg string, args ...string) *view.Session {
	t.Helper()
	bin := program(t, pkg)
	s, err := view.Start(view.Config{Program: append([]string{bin, "-virtual"}, args...), Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	viewtest.WaitState(t, s, "the board to connect", func(st view.State) bool { return len(st.Parts) == 3 })
	return s
}

// serve serves the page of s on a test server, closed when the test ends
// (after the streams the test opens after it).
func serve(t *testing.T, s *view.Session) *httptest.Server {
	ts := httptest.NewServer(web.Handler(s))
	t.Cleanup(ts.Close)
	return ts
}

// event is one Server-Sent Event.
type event struct {
	name, data string
}

// stream is an open GET /events.
type stream struct {
	t      *testing.T
	events chan event
	cancel func()
	done   chan struct{}
}

// openEvents opens the event stream of the server at url; it is closed when
// the test ends, or by close.
func openEvents(t *testing.T, url string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("GET /events: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &stream{t: t, events: make(chan event, 1000), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.name != "" || e.data != "" {
					s.events <- e
				}
				e = event{}
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *stream) close() {
	s.cancel()
	<-s.done
}

// next returns the next event other than "now", failing the test if none
// comes within a minute.
func (s *stream) next() event {
	s.t.Helper()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				s.t.Fatal("the event stream ended")
			}
			if e.name == "now" {
				continue
			}
			return e
		case <-time.After(time.Minute):
			s.t.Fatal("no event for a minute")
		}
	}
}

// until reads events until ok holds for one, and returns it.
func (s *stream) until(what string, ok func(event) bool) event {
	s.t.Helper()
	for {
		if e := s.next(); ok(e) {
			return e
		}
	}
}

type stateData struct {
	Now   time.Duration `json:"now"`
	State view.State    `json:"state"`
}

func decodeJSON[T any](t *testing.T, data string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("event data %q: %v", data, err)
	}
	return v
}

// post sends a command and returns the status and the error message.
func post(t *testing.T, url, command, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+"/api/"+command, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusNoContent {
		return resp.StatusCode, ""
	}
	var e struct{ Error string }
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("POST %s %s: %s, body %q is not a JSON error", command, body, resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST %s: Content-Type %q", command, ct)
	}
	return resp.StatusCode, e.Error
}

func TestEventsStartWithTheState(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	es := openEvents(t, ts.URL)
	first := es.next()
	if first.name != "state" {
		t.Fatalf("first event %q, want state", first.name)
	}
	st := decodeJSON[stateData](t, first.data).State
	if st.Run != 1 || !st.Running || !st.Paused || st.Board != "lab" {
		t.Errorf("state: run %d, running %v, paused %v, board %q; want 1, true, true, lab", st.Run, st.Running, st.Paused, st.Board)
	}
	var names []string
	for _, p := range st.Parts {
		names = append(names, p.Name+":"+p.Kind)
	}
	if got := strings.Join(names, " "); got != "red:led green:led button:button" {
		t.Errorf("parts %s", got)
	}

	// A step: the green LED goes out at 0.250, and the stream says so.
	if code, msg := post(t, ts.URL, "step", ""); code != http.StatusNoContent {
		t.Fatalf("step: %d %s", code, msg)
	}
	// (The changes at 0 may come first: the board may still be setting up.)
	e := es.until("a change after 0", func(e event) bool {
		return e.name == "update" && strings.Contains(e.data, `"type":"level"`) && decodeJSON[view.Update](t, e.data).Change.At > 0
	})
	u := decodeJSON[view.Update](t, e.data)
	if u.Change.Name != "green" || u.Change.At != 250*time.Millisecond || u.Part.Lit() {
		t.Errorf("first change after a step: %+v, want green out at 250ms", u)
	}
	es.close()
}

func TestCommandsReachTheSession(t *testing.T) {
	s := startLab(t, buttonPkg)
	ts := serve(t, s)

	for _, c := range []struct{ command, body string }{
		{"press", `{"name":"button"}`},
		{"speed", `{"speed":0.5}`},
	} {
		if code, msg := post(t, ts.URL, c.command, c.body); code != http.StatusNoContent {
			t.Fatalf("%s %s: %d %s", c.command, c.body, code, msg)
		}
	}
	st := viewtest.WaitState(t, s, "the button pressed", func(st view.State) bool { return viewtest.Part(st, "button").Pressed })
	if st.Speed != 0.5 {
		t.Errorf("speed %v, want 0.5", st.Speed)
	}
	// The lab polls every 20 ms: one step and red is lit.
	post(t, ts.URL, "step", "{}")
	viewtest.WaitState(t, s, "red lit", func(st view.State) bool { return viewtest.Part(st, "red").Lit() })

	post(t, ts.URL, "release", `{"name":"button"}`)
	viewtest.WaitState(t, s, "the button released", func(st view.State) bool { return !viewtest.Part(st, "button").Pressed })

	if code, msg := post(t, ts.URL, "input", `{"line":"hello"}`); code != http.StatusNoContent {
		t.Fatalf("input: %d %s", code, msg)
	}
	viewtest.WaitState(t, s, "the line echoed", func(st view.State) bool {
		for _, l := range st.Console {
			if l.Stream == view.Stdin && l.Text == "hello" {
				return true
			}
		}
		return false
	})

	post(t, ts.URL, "resume", "")
	viewtest.WaitState(t, s, "the clock running", func(st view.State) bool { return !st.Paused })
	post(t, ts.URL, "pause", "")
	viewtest.WaitState(t, s, "the clock paused", func(st view.State) bool { return st.Paused })

	post(t, ts.URL, "restart", "")
	viewtest.WaitState(t, s, "the second run's board", func(st view.State) bool { return st.Run == 2 && len(st.Parts) == 3 })
}

func TestBadCommands(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	for _, c := range []struct {
		command, body string
		code          int
		want          string // in the message
	}{
		{"press", `{"name":`, 400, "malformed JSON"},
		{"press", `not json`, 400, "malformed JSON"},
		{"press", `{"name":"button"} {}`, 400, "more after"},
		{"press", `{"nmae":"button"}`, 400, `unknown field "nmae"`},
		{"press", `{}`, 400, `missing "name"`},
		{"press", ``, 400, `missing "name"`},
		{"press", `{"name":"nope"}`, 400, `no such part: "nope"`},
		{"press", `{"name":"red"}`, 400, "not an input"},
		{"release", `{"name":42}`, 400, "malformed JSON"},
		{"drive", `{"name":"button","value":2}`, 400, "want 0 or 1"},
		{"drive", `{"name":"red"}`, 400, `missing "value"`},
		{"drive", `{"name":"red","value":1}`, 400, "not an input"},
		{"speed", `{"speed":0}`, 400, "positive finite"},
		{"speed", `{"speed":-2}`, 400, "positive finite"},
		{"speed", `{"speed":"fast"}`, 400, "malformed JSON"},
		{"speed", `{}`, 400, `missing "speed"`},
		{"input", `{"line":"two\nlines"}`, 400, "one line"},
		{"input", `{}`, 400, `missing "line"`},
		{"pause", `{"name":"x"}`, 400, "unknown field"},
		{"launch", `{}`, 404, "no command"},
		{"press", strings.Repeat(" ", 70<<10) + `{"name":"button"}`, 400, "longer than"},
	} {
		code, msg := post(t, ts.URL, c.command, c.body)
		if code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("POST /api/%s %.40q: %d %q, want %d and a message with %q", c.command, c.body, code, msg, c.code, c.want)
		}
		if c.code == 400 && !strings.HasPrefix(msg, c.command+": ") {
			t.Errorf("POST /api/%s: message %q does not name the command", c.command, msg)
		}
	}

	// A command with GET is not allowed.
	resp, err := http.Get(ts.URL + "/api/step")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/step: %s, want 405", resp.Status)
	}

	// The server goes on: a good command still works.
	if code, msg := post(t, ts.URL, "step", ""); code != http.StatusNoContent {
		t.Fatalf("step after the bad ones: %d %s", code, msg)
	}
	viewtest.WaitState(t, s, "green out", func(st view.State) bool { return !viewtest.Part(st, "green").Lit() })
}

func TestCommandsAfterTheEnd(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	post(t, ts.URL, "speed", `{"speed":100}`)
	post(t, ts.URL, "resume", "")
	viewtest.WaitState(t, s, "the program to end", func(st view.State) bool { return !st.Running })
	if code, msg := post(t, ts.URL, "press", `{"name":"button"}`); code != http.StatusConflict || !strings.Contains(msg, "not running") {
		t.Errorf("press after the end: %d %q, want 409 and not running", code, msg)
	}

	s.Close()
	if code, msg := post(t, ts.URL, "step", ""); code != http.StatusServiceUnavailable || !strings.Contains(msg, "closed") {
		t.Errorf("step after Close: %d %q, want 503 and closed", code, msg)
	}
}

func TestCrossOriginCommandsRefused(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	req, _ := http.NewRequest("POST", ts.URL+"/api/step", strings.NewReader("{}"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://example.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site POST: %s, want 403", resp.Status)
	}
	if st := s.State(); st.Time != 0 {
		t.Errorf("the clock moved to %v: the refused step was taken", st.Time)
	}
}

func TestVCDDownload(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	for range 4 {
		post(t, ts.URL, "step", "")
	}
	// At 1 s red goes on and green off: two lines from the program, which
	// may reach the viewer after the clock's. Wait for both.
	viewtest.WaitState(t, s, "the clock at 1 s, red on and green off", func(st view.State) bool {
		var red, green bool
		for _, c := range st.Changes {
			if c.At == time.Second {
				red = red || c.Name == "red" && c.Value == 1
				green = green || c.Name == "green" && c.Value == 0
			}
		}
		return st.Time == time.Second && red && green
	})

	resp, err := http.Get(ts.URL + "/board.vcd")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /board.vcd: %s", resp.Status)
	}
	if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="board.vcd"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	vcd := string(body)
	for _, want := range []string{"$timescale", "$var wire 1", " red ", " green ", " button ", "$enddefinitions"} {
		if !strings.Contains(vcd, want) {
			t.Errorf("the VCD has no %q:\n%s", want, vcd)
		}
	}
	// The same bytes as WriteVCD.
	var direct strings.Builder
	if err := s.WriteVCD(&direct); err != nil {
		t.Fatal(err)
	}
	if direct.String() != vcd {
		t.Errorf("the download differs from WriteVCD:\n%s\nwant:\n%s", vcd, direct.String())
	}
}

func TestStateAndPage(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/api/state")
	var st view.State
	if err := json.Unmarshal([]byte(body), &st); err != nil || len(st.Parts) != 3 {
		t.Errorf("GET /api/state: %s %v %q", resp.Status, err, body)
	}
	for path, want := range map[string]string{
		"/":                 "<title>",
		"/static/app.js":    "EventSource",
		"/static/style.css": ".console",
	} {
		resp, body := get(path)
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %s, no %q in the body", path, resp.Status, want)
		}
	}
	if resp, _ := get("/nothing"); resp.StatusCode != 404 {
		t.Errorf("GET /nothing: %s, want 404", resp.Status)
	}
}

// A page that goes away ends its stream and its subscription: the
// server's Close returns at once, and no goroutine is left.
func TestClosedClientUnsubscribes(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := httptest.NewServer(web.Handler(s))

	var streams []*stream
	for range 3 {
		es := openEvents(t, ts.URL)
		if e := es.next(); e.name != "state" {
			t.Fatalf("first event %q", e.name)
		}
		streams = append(streams, es)
	}
	for _, es := range streams {
		es.close()
	}
	closed := make(chan struct{})
	go func() { ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the server still serves a stream whose client has gone")
	}
	s.Close()
	goleak.VerifyNone(t, append(testenv.LeakOptions(), goleak.IgnoreCurrent())...)
}

func TestStreamEndsWhenTheSessionCloses(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	es := openEvents(t, ts.URL)
	es.next()
	s.Close()
	e := es.until("end", func(e event) bool { return e.name == "end" })
	if !strings.Contains(e.data, "closed") {
		t.Errorf("end event %q", e.data)
	}
	select {
	case _, ok := <-es.events:
		if ok {
			t.Error("an event after end")
		}
	case <-time.After(time.Minute):
		t.Fatal("the stream goes on after the end")
	}
}

// model is what a page knows of the Session: the events of the stream
// applied as the page applies them.
type model struct {
	run   int
	parts []view.PartState
	time  time.Duration
	lines []view.ConsoleLine
}

func (m *model) apply(t *testing.T, e event) {
	t.Helper()
	switch e.name {
	case "state":
		st := decodeJSON[stateData](t, e.data).State
		*m = model{run: st.Run, parts: st.Parts, time: st.Time, lines: st.Console}
	case "update":
		u := decodeJSON[view.Update](t, e.data)
		switch u.Type {
		case view.UpdatePart, view.UpdateLevel:
			for i := range m.parts {
				if m.parts[i].Name == u.Part.Name {
					m.parts[i] = u.Part
					return
				}
			}
			m.parts = append(m.parts, u.Part)
		case view.UpdateClock:
			m.time = u.Time
		case view.UpdateConsole:
			m.lines = append(m.lines, u.Console)
		case view.UpdateReset:
			t.Errorf("a reset reached the page: the server must send the state instead")
		}
	}
}

func TestRestartSendsTheNewState(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	es := openEvents(t, ts.URL)
	var m model
	m.apply(t, es.next())
	post(t, ts.URL, "step", "")
	post(t, ts.URL, "step", "")
	for m.time != 500*time.Millisecond {
		m.apply(t, es.next())
	}
	post(t, ts.URL, "restart", "")
	st := viewtest.WaitState(t, s, "the second run's LEDs lit", func(st view.State) bool {
		return st.Run == 2 && viewtest.Part(st, "red").Lit() && viewtest.Part(st, "green").Lit()
	})
	// The page's copy comes to be the Session's state.
	for m.run != 2 || fmt.Sprint(m.parts) != fmt.Sprint(st.Parts) {
		m.apply(t, es.next())
	}
	if m.time != 0 {
		t.Errorf("after a restart: time %v, want 0", m.time)
	}
}

func TestNowEventsWhileRunning(t *testing.T) {
	s := startLab(t, blinkPkg)
	ts := serve(t, s)

	es := openEvents(t, ts.URL)
	es.next()
	post(t, ts.URL, "resume", "")
	deadline := time.After(time.Minute)
	for {
		select {
		case e := <-es.events:
			if e.name != "now" {
				continue
			}
			if n := decodeJSON[struct{ Now time.Duration }](t, e.data); n.Now <= 0 {
				t.Errorf("now event %q", e.data)
			}
			return
		case <-deadline:
			t.Fatal("no now event while the clock runs")
		}
	}
}

func TestListen(t *testing.T) {
	s := startLab(t, blinkPkg)
	srv, err := web.Listen(s, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || !strings.HasSuffix(srv.URL, "/") {
		t.Errorf("URL %q", srv.URL)
	}
	base := strings.TrimSuffix(srv.URL, "/")
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %s", srv.URL, resp.Status)
	}

	// Only loopback names: a name of another site that resolves here is
	// refused.
	req, _ := http.NewRequest("GET", base+"/api/state", nil)
	req.Host = "attacker.example:80"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host attacker.example: %s, want 421", resp.Status)
	}
	req.Host = "localhost" + strings.TrimPrefix(base, "http://127.0.0.1")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("Host localhost: %s, want 200", resp.Status)
	}

	// Close ends the open streams and returns.
	es := openEvents(t, base)
	es.next()
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case <-es.done:
	case <-time.After(time.Minute):
		t.Fatal("a stream outlived Close")
	}
	if _, err := http.Get(srv.URL); err == nil {
		t.Error("the server answers after Close")
	}
	http.DefaultClient.CloseIdleConnections()
}

func ExampleListen() {
	s, err := view.Start(view.Config{Program: []string{"./blink"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	srv, err := web.Listen(s, "localhost:8080")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	fmt.Println("open", srv.URL)
	// ... until the user is done
}

// fakeBoardPkg plays a board from a file of lines (see view's testdata).
const fakeBoardPkg = "github.com/goasyncio/asyncio/view/testdata/fakeboard"

// TestBurstKeepsTheConsoleWhole: a page that reads slower than the program
// prints makes the server fall behind: its queue of updates overflows,
// again and again, and it sends the state afresh each time it can write. The page's console still ends up as the Session's, each line
// once.
func TestBurstKeepsTheConsoleWhole(t *testing.T) {
	var b strings.Builder
	const n = 20_000 // far more than the server's queue holds
	for i := range n {
		fmt.Fprintf(&b, "print line %d of a burst the page does not read while it comes\n", i)
	}
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	s, err := view.Start(view.Config{Program: []string{program(t, fakeBoardPkg), file}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ts := serve(t, s)
	// The stream's reader stops once it holds 1,000 events; the rest wait
	// in the sockets and then in the server's queue, which overflows (the
	// test checks that it did).
	es := openEvents(t, ts.URL)
	// (Polled: WaitState would copy the state at each of the updates.)
	for deadline := time.Now().Add(viewtest.Bound); ; time.Sleep(10 * time.Millisecond) {
		if st := s.State(); len(st.Console) > 0 && st.Console[len(st.Console)-1].Text == "sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the burst did not end")
		}
	}
	// Updates after the overflow queue behind its reset: they are in the
	// state the server sends once it can write again.
	for i := range 3 {
		if err := s.Input(fmt.Sprint("after ", i)); err != nil {
			t.Fatal(err)
		}
	}
	var m model
	states := 0
	for len(m.lines) == 0 || m.lines[len(m.lines)-1].Text != "after 2" {
		e := es.next()
		if e.name == "state" {
			states++
		}
		m.apply(t, e)
	}
	seen := map[view.ConsoleLine]int{}
	for i, l := range m.lines {
		if j, ok := seen[l]; ok {
			t.Fatalf("after %d states, the page has %q twice, as lines %d and %d of %d", states, l.Text, j, i, len(m.lines))
		}
		seen[l] = i
	}
	want := s.State().Console
	if len(m.lines) < len(want) || !slices.Equal(m.lines[len(m.lines)-len(want):], want) {
		t.Fatalf("after %d states, the page's console does not end as the Session's (%d lines, the Session's last %d)", states, len(m.lines), len(want))
	}
	if states < 2 {
		t.Errorf("the server sent the state %d times: it never fell behind", states)
	}
}

// TestStateAndQueuedUpdatesDoNotRepeat: an update made after the stream
// subscribed and before it read the state is in both; the page gets it
// once.
func TestStateAndQueuedUpdatesDoNotRepeat(t *testing.T) {
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	s, err := view.Start(view.Config{Program: []string{program(t, fakeBoardPkg), file}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	viewtest.WaitState(t, s, "the board's output", func(st view.State) bool {
		return slices.ContainsFunc(st.Console, func(l view.ConsoleLine) bool { return l.Text == "sent" })
	})
	// Undone after the server has closed (cleanups run last first), so
	// that no handler reads the hook as it changes.
	var once sync.Once
	t.Cleanup(web.SetBeforeState(func() {
		once.Do(func() {
			if err := s.Input("between"); err != nil {
				t.Error(err)
			}
		})
	}))
	ts := serve(t, s)
	es := openEvents(t, ts.URL)
	var m model
	m.apply(t, es.next()) // the state, with "between"
	if err := s.Input("after"); err != nil {
		t.Fatal(err)
	}
	for m.lines[len(m.lines)-1].Text != "after" {
		m.apply(t, es.next())
	}
	n := 0
	for _, l := range m.lines {
		if l.Text == "between" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the page has the line made between subscribing and reading the state %d times, want once", n)
	}
}

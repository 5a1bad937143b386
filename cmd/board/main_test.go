package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// syncBuffer is a buffer that the command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "name a lab"},
		{[]string{"blinky"}, 2, `unknown lab "blinky"`},
		{[]string{"-speed", "-1", "blink"}, 2, "-speed -1"},
		{[]string{"-speed", "1e308", "blink"}, 2, "want 0.001 to 1000"},
		{[]string{"-frobnicate"}, 2, "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("board %v: exit %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
	var stderr bytes.Buffer
	run(context.Background(), []string{"blinky"}, io.Discard, &stderr)
	for _, lab := range labNames() {
		if !strings.Contains(stderr.String(), lab) {
			t.Errorf("the error for an unknown lab does not list %q: %s", lab, stderr.String())
		}
	}
}

// Outside a clone of the module (and not installed at a version), a lab
// cannot be built: the error says why and what to do.
func TestLabOutsideTheModule(t *testing.T) {
	testenv.SkipIfNoCommand(t, "go")
	t.Chdir(t.TempDir())
	// The test binary is built from source, version (devel): its clone is gone.
	gone := filepath.Join(t.TempDir(), "asyncio")
	defer func(dir string) { builtFrom = dir }(builtFrom)
	builtFrom = gone
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"blink"}, io.Discard, &stderr)
	for _, want := range []string{"building the blink lab: this board was built from source (version (devel))", gone + ", is not there", "run board in a clone of it", "go install github.com/goasyncio/asyncio/cmd/board@latest"} {
		if code != 1 || !strings.Contains(stderr.String(), want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, &stderr, want)
		}
	}
}

// A board built from a clone runs the labs of that clone wherever it runs.
func TestLabFromTheCloneBoardWasBuiltFrom(t *testing.T) {
	testenv.SkipIfNoCommand(t, "go")
	if moduleRoot(builtFrom) == "" {
		t.Skipf("this test binary was not built from a clone of the module (%q)", builtFrom)
	}
	t.Chdir(t.TempDir())
	url, stop, stderr := serveStderr(t, "-addr", "127.0.0.1:0", "-paused", "blink")
	checkPausedBlink(t, url)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after Ctrl-C", code)
	}
	if want := "the labs come from the clone board was built from, " + builtFrom; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
}

func TestList(t *testing.T) {
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"-list"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, lab := range []string{"blink", "button", "button-debounced", "traffic-light", "preemptive", "thermostat", "strip"} {
		if !strings.Contains(stdout.String(), lab+" ") {
			t.Errorf("-list lacks %s:\n%s", lab, stdout.String())
		}
	}
}

// serve runs the command with args in the background and returns the page's
// address it prints, and a function that stops it and returns its exit code.
func serve(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	url, stop, _ := serveStderr(t, args...)
	return url, stop
}

// serveStderr is serve, and the command's standard error.
func serveStderr(t *testing.T, args ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	testenv.SkipIfEmulated(t, "builds and starts a native lab")
	testenv.SkipIfNoCommand(t, "go")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := new(syncBuffer)
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, args, pw, stderr)
		pw.Close()
	}()
	stop := sync.OnceValue(func() int {
		cancel()
		go io.Copy(io.Discard, pr)
		return <-code
	})
	t.Cleanup(func() { stop() }) // if the test ends first
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		stop()
		t.Fatalf("no address printed: %v; stderr: %s", err, stderr.String())
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		stop()
		t.Fatalf("no address in %q", line)
	}
	return strings.Fields(line[i:])[0], stop, stderr
}

func TestServesTheBlinkLab(t *testing.T) {
	url, stop := serve(t, "-addr", "127.0.0.1:0", "-paused", "blink")
	checkPausedBlink(t, url)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after Ctrl-C", code)
	}
}

// checkPausedBlink checks the board that serves the blink lab, started
// with -paused, on url: the page is served; nothing runs until a page
// opens; then the lab's board shows with both LEDs lit at 0 s, and a step
// turns the green LED off at 0.25 s.
func checkPausedBlink(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("<html")) {
		t.Errorf("GET %s: %s\n%.200s", url, resp.Status, page)
	}
	// Nothing runs until a page opens.
	time.Sleep(200 * time.Millisecond)
	resp, err = http.Get(url + "api/state")
	if err != nil {
		t.Fatal(err)
	}
	var before struct {
		Run   int   `json:"run"`
		Parts []any `json:"parts"`
	}
	json.NewDecoder(resp.Body).Decode(&before)
	resp.Body.Close()
	if before.Run != 0 || len(before.Parts) != 0 {
		t.Errorf("before a page opened: %+v", before)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"events", nil)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	var st struct {
		Board  string `json:"board"`
		Paused bool   `json:"paused"`
		Time   int64  `json:"time"`
		Parts  []struct {
			Name       string `json:"name"`
			Brightness int    `json:"brightness"`
		} `json:"parts"`
	}
	// waitFor polls the state until ok, for a minute at most.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: never; the state is %+v", what, st)
			}
			resp, err := http.Get(url + "api/state")
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("the lab's board shows with its LEDs lit", func() bool { return len(st.Parts) >= 3 && st.Parts[1].Brightness == 100 })
	if st.Board != "lab" || !st.Paused || st.Parts[0].Name != "red" || st.Parts[1].Name != "green" {
		t.Errorf("state %+v", st)
	}
	resp, err = http.Post(url+"api/step", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("POST api/step: %s", resp.Status)
	}
	waitFor("a step turns the green LED off", func() bool { return st.Parts[1].Brightness == 0 })
	if st.Time != int64(250*time.Millisecond) || st.Parts[0].Brightness != 100 || !st.Paused {
		t.Errorf("after a step: %+v", st)
	}
	cancel()
}

// The package in the current directory, ".", is built and run.
func TestServesThePackageInTheCurrentDirectory(t *testing.T) {
	t.Chdir("../../examples/blink")
	url, stop := serve(t, "-addr", "127.0.0.1:0", "-paused", ".", "--", "-virtual")
	checkPausedBlink(t, url)
	if code := stop(); code != 0 {
		t.Errorf("exit %d after Ctrl-C", code)
	}
}

// The preemptive lab runs on the board: its first round lights both LEDs
// together.
func TestServesThePreemptiveLab(t *testing.T) {
	url, stop := serve(t, "-addr", "127.0.0.1:0", "preemptive")
	// The lab starts when a page opens: open the event stream as a page does.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"events", nil)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	var st struct {
		Parts []struct {
			Name       string `json:"name"`
			Brightness int    `json:"brightness"`
		} `json:"parts"`
	}
	lit := func(name string) bool {
		for _, p := range st.Parts {
			if p.Name == name {
				return p.Brightness == 100
			}
		}
		return false
	}
	deadline := time.Now().Add(time.Minute)
	for !lit("red") || !lit("green") {
		if time.Now().After(deadline) {
			t.Fatalf("the lab never lit both LEDs: %+v", st)
		}
		resp, err := http.Get(url + "api/state")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after Ctrl-C", code)
	}
}

// TestSaysItIsBuilding: the first thing a lab prints is that it is being
// built, before the build's long silence.
func TestSaysItIsBuilding(t *testing.T) {
	_, stop, stderr := serveStderr(t, "-addr", "127.0.0.1:0", "blink")
	defer stop()
	if !strings.HasPrefix(stderr.String(), "board: building the blink lab") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// TestRemoteNeedsAFlag: an -addr beyond this machine is refused without
// -remote, naming the flag; nothing listens.
func TestRemoteNeedsAFlag(t *testing.T) {
	testenv.SkipIfEmulated(t, "builds a native lab")
	testenv.SkipIfNoCommand(t, "go")
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-addr", "0.0.0.0:0", "blink"}, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "add -remote") {
		t.Errorf("exit %d, stderr %q", code, &stderr)
	}
}

// TestRemoteWarnsAndNeedsTheToken: with -remote the command warns and
// prints an address with a token, without which requests are refused.
// (It listens on loopback: the test stays on this machine.)
func TestRemoteWarnsAndNeedsTheToken(t *testing.T) {
	url, stop, stderr := serveStderr(t, "-addr", "127.0.0.1:0", "-remote", "blink")
	defer stop()
	if !strings.Contains(stderr.String(), "WARNING") {
		t.Errorf("no warning: %q", stderr.String())
	}
	base, token, ok := strings.Cut(url, "?token=")
	if !ok || len(token) < 16 {
		t.Fatalf("address %q has no token", url)
	}
	for u, want := range map[string]int{base + "api/state": 403, base + "api/state?token=" + token: 200} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %s, want %d", u, resp.Status, want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestBusyPortSuggestsAnother(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	testenv.SkipIfEmulated(t, "builds and starts a native lab")
	testenv.SkipIfNoCommand(t, "go")
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-addr", ln.Addr().String(), "blink"}, io.Discard, &stderr)
	msg := stderr.String()
	if code != 1 || !strings.Contains(msg, ln.Addr().String()+" is in use") || !strings.Contains(msg, "try -addr 127.0.0.1:") {
		t.Errorf("exit %d, stderr %q", code, msg)
	}
}

// Only a version the go command can fetch is fetched: not a build from
// source, nor one from a clone with changes.
func TestReleased(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3":                                     true,
		"v0.0.0-20261204114701-10ca9f70ff0e":         true,
		"v0.0.0-20261204114701-10ca9f70ff0e+dirty":   false,
		"v1.2.4-0.20261204114701-10ca9f70ff0e+dirty": false,
		"(devel)": false,
		"":        false,
	} {
		if got := released(v); got != want {
			t.Errorf("released(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestPackageDir(t *testing.T) {
	for dir, want := range map[string]string{
		"examples/blink": "./examples/blink", ".hidden": "./.hidden", ".": ".", "..": "..",
		"./x": "./x", "../x": "../x", "/abs/x": "/abs/x",
	} {
		if runtime.GOOS == "windows" && strings.HasPrefix(dir, "/") {
			continue
		}
		if got := packageDir(dir); got != want {
			t.Errorf("packageDir(%q) = %q, want %q", dir, got, want)
		}
	}
}

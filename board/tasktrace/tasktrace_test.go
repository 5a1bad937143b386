package tasktrace_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/internal/tooltest"
	"github.com/goasyncio/asyncio/board/tasktrace"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/golden"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

// blinkLab runs the blink lab (two blinkers, main sleeps) for d on the
// virtual clock with a recorder, and returns it and the board's waveform.
func blinkLab(t *testing.T, d time.Duration) (*tasktrace.Recorder, *wave.Waveform) {
	t.Helper()
	rec := tasktrace.New(tasktrace.Options{})
	var w *wave.Waveform
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewLab(ctx.Loop())
		blink := func(period time.Duration, led board.LED) func(*asyncio.Ctx) error {
			return func(ctx *asyncio.Ctx) error {
				for {
					led.Toggle()
					if err := asyncio.Sleep(ctx, period); err != nil {
						return err
					}
				}
			}
		}
		asyncio.CreateTask(ctx, blink(time.Second, b.Red), asyncio.Named("blink red"))
		asyncio.CreateTask(ctx, blink(250*time.Millisecond, b.Green), asyncio.Named("blink green"))
		err := asyncio.Sleep(ctx, d)
		w = b.Waveform()
		return err
	}, asyncio.VirtualClock(), asyncio.WithInstrument(rec))
	if err != nil {
		t.Fatal(err)
	}
	return rec, w
}

func TestBlinkTraceGolden(t *testing.T) {
	rec, _ := blinkLab(t, 2*time.Second)
	var b bytes.Buffer
	if err := rec.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "blink.trace", b.String())
	got := b.String()
	for _, want := range []string{
		"0.000 main created\n0.000 main ready\n0.000 main runs\n",
		`0.000 "blink red" created by main`,
		`0.000 main stops: sleeping until 2.000`,
		`0.250 "blink green" ready` + "\n" + `0.250 "blink green" runs` + "\n" + `0.250 "blink green" stops: sleeping until 0.500`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the trace:\n%s", want, got)
		}
	}
	// Steps: green runs 9 times in 2 s (0, 0.25, ..., 1.75 and at 2.0 it is
	// cancelled after main returns), red 3 times (0, 1, and its cancel).
	steps := map[string]int{}
	for _, s := range rec.Steps() {
		steps[rec.TaskName(s.Task)]++
		if s.End != s.At {
			t.Errorf("step %+v took loop time on the virtual clock", s)
		}
	}
	if steps["blink green"] < 8 || steps["blink red"] < 2 || steps["main"] != 2 {
		t.Errorf("steps per task = %v", steps)
	}
}

// Who woke whom: an event's Set names the setter.
func TestWokenBy(t *testing.T) {
	rec := tasktrace.New(tasktrace.Options{})
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		w := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return ev.Wait(c) }, asyncio.Named("waiter"))
		asyncio.Sleep(ctx, 0)
		ev.Set()
		return w.Await(ctx)
	}, asyncio.VirtualClock(), asyncio.WithInstrument(rec))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, s := range rec.Steps() {
		name := rec.TaskName(s.Task)
		if name == "waiter" && s.Why == "waiting for an event" {
			found = true
		}
		if name == "waiter" && s.Finished && rec.TaskName(s.WokenBy) != "main" {
			t.Errorf("the waiter's last step was woken by %q, want main", rec.TaskName(s.WokenBy))
		}
		if name == "main" && strings.HasPrefix(s.Why, "awaiting") && s.Why != `awaiting task "waiter"` {
			t.Errorf("main stopped %q", s.Why)
		}
	}
	if !found {
		var b bytes.Buffer
		rec.WriteText(&b)
		t.Errorf("the waiter never stopped waiting for an event:\n%s", &b)
	}
}

func TestMaxEvents(t *testing.T) {
	rec := tasktrace.New(tasktrace.Options{MaxEvents: 10})
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for range 20 {
			asyncio.Sleep(ctx, 0)
		}
		return nil
	}, asyncio.VirtualClock(), asyncio.WithInstrument(rec))
	if len(rec.Events()) != 10 || rec.Dropped() == 0 {
		t.Errorf("%d events kept, %d dropped; want 10 and some", len(rec.Events()), rec.Dropped())
	}
}

// The lanes go beside the pins in the board's waveform; the VCD goes
// through GTKWave's tools and back with the lanes intact.
func TestLanesInVCD(t *testing.T) {
	rec, pins := blinkLab(t, 2*time.Second)
	w := rec.AddLanes(pins, tasktrace.WaveOptions{MinRun: time.Millisecond})
	var b bytes.Buffer
	if err := w.WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "blink.vcd", b.String())
	back, err := vcd.Read(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	checkLanes(t, back)

	vcd2fst, fst2vcd := tooltest.GTKWave(t)
	dir := t.TempDir()
	in, fst := filepath.Join(dir, "in.vcd"), filepath.Join(dir, "out.fst")
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(vcd2fst, in, fst).CombinedOutput(); err != nil {
		t.Fatalf("vcd2fst: %v\n%s", err, out)
	}
	out, err := exec.Command(fst2vcd, fst).Output()
	if err != nil {
		t.Fatalf("fst2vcd: %v", err)
	}
	gtk, err := vcd.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("reading fst2vcd's output: %v\n%s", err, out)
	}
	checkLanes(t, gtk)
}

// checkLanes checks the blink lab's lanes as read back from a VCD: green
// runs at each of its toggles, beside the pin; main waits from its first
// step until 2 s.
func checkLanes(t *testing.T, w *wave.Waveform) {
	t.Helper()
	green, main := "task_blink_green", "task_main"
	for _, name := range []string{"red", "green", "task_blink_red", green, main} {
		if _, ok := w.Signal(name); !ok {
			t.Fatalf("no signal %q in %v", name, w.Signals)
		}
	}
	for _, c := range w.Of("green") {
		// Green toggles at c.At; its run is drawn from c.At (or a few
		// MinRun later, after the runs at the same instant).
		ran := false
		for _, l := range w.Of(green) {
			if l.Value == tasktrace.LaneRunning && l.At >= c.At && l.At < c.At+5*time.Millisecond {
				ran = true
			}
		}
		if !ran {
			t.Errorf("green toggled at %v but its task lane shows no run there", c.At)
		}
	}
	if v, _ := w.ValueAt(main, time.Second); v != tasktrace.LaneWaiting {
		t.Errorf("main's lane at 1 s = %d, want waiting", v)
	}
	if v, _ := w.ValueAt(green, 100*time.Millisecond); v != tasktrace.LaneWaiting {
		t.Errorf("green's lane at 0.1 s = %d, want waiting", v)
	}
}

func TestLanesInWaveDrom(t *testing.T) {
	rec, pins := blinkLab(t, time.Second)
	w := rec.AddLanes(pins, tasktrace.WaveOptions{MinRun: 10 * time.Millisecond})
	var b bytes.Buffer
	if err := w.WriteWaveDrom(&b, wave.WaveDromOptions{Step: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Signal []struct {
			Name string   `json:"name"`
			Wave string   `json:"wave"`
			Data []string `json:"data"`
		} `json:"signal"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	lanes := map[string][]string{}
	for _, s := range doc.Signal {
		lanes[s.Name] = s.Data
	}
	g := lanes["task blink green"]
	if len(g) == 0 || !contains(g, "running") || !contains(g, "waiting") {
		t.Errorf("green's WaveDrom lane = %v", g)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// The Chrome trace is a Trace Event Format JSON object: every event has a
// known phase, a name, pid and tid, and a non-negative time; complete
// events have a duration; each task's thread is named.
func TestChromeTrace(t *testing.T) {
	rec, _ := blinkLab(t, time.Second)
	var b bytes.Buffer
	if err := rec.WriteChromeTrace(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	evs, ok := doc["traceEvents"].([]any)
	if !ok || len(evs) == 0 {
		t.Fatalf("no traceEvents array in %s", b.String()[:min(b.Len(), 200)])
	}
	if u := doc["displayTimeUnit"]; u != "ms" && u != "ns" {
		t.Errorf("displayTimeUnit = %v", u)
	}
	threads := map[float64]string{}
	runs := map[float64]int{}
	for i, x := range evs {
		e, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("event %d is %T", i, x)
		}
		name, _ := e["name"].(string)
		ph, _ := e["ph"].(string)
		ts, tsOK := e["ts"].(float64)
		_, pidOK := e["pid"].(float64)
		tid, tidOK := e["tid"].(float64)
		if name == "" || !tsOK || ts < 0 || !pidOK || !tidOK {
			t.Errorf("event %d lacks a name, ts, pid or tid: %v", i, e)
			continue
		}
		switch ph {
		case "M":
			if name == "thread_name" {
				args, _ := e["args"].(map[string]any)
				threads[tid], _ = args["name"].(string)
			}
		case "X":
			if d, ok := e["dur"].(float64); !ok || d < 0 {
				t.Errorf("complete event %d has no duration: %v", i, e)
			}
			if tid > 0 {
				runs[tid]++
				args, _ := e["args"].(map[string]any)
				if _, ok := args["stopped"].(string); !ok {
					t.Errorf("run %d does not say why it stopped: %v", i, e)
				}
			}
		case "i":
			if s := e["s"]; s != "t" && s != "p" && s != "g" {
				t.Errorf("instant event %d has scope %v", i, s)
			}
		default:
			t.Errorf("event %d has phase %q", i, ph)
		}
	}
	byName := map[string]int{}
	for tid, n := range runs {
		byName[threads[tid]] = n
	}
	if threads[0] != "loop" || byName["main"] != 2 || byName["blink green"] < 4 || byName["blink red"] < 1 {
		t.Errorf("threads %v, runs per task %v", threads, byName)
	}
}

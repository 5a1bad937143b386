package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/golden"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

func runLab(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	if code := run(args, &o, &e); code != 0 {
		t.Fatalf("starve %v: exit code %d, stderr:\n%s", args, code, &e)
	}
	return o.String(), e.String()
}

// On the virtual clock the LEDs keep time (the clock stands still while
// the sensor blocks), but the trace shows green ready at 1.000 and running
// only after the sensor's blocking run, and the slow-task report names the
// sensor.
func TestStarveVirtual(t *testing.T) {
	dir := t.TempDir()
	vcdPath, chrome := filepath.Join(dir, "starve.vcd"), filepath.Join(dir, "starve.json")
	out, stderr := runLab(t, "-virtual", "-trace", "-duration", "2s", "-vcd", vcdPath, "-chrome", chrome)
	golden.Check(t, "starve.golden", out)
	if n := strings.Count(out, `slow task: task "sensor"`); n != 2 {
		t.Errorf("%d slow-task reports of the sensor, want 2 (at 0 and 1 s):\n%s", n, out)
	}
	if strings.Contains(out, `slow task: task "blink`) {
		t.Errorf("a blinker was reported slow:\n%s", out)
	}
	if !strings.Contains(stderr, `task "sensor" is blocking the loop`) || !strings.Contains(stderr, "readSensor") {
		t.Errorf("the watchdog's report does not show the sensor in readSensor:\n%s", stderr)
	}
	starved := "1.000 \"blink green\" ready\n1.000 \"blink red\" runs\n1.000 \"blink red\" stops: sleeping until 2.000\n1.000 sensor runs\n1.000 sensor stops: sleeping until 2.000\n1.000 \"blink green\" runs"
	if !strings.Contains(out, starved) {
		t.Errorf("the trace does not show green waiting for the sensor at 1 s (%q)", starved)
	}

	// The VCD has the task lanes beside the LEDs.
	f, err := os.Open(vcdPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := vcd.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"green", "task_sensor", "task_blink_green"} {
		if _, ok := w.Signal(s); !ok {
			t.Errorf("no %s in the VCD", s)
		}
	}
	// The Chrome trace gives the sensor's runs their real length.
	data, err := os.ReadFile(chrome)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string  `json:"name"`
			Ph   string  `json:"ph"`
			Dur  float64 `json:"dur"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	long := 0
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" && e.Name == "sensor" && e.Dur >= float64(readTime/time.Microsecond) {
			long++
		}
		if e.Ph == "X" && strings.HasPrefix(e.Name, "blink") && e.Dur >= float64(slowThreshold/time.Microsecond) {
			t.Errorf("a blinker's run lasted %v µs", e.Dur)
		}
	}
	if long != 2 {
		t.Errorf("%d sensor runs of %v or more in the Chrome trace, want 2", long, readTime)
	}
}

// The fix: the sensor awaits, nobody is reported, the trace shows the
// sensor waiting (sleeping) instead of running.
func TestStarveFixedVirtual(t *testing.T) {
	out, stderr := runLab(t, "-virtual", "-fixed", "-trace", "-duration", "2s")
	golden.Check(t, "fixed.golden", out)
	if strings.Contains(out, "slow task") || stderr != "" {
		t.Errorf("slow tasks reported after the fix:\n%s\n%s", out, stderr)
	}
}

// greenOffs returns the times of green's "off" lines.
func greenOffs(t *testing.T, out string) []time.Duration {
	var at []time.Duration
	for _, l := range strings.Split(out, "\n") {
		var s float64
		if strings.HasSuffix(l, " green off") {
			if _, err := fmtSscan(l, &s); err != nil {
				t.Fatal(err)
			}
			at = append(at, time.Duration(s*float64(time.Second)))
		}
	}
	return at
}

// On the real clock the LED is late: green, due off at 0.25 s, waits for
// the sensor's 0.4 s blocking read. Only lower bounds on wall-clock times
// are asserted (a loaded machine makes everything later, never earlier).
func TestStarveRealClock(t *testing.T) {
	testenv.SkipIfEmulated(t, "measures the real clock")
	out, _ := runLab(t, "-duration", "1200ms")
	offs := greenOffs(t, out)
	if len(offs) == 0 {
		t.Fatalf("green never went off:\n%s", out)
	}
	if offs[0] < readTime {
		t.Errorf("green went off at %v, before the sensor's blocking read ended (%v)", offs[0], readTime)
	}
	if !strings.Contains(out, `slow task: task "sensor"`) {
		t.Errorf("no slow-task report:\n%s", out)
	}

	out, _ = runLab(t, "-fixed", "-duration", "1200ms")
	if strings.Contains(out, "slow task") {
		t.Errorf("slow task reported after the fix:\n%s", out)
	}
	// Fixed, green toggles every 0.25 s: in 1.2 s it goes off at 0.25 and
	// 0.75 (and 1.25 is after the end); blocked, it drifts later.
	if n := len(greenOffs(t, out)); n != 2 {
		t.Errorf("green went off %d times in 1.2 s after the fix, want 2:\n%s", n, out)
	}
}

func fmtSscan(line string, s *float64) (int, error) { return fmt.Sscan(line, s) }

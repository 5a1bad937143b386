package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/golden"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

func runVirtual(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"-virtual"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("%q: exit code %d, stderr:\n%s", args, code, &stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("%q: stderr:\n%s", args, &stderr)
	}
	return stdout.String()
}

// TestGolden pins the default run: the room at 18 °C warms to the set
// point of 20 °C and the heater switches off half a degree above it.
func TestGolden(t *testing.T) {
	got := runVirtual(t)
	golden.Check(t, "thermostat.golden", got)
	for _, want := range []string{
		"0.000 display --.- SET 20.0°C HEAT OFF\n1.000 heater on\n1.000 display 18.0°C SET 20.0°C HEAT ON\n",
		"27.000 heater off\n27.000 display 20.6°C SET 20.0°C HEAT OFF\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks\n%s", want)
		}
	}
}

// TestHysteresis checks the heater against the readings, independently of
// the golden file: it goes on only below the set point minus 0.5 °C and off
// only above it plus 0.5 °C, and the room stays near the set point.
func TestHysteresis(t *testing.T) {
	got := runVirtual(t, "-for", "10m", "-start", "25")
	heater, seen := false, 0
	for _, line := range strings.Split(got, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[1] == "heater":
			heater = f[2] == "on"
		case len(f) >= 6 && f[1] == "display" && f[2] != "--.-":
			temp, _ := strconv.ParseFloat(strings.TrimSuffix(f[2], "°C"), 64)
			set, _ := strconv.ParseFloat(strings.TrimSuffix(f[4], "°C"), 64)
			on := f[6] == "ON"
			if on != heater {
				t.Errorf("%s: display says heater %v, LED %v", line, on, heater)
			}
			if on && temp > set+0.55 || !on && temp < set-0.55 {
				t.Errorf("%s: heater %v outside the hysteresis band", line, on)
			}
			if at, _ := strconv.ParseFloat(f[0], 64); at > 200 && (temp < set-1 || temp > set+1) {
				t.Errorf("%s: the room is not held near the set point", line)
			}
			seen++
		}
	}
	if seen < 100 || !strings.Contains(got, "heater on") || !strings.Contains(got, "heater off") {
		t.Errorf("%d readings, heater switched: on %v off %v", seen, strings.Contains(got, "heater on"), strings.Contains(got, "heater off"))
	}
}

// TestKnobAndButton: the knob sets the set point, the button toggles °F,
// and the display's last picture is pinned by a golden PNG.
func TestKnobAndButton(t *testing.T) {
	png := filepath.Join(t.TempDir(), "oled.png")
	got := runVirtual(t, "-knob", "30s:0.8,35s:0", "-press", "45s,50s,55s", "-png", png)
	golden.Check(t, "knob.golden", got)
	for _, want := range []string{
		"30.000 display 20.5°C SET 26.0°C HEAT OFF\n31.000 heater on\n",
		"35.000 display 20.8°C SET 10.0°C HEAT ON\n36.000 heater off\n",
		"45.000 display 69.0°F SET 50.0°F HEAT OFF\n",
		"50.000 display 20.3°C SET 10.0°C HEAT OFF\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks\n%s", want)
		}
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "oled.png", string(b))
}

func TestBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-knob", "30s"}, {"-knob", "30s:2"}, {"-press", "x"}, {"-for", "0s"}, {"extra"}, {"-board", "nope.json"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, &stderr)
		}
	}
	// A board without the sensor fails with a clear message.
	dir := t.TempDir()
	f := filepath.Join(dir, "b.json")
	os.WriteFile(f, []byte(`{"parts": [{"name": "heater", "kind": "led"}]}`), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-virtual", "-board", f}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `a bme280 "env"`) {
		t.Errorf("board without a sensor: exit %d, %q", code, &stderr)
	}
}

// TestWaveformHasTheBus: -vcd writes the heater, the button and the knob,
// and the I2C bus's transfers as a text lane, decoded: the sensor's
// reading each second (a write of 0xf7, 8 bytes read).
func TestWaveformHasTheBus(t *testing.T) {
	dir := t.TempDir()
	vcd, js := filepath.Join(dir, "t.vcd"), filepath.Join(dir, "t.json")
	runVirtual(t, "-for", "3s", "-vcd", vcd)
	runVirtual(t, "-for", "3s", "-vcd", js)
	b, err := os.ReadFile(vcd)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$var wire 1 ! heater $end", "$var string 1 ", " i2c0 $end", "#1000000000\n", "s76_w_f7_r8 "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the VCD has no %q", want)
		}
	}
	j, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j), `"name": "i2c0"`) || !strings.Contains(string(j), `"76 w f7 r8"`) {
		t.Errorf("the WaveDrom JSON has no lane of the bus's transfers:\n%.2000s", j)
	}
}

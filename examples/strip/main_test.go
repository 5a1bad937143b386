package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/golden"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
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

// TestGolden pins a run with two clicks: the comet goes round the strip,
// red, then green, then blue, as the strip decoded it from the SPI bus.
func TestGolden(t *testing.T) {
	golden.Check(t, "strip.golden", runVirtual(t, "-for", "2s", "-press", "500ms,1200ms"))
}

// TestComet checks every frame the strip showed, independently of the
// golden file: one LED in full, the two behind it dimmer, the rest out,
// the head a step further each time, in the colour the clicks chose.
func TestComet(t *testing.T) {
	got := runVirtual(t, "-for", "3s", "-press", "1s")
	head, frames, colour := -1, 0, "ff0000"
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[1] == "button:" {
			colour = "00ff00"
			continue
		}
		if len(f) != 2+leds || f[1] != "strip" {
			t.Fatalf("line %q", line)
		}
		lit := 0
		for i, c := range f[2:] {
			if c == colour {
				if head >= 0 && i != (head+1)%leds {
					t.Errorf("%s: the head at %d after %d", line, i, head)
				}
				head = i
			}
			if c != "000000" {
				lit++
			}
		}
		if lit != 3 || !strings.Contains(line, colour) {
			t.Errorf("%s: %d LEDs lit, want the %s comet's three", line, lit, colour)
		}
		frames++
	}
	if frames != 30 || colour != "00ff00" {
		t.Errorf("%d frames, last colour %s; want 30, green", frames, colour)
	}
}

// The board file in testdata is the lab's board, and runs it.
func TestBoardFile(t *testing.T) {
	spec, err := board.ReadSpecFile(filepath.Join("testdata", "strip.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(spec, Spec()) {
		t.Errorf("testdata/strip.json is\n%+v\nwant Spec()\n%+v", spec, Spec())
	}
	if got, want := runVirtual(t, "-for", "300ms", "-board", filepath.Join("testdata", "strip.json")), runVirtual(t, "-for", "300ms"); got != want {
		t.Errorf("with the board file:\n%s\nwant\n%s", got, want)
	}
}

// -vcd writes the bus's bytes and the strip's colours as string lanes.
func TestVCD(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strip.vcd")
	runVirtual(t, "-for", "250ms", "-vcd", path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := vcd.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := w.Signal("strip")
	if !ok || s.Kind != wave.Text || len(w.Of("strip")) != 3 {
		t.Fatalf("the strip's lane: %+v, %v", s, w.Of("strip"))
	}
	if last := w.Of("strip")[2]; s.Labels[last.Value] != wave.VCDText("0f0000 3f0000 ff0000 000000 000000 000000 000000 000000") {
		t.Errorf("the strip at 0.2 s: %q", s.Labels[last.Value])
	}
	if bus := w.Of("spi0"); len(bus) != 3 {
		t.Errorf("the bus's lane: %v", bus)
	}
}

func TestBadUsage(t *testing.T) {
	for _, args := range [][]string{{"-for", "0s"}, {"-press", "soon"}, {"extra"}, {"-board", "nope.json"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%q: exit code %d, stderr %q; want 2 and a message", args, code, &stderr)
		}
	}
}

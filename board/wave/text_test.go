package wave_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/board/internal/tooltest"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/vcd"
)

// textWave is a waveform with a bus's transfers as a text signal beside a
// pin.
func textWave() *wave.Waveform {
	return &wave.Waveform{
		Scope: "thermostat",
		Signals: []wave.Signal{
			{Name: "heater", Init: 0},
			{Name: "i2c0", Kind: wave.Text, Init: wave.Unknown, Labels: []string{"76 w d0 r1", "3c w 00 ae …", ""}},
		},
		Changes: []wave.Change{
			{At: 0, Signal: "i2c0", Value: 0},
			{At: 250 * time.Millisecond, Signal: "i2c0", Value: 1},
			{At: 500 * time.Millisecond, Signal: "heater", Value: 1},
			{At: 750 * time.Millisecond, Signal: "i2c0", Value: 2},
			{At: time.Second, Signal: "i2c0", Value: 0},
		},
		End: 1250 * time.Millisecond,
	}
}

func TestTextSignalVCD(t *testing.T) {
	var b bytes.Buffer
	if err := textWave().WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	vcdText := b.String()
	for _, want := range []string{
		"$var wire 1 ! heater $end\n", "$var string 1 \" i2c0 $end\n",
		"$dumpvars\n0!\nsx \"\n$end\ns76_w_d0_r1 \"\n", "#250000000\ns3c_w_00_ae_... \"\n", "#750000000\ns_ \"\n", "#1000000000\ns76_w_d0_r1 \"\n#1250000000\n",
	} {
		if !strings.Contains(vcdText, want) {
			t.Errorf("the VCD has no %q:\n%s", want, vcdText)
		}
	}
	// Read back: the texts, numbered as they come, with spaces as '_'.
	got, err := vcd.Read(strings.NewReader(vcdText))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := got.Signal("i2c0")
	if s.Kind != wave.Text || s.Init != wave.Unknown || !slices.Equal(s.Labels, []string{"76_w_d0_r1", "3c_w_00_ae_...", "_"}) {
		t.Errorf("read back: %+v", s)
	}
	var texts []string
	for _, c := range got.Of("i2c0") {
		texts = append(texts, c.At.String()+"="+s.Labels[c.Value])
	}
	if want := "0s=76_w_d0_r1 250ms=3c_w_00_ae_... 750ms=_ 1s=76_w_d0_r1"; strings.Join(texts, " ") != want {
		t.Errorf("read back %q, want %q", texts, want)
	}
	if wave.Text.String() != "text" {
		t.Errorf("Text is %q", wave.Text)
	}
	for in, want := range map[string]string{"": "_", "a b\tc": "a_b_c", "x…": "x...", "25°C": "25?C"} {
		if got := wave.VCDText(in); got != want {
			t.Errorf("VCDText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextSignalWaveDrom(t *testing.T) {
	var b bytes.Buffer
	if err := textWave().WriteWaveDrom(&b, wave.WaveDromOptions{}); err != nil {
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
	lane := doc.Signal[1]
	if lane.Name != "i2c0" || lane.Wave != "==.==" || !slices.Equal(lane.Data, []string{"76 w d0 r1", "3c w 00 ae …", "", "76 w d0 r1"}) {
		t.Errorf("the bus's lane: %+v", lane)
	}
}

func TestTextSignalBadLabel(t *testing.T) {
	w := textWave()
	w.Changes[1].Value = 3
	if err := w.WriteVCD(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), `text signal "i2c0" has no label 3`) {
		t.Errorf("a change to a label that is not there: %v", err)
	}
}

// GTKWave reads the string signal: through its FST and back, the texts
// stay.
func TestTextSignalThroughGTKWave(t *testing.T) {
	vcd2fst, fst2vcd := tooltest.GTKWave(t)
	dir := t.TempDir()
	in, fst := filepath.Join(dir, "in.vcd"), filepath.Join(dir, "out.fst")
	var b bytes.Buffer
	if err := textWave().WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(vcd2fst, in, fst).CombinedOutput(); err != nil {
		t.Fatalf("vcd2fst: %v\n%s", err, out)
	}
	back, err := exec.Command(fst2vcd, fst).Output()
	if err != nil {
		t.Fatalf("fst2vcd: %v", err)
	}
	got, err := vcd.Read(bytes.NewReader(back))
	if err != nil {
		t.Fatalf("reading fst2vcd's output: %v\n%s", err, back)
	}
	s, ok := got.Signal("i2c0")
	if !ok || s.Kind != wave.Text {
		t.Fatalf("GTKWave's VCD has no text signal i2c0:\n%s", back)
	}
	// GTKWave gives the value at 0 as the initial one.
	var texts []string
	if s.Init >= 0 {
		texts = append(texts, s.Labels[s.Init])
	}
	for _, c := range got.Of("i2c0") {
		if c.Value >= 0 {
			texts = append(texts, s.Labels[c.Value])
		}
	}
	if want := "76_w_d0_r1 3c_w_00_ae_... _ 76_w_d0_r1"; strings.Join(texts, " ") != want {
		t.Errorf("through GTKWave: %q, want %q\n%s", texts, want, back)
	}
}

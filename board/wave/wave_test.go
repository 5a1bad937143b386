package wave_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/board/internal/tooltest"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/vcd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

const ms = time.Millisecond

// sample is a small waveform: two bits, one vector, a change at 0, an odd
// time, and an end after the last change.
func sample() *wave.Waveform {
	return &wave.Waveform{
		Scope: "lab",
		Signals: []wave.Signal{
			{Name: "red", Kind: wave.Bit, Init: 1},
			{Name: "lamp", Kind: wave.Vector, Width: 7, Unit: "%"},
			{Name: "push button", Kind: wave.Bit, Init: 1},
		},
		Changes: []wave.Change{
			{At: 0, Signal: "red", Value: 0},
			{At: 250 * ms, Signal: "lamp", Value: 50},
			{At: 500 * ms, Signal: "push button", Value: 0},
			{At: 500 * ms, Signal: "red", Value: 1},
			{At: 3*time.Second + 1234, Signal: "red", Value: 0},
			{At: 3*time.Second + 1234, Signal: "lamp", Value: 100},
		},
		End: 4 * time.Second,
	}
}

const sampleVCD = `$version goasyncio board/wave $end
$timescale 1ns $end
$scope module lab $end
$var wire 1 ! red $end
$var wire 7 " lamp $end
$var wire 1 # push_button $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
1!
b0 "
1#
$end
0!
#250000000
b110010 "
#500000000
0#
1!
#3000001234
0!
b1100100 "
#4000000000
`

func TestWriteVCD(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != sampleVCD {
		t.Errorf("VCD:\n%s\nwant:\n%s", &b, sampleVCD)
	}
}

// edges returns, per signal, the value at time 0 and each time the value
// really changes after that: what any reader of the waveform sees,
// whichever way the file spells it.
func edges(w *wave.Waveform) map[string][]string {
	out := map[string][]string{}
	for _, s := range w.Signals {
		name := wave.VCDName(s.Name)
		v, _ := w.ValueAt(s.Name, 0)
		out[name] = []string{fmt.Sprintf("0:%d", v)}
		for _, c := range w.Of(s.Name) {
			if c.At == 0 {
				continue
			}
			if nv, _ := w.ValueAt(s.Name, c.At); nv != v {
				v = nv
				out[name] = append(out[name], fmt.Sprintf("%d:%d", c.At, v))
			}
		}
	}
	return out
}

func checkSame(t *testing.T, got, want *wave.Waveform) {
	t.Helper()
	if got.Scope != want.Scope {
		t.Errorf("scope %q, want %q", got.Scope, want.Scope)
	}
	if got.End != want.End {
		t.Errorf("end %v, want %v", got.End, want.End)
	}
	var gotNames, wantNames []string
	for _, s := range got.Signals {
		gotNames = append(gotNames, s.Name+"/"+s.Kind.String())
	}
	for _, s := range want.Signals {
		wantNames = append(wantNames, wave.VCDName(s.Name)+"/"+s.Kind.String())
	}
	if !slices.Equal(gotNames, wantNames) {
		t.Errorf("signals %v, want %v", gotNames, wantNames)
	}
	ge, we := edges(got), edges(want)
	for name, w := range we {
		if g := ge[name]; !slices.Equal(g, w) {
			t.Errorf("%s: value changes %v, want %v", name, g, w)
		}
	}
}

func TestReadVCD(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteVCD(&b); err != nil {
		t.Fatal(err)
	}
	got, err := vcd.Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, sample())
	// Exactly as written: the change at 0 stays a change.
	if s, _ := got.Signal("red"); s.Init != 1 {
		t.Errorf("red's initial value %d, want 1", s.Init)
	}
	if len(got.Changes) != len(sample().Changes) {
		t.Errorf("%d changes, want %d", len(got.Changes), len(sample().Changes))
	}
}

// TestVCDThroughGTKWave converts the VCD to GTKWave's FST and back with
// GTKWave's own tools, and reads the result: the writer's output is what
// GTKWave understands, and the reader reads what GTKWave writes.
func TestVCDThroughGTKWave(t *testing.T) {
	vcd2fst, fst2vcd := tooltest.GTKWave(t)
	dir := t.TempDir()
	in, fst := filepath.Join(dir, "in.vcd"), filepath.Join(dir, "out.fst")
	w := manySignals()
	var b bytes.Buffer
	if err := w.WriteVCD(&b); err != nil {
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
	checkSame(t, got, w)
}

// manySignals is sample plus enough signals to need two-character
// identifier codes.
func manySignals() *wave.Waveform {
	w := sample()
	for i := range 200 {
		name := fmt.Sprintf("pin%03d", i)
		w.Signals = append(w.Signals, wave.Signal{Name: name, Init: i % 2})
		w.Changes = append(w.Changes, wave.Change{At: time.Duration(i+1) * ms, Signal: name, Value: 1 - i%2})
	}
	return w.Sorted()
}

func TestReadVCDForeign(t *testing.T) {
	// A VCD as other tools write it: comments, a date, nested scopes, reals,
	// x and z, a 10 us timescale, no $dumpvars.
	const in = `$comment made by hand $end
$date today $end
$timescale 10 us $end
$scope module top $end
$scope module cpu $end
$var reg 1 a clk $end
$var real 64 b% volts $end
$var wire 4 c bus [3:0] $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
0a
r1.5 b%
bxz10 c
#3
1a
b1010 c
#5
za
r3.7e0 b%
`
	w, err := vcd.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if w.Scope != "top" || w.End != 50*time.Microsecond {
		t.Errorf("scope %q end %v", w.Scope, w.End)
	}
	want := []wave.Change{
		{0, "clk", 0}, {0, "volts", 1}, {0, "bus", wave.Unknown},
		{30 * time.Microsecond, "clk", 1}, {30 * time.Microsecond, "bus", 10},
		{50 * time.Microsecond, "clk", wave.Unknown}, {50 * time.Microsecond, "volts", 3},
	}
	if !slices.Equal(w.Changes, want) {
		t.Errorf("changes %v, want %v", w.Changes, want)
	}
	if s, _ := w.Signal("volts"); s.Kind != wave.Vector {
		t.Errorf("a real reads as %v", s.Kind)
	}
}

func TestReadVCDErrors(t *testing.T) {
	head := "$timescale 1ns $end $scope module m $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n"
	for _, c := range []struct{ in, want string }{
		{"", "no $enddefinitions"},
		{"$timescale 3 ns $end $enddefinitions $end", "unsupported timescale"},
		{"$timescale ns $end", "bad timescale"},
		{"$var wire 1 ! $end", "malformed $var"},
		{"$var wire x ! a $end", "bad width"},
		{"$scope module m", "ends inside $scope"},
		{"junk", `unexpected "junk"`},
		{head + "#10 1! #5 0!", "goes backwards"},
		{head + "#x", "bad time"},
		{head + "1?", `unknown identifier code "?"`},
		{head + "b101", "ends after"},
		{head + "q!", `unexpected "q!"`},
		{head + "1", "no identifier code"},
		{head + "$comment never ends", "ends inside $comment"},
	} {
		_, err := vcd.Read(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadVCD(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		w    wave.Waveform
		want string
	}{
		{wave.Waveform{Signals: []wave.Signal{{Name: ""}}}, "has no name"},
		{wave.Waveform{Signals: []wave.Signal{{Name: "a"}, {Name: "a"}}}, `duplicate signal "a"`},
		{wave.Waveform{Signals: []wave.Signal{{Name: "a", Kind: 7}}}, "unknown kind"},
		{wave.Waveform{Signals: []wave.Signal{{Name: "a"}}, Changes: []wave.Change{{0, "b", 1}}}, `unknown signal "b"`},
		{wave.Waveform{Signals: []wave.Signal{{Name: "a"}}, Changes: []wave.Change{{2, "a", 1}, {1, "a", 0}}}, "out of time order"},
		{wave.Waveform{Signals: []wave.Signal{{Name: "a"}}, Changes: []wave.Change{{-1, "a", 1}}}, "out of time order"},
	} {
		for _, write := range []func(*wave.Waveform) error{
			func(w *wave.Waveform) error { return w.WriteVCD(&bytes.Buffer{}) },
			func(w *wave.Waveform) error { return w.WriteWaveDrom(&bytes.Buffer{}, wave.WaveDromOptions{}) },
		} {
			if err := write(&c.w); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%+v: %v, want an error containing %q", c.w, err, c.want)
			}
		}
	}
}

func TestSorted(t *testing.T) {
	w := &wave.Waveform{
		Signals: []wave.Signal{{Name: "a"}, {Name: "b"}},
		Changes: []wave.Change{{5, "a", 1}, {1, "b", 1}, {5, "b", 0}, {1, "a", 0}},
	}
	got := w.Sorted().Changes
	want := []wave.Change{{1, "b", 1}, {1, "a", 0}, {5, "a", 1}, {5, "b", 0}}
	if !slices.Equal(got, want) {
		t.Errorf("Sorted %v, want %v", got, want)
	}
	if w.Changes[0].At != 5 {
		t.Error("Sorted changed the original")
	}
}

func TestValueAt(t *testing.T) {
	w := sample()
	for _, c := range []struct {
		name string
		at   time.Duration
		want int
	}{
		{"red", 0, 0}, {"red", 499 * ms, 0}, {"red", 500 * ms, 1}, {"red", 3 * time.Second, 1},
		{"red", 3*time.Second + 1234, 0}, {"lamp", 0, 0}, {"lamp", time.Second, 50},
	} {
		if got, ok := w.ValueAt(c.name, c.at); !ok || got != c.want {
			t.Errorf("ValueAt(%s, %v) = %d, %v; want %d", c.name, c.at, got, ok, c.want)
		}
	}
	if _, ok := w.ValueAt("nope", 0); ok {
		t.Error("ValueAt of a missing signal reports ok")
	}
}

type lane struct {
	Name string   `json:"name"`
	Wave string   `json:"wave"`
	Data []string `json:"data"`
}

type doc struct {
	Signal []lane `json:"signal"`
	Head   struct {
		Text string `json:"text"`
	} `json:"head"`
	Foot struct {
		Text string `json:"text"`
	} `json:"foot"`
	Config struct {
		HScale int `json:"hscale"`
	} `json:"config"`
}

func wavedrom(t *testing.T, w *wave.Waveform, o wave.WaveDromOptions) doc {
	t.Helper()
	var b bytes.Buffer
	if err := w.WriteWaveDrom(&b, o); err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatalf("%v\n%s", err, &b)
	}
	return d
}

func TestWaveDrom(t *testing.T) {
	w := sample()
	w.Changes = w.Changes[:4] // up to 500 ms; the end stays at 4 s
	d := wavedrom(t, w, wave.WaveDromOptions{Step: 250 * ms, Title: "sample", HScale: 2})
	want := []lane{
		{"red", "0.1.............", nil},
		{"lamp", "==..............", []string{"0%", "50%"}},
		{"push button", "1.0.............", nil},
	}
	if !slices.EqualFunc(d.Signal, want, func(a, b lane) bool {
		return a.Name == b.Name && a.Wave == b.Wave && slices.Equal(a.Data, b.Data)
	}) {
		t.Errorf("lanes %+v, want %+v", d.Signal, want)
	}
	if d.Head.Text != "sample" || d.Foot.Text != "one step = 250ms" || d.Config.HScale != 2 {
		t.Errorf("head %q foot %q hscale %d", d.Head.Text, d.Foot.Text, d.Config.HScale)
	}
}

func TestWaveDromOptions(t *testing.T) {
	w := sample()
	// Step chosen: the changes fall on multiples of 250 ms except the
	// one at 3 s + 1234 ns, so the gcd is 2 ns, far too many steps: a round
	// step of 20 ms gives 200 steps for 4 s.
	d := wavedrom(t, w, wave.WaveDromOptions{})
	if d.Foot.Text != "one step = 20ms" || len(d.Signal[0].Wave) != 200 {
		t.Errorf("foot %q, %d steps", d.Foot.Text, len(d.Signal[0].Wave))
	}
	// Without the odd change the gcd, 250 ms, is used.
	w.Changes = w.Changes[:4]
	d = wavedrom(t, w, wave.WaveDromOptions{Signals: []string{"push button"}, From: 250 * ms, To: 1250 * ms})
	if d.Foot.Text != "one step = 250ms" || len(d.Signal) != 1 || d.Signal[0].Wave != "10.." {
		t.Errorf("foot %q, lanes %+v", d.Foot.Text, d.Signal)
	}
	// Unknown values draw as x; MaxSteps bounds the step.
	w = &wave.Waveform{Signals: []wave.Signal{{Name: "a", Init: wave.Unknown}, {Name: "v", Kind: wave.Vector, Init: wave.Unknown}},
		Changes: []wave.Change{{At: 7 * ms, Signal: "a", Value: 1}}, End: 70 * ms}
	d = wavedrom(t, w, wave.WaveDromOptions{MaxSteps: 10})
	if d.Signal[0].Wave != "x1........" || d.Signal[1].Wave != "x........." {
		t.Errorf("lanes %+v", d.Signal)
	}
	for _, o := range []wave.WaveDromOptions{{Signals: []string{"nope"}}, {From: 2 * time.Second, To: time.Second}} {
		if err := sample().WriteWaveDrom(&bytes.Buffer{}, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	// An empty waveform still draws one step.
	d = wavedrom(t, &wave.Waveform{Signals: []wave.Signal{{Name: "a"}}}, wave.WaveDromOptions{})
	if d.Signal[0].Wave != "0" {
		t.Errorf("empty waveform: %+v", d.Signal)
	}
}

// TestWaveDromRenders renders the JSON to SVG with wavedrom-cli.
func TestWaveDromRenders(t *testing.T) {
	cli := tooltest.WaveDromCLI(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.svg")
	var b bytes.Buffer
	if err := sample().WriteWaveDrom(&b, wave.WaveDromOptions{Step: 250 * ms, Title: "sample"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(cli, "-i", in, "-s", out).CombinedOutput(); err != nil {
		t.Fatalf("wavedrom-cli: %v\n%s", err, msg)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "red", "lamp", "push button", "50%", "sample"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG has no %q", want)
		}
	}
}

func TestKindString(t *testing.T) {
	if wave.Bit.String() != "bit" || wave.Vector.String() != "vector" {
		t.Error(wave.Bit.String(), wave.Vector.String())
	}
	if got := (wave.Change{At: 250 * ms, Signal: "red", Value: 1}).String(); got != "0.250 red 1" {
		t.Error(got)
	}
	if got := wave.VCDName("a b.c[1]-d_e"); got != "a_b_c_1_-d_e" {
		t.Error(got)
	}
}

func TestWaveDromTicks(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteWaveDrom(&b, wave.WaveDromOptions{Step: time.Second, From: 2 * time.Second, Ticks: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"head": {
    "tick": 2
  }`) {
		t.Errorf("no tick from 2:\n%s", &b)
	}
	b.Reset()
	if err := sample().WriteWaveDrom(&b, wave.WaveDromOptions{Step: time.Second, Ticks: true, Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"tick": 0`) {
		t.Errorf("no tick from 0:\n%s", &b)
	}
}

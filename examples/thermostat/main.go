// Command thermostat is a room thermostat: a BME280 sensor on I2C read
// every second, an SSD1306 OLED that shows the temperature and the set
// point, a potentiometer that sets the set point, a red LED for the heater,
// switched with hysteresis, and a button that toggles Celsius and
// Fahrenheit. Four tasks share one loop and a little state, without locks:
//
//   - sensor: on a primitives.Ticker, every second, reads the temperature
//     with TinyGo's bme280 driver (unchanged) and switches the heater: on
//     below the set point minus 0.5 °C, off above it plus 0.5 °C;
//   - knob: reads the potentiometer ten times a second; the set point is 10
//     to 30 °C in steps of 0.5;
//   - button: a primitives.Pushbutton; a press toggles °C and °F;
//   - display: redraws the OLED with TinyGo's ssd1306 driver whenever what
//     it shows changes (an asyncio.Event the others set).
//
// On the simulated board the room is simulated too: it cools towards 10 °C
// outside, and the heater warms it.
//
// The command prints each change of the display's text and of the heater,
// one line each: the loop's time in seconds and what happened.
//
// Usage:
//
//	go run ./examples/thermostat                    # 60 s in real time
//	go run ./examples/thermostat -virtual           # the same trace at once
//	go run ./examples/thermostat -virtual -knob 20s:0.8 -press 40s -png oled.png
//	go run ./cmd/board thermostat                   # with the board in a page
package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/primitives"
	"tinygo.org/x/drivers/bme280"
	"tinygo.org/x/drivers/ssd1306"
)

// The thermostat's settings.
const (
	period     = time.Second            // between readings
	knobPeriod = 100 * time.Millisecond // between readings of the knob
	hysteresis = 0.5                    // °C either side of the set point
	minSet     = 10.0                   // °C at one end of the knob
	maxSet     = 30.0                   // °C at the other
)

// Spec is the thermostat's board.
func Spec() *board.Spec {
	return &board.Spec{
		Name: "thermostat",
		Parts: []board.PartSpec{
			{Name: "heater", Kind: board.KindLED, Colour: "red"},
			{Name: "button", Kind: board.KindButton, Bounce: &board.BounceSpec{Duration: "5ms", Seed: 1}},
			{Name: "knob", Kind: board.KindPotentiometer, Value: 0x8000},
			{Name: "i2c0", Kind: board.KindI2C, Device: "/dev/i2c-1"},
			{Name: "env", Kind: board.KindBME280, Bus: "i2c0", Address: "0x76"},
			{Name: "oled", Kind: board.KindSSD1306, Bus: "i2c0", Address: "0x3c"},
		},
	}
}

// thermostat is the state the tasks share: each field has one writer.
type thermostat struct {
	bus    board.I2C
	sensor bme280.Device
	oled   *ssd1306.Device
	knob   board.ADC
	heater board.LED
	button *primitives.Pushbutton

	temp       float64 // °C, the latest reading (sensor)
	read       bool    // whether there is a reading (sensor)
	set        float64 // °C (knob)
	fahrenheit bool    // (button)
	changed    asyncio.Event
	say        func(string)
}

// parts is what a board must have for the thermostat.
type parts interface {
	board.Board
	board.Buses
}

// newThermostat finds the parts on b and configures the sensor and the
// display.
func newThermostat(ctx *asyncio.Ctx, b parts, say func(string)) (*thermostat, error) {
	t := &thermostat{say: say}
	var err error
	if t.bus, err = b.I2C("i2c0"); err != nil {
		return nil, err
	}
	if t.knob, err = b.ADC("knob"); err != nil {
		return nil, err
	}
	if t.heater, err = b.LED("heater"); err != nil {
		return nil, err
	}
	pin, err := b.Pin("button")
	if err != nil {
		return nil, err
	}
	t.button = primitives.NewPushbutton(pin, primitives.PushbuttonConfig{})
	t.button.OnPress(func() {
		t.fahrenheit = !t.fahrenheit
		t.changed.Set()
	})
	t.sensor = bme280.New(t.bus)
	t.oled = ssd1306.NewI2C(t.bus)
	err = board.Blocking(ctx, t.bus, func() error {
		if !t.sensor.Connected() {
			return errors.New("no BME280 at 0x76 on i2c0")
		}
		t.sensor.Configure()
		t.oled.Configure(ssd1306.Config{Width: 128, Height: 64, Address: board.SSD1306Address, VccState: ssd1306.SWITCHCAPVCC})
		return nil
	})
	t.set = t.setPoint()
	return t, err
}

// setPoint is the knob's set point: minSet to maxSet in steps of 0.5 °C.
func (t *thermostat) setPoint() float64 {
	f := float64(t.knob.Get()) / 0xfff0
	return minSet + math.Round(min(f, 1)*(maxSet-minSet)*2)/2
}

// sense reads the sensor every period and switches the heater.
func (t *thermostat) sense(ctx *asyncio.Ctx) error {
	tick := primitives.NewTicker(ctx.Loop(), period, primitives.Skip)
	for {
		if err := tick.Next(ctx); err != nil {
			return err
		}
		mc, err := board.BlockingOf(ctx, t.bus, t.sensor.ReadTemperature)
		if err != nil {
			return err
		}
		t.temp, t.read = float64(mc)/1000, true
		switch {
		case t.temp < t.set-hysteresis:
			t.heater.On()
		case t.temp > t.set+hysteresis:
			t.heater.Off()
		}
		t.changed.Set()
	}
}

// turn reads the knob and updates the set point when it moves.
func (t *thermostat) turn(ctx *asyncio.Ctx) error {
	for {
		if s := t.setPoint(); s != t.set {
			t.set = s
			t.changed.Set()
		}
		if err := asyncio.Sleep(ctx, knobPeriod); err != nil {
			return err
		}
	}
}

// degrees formats a temperature in the unit chosen.
func (t *thermostat) degrees(c float64) string {
	if t.fahrenheit {
		return fmt.Sprintf("%.1f°F", c*9/5+32)
	}
	return fmt.Sprintf("%.1f°C", c)
}

// lines is what the display shows: the temperature, large, the set point
// and the heater.
func (t *thermostat) lines() (temp, set, heat string) {
	temp = "--.-"
	if t.read {
		temp = t.degrees(t.temp)
	}
	heat = "HEAT OFF"
	if t.heater.Get() {
		heat = "HEAT ON"
	}
	return temp, "SET " + t.degrees(t.set), heat
}

// show redraws the display whenever its text changes.
func (t *thermostat) show(ctx *asyncio.Ctx) error {
	white := color.RGBA{255, 255, 255, 255}
	last := ""
	for {
		temp, set, heat := t.lines()
		if text := temp + " " + set + " " + heat; text != last {
			last = text
			t.say("display " + text)
			t.oled.ClearBuffer()
			px := func(x, y int16) { t.oled.SetPixel(x, y, white) }
			drawText(px, 2, 2, 1, "TEMP")
			drawText(px, 2, 14, 3, temp)
			drawText(px, 2, 42, 1, set)
			drawText(px, 2, 54, 1, heat)
			if err := board.Blocking(ctx, t.bus, t.oled.Display); err != nil {
				return err
			}
		}
		t.changed.Clear()
		if err := t.changed.Wait(ctx); err != nil {
			return err
		}
	}
}

// run runs the four tasks in a task group until cancelled.
func (t *thermostat) run(ctx *asyncio.Ctx) error {
	return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
		g.Go(t.sense, asyncio.Named("sensor"))
		g.Go(t.turn, asyncio.Named("knob"))
		g.Go(t.button.Run, asyncio.Named("button"))
		g.Go(t.show, asyncio.Named("display"))
		return nil
	})
}

// room simulates the room the sensor is in: every 100 ms it loses heat
// to the outside and gains it from the heater.
func room(loop *asyncio.Loop, env *board.SimBME280, heater *board.SimLED) {
	const (
		step    = 100 * time.Millisecond
		outside = 10.0  // °C
		loss    = 0.005 // of the difference to outside, a second
		gain    = 0.15  // °C a second with the heater on
	)
	var tick func()
	tick = func() {
		dt := step.Seconds()
		c := env.Temperature() - (env.Temperature()-outside)*loss*dt
		if heater.Get() {
			c += gain * dt
		}
		env.SetTemperature(math.Round(c*1000) / 1000)
		loop.CallLater(step, tick)
	}
	loop.CallLater(step, tick)
}

// config is what the command line asks for.
type config struct {
	virtual bool
	run     time.Duration
	start   float64 // °C in the room at the start
	knob    []knobTurn
	presses []time.Duration
	spec    *board.Spec
	png     string
	vcd     string
	bus     bool // print the bus transfers
}

// knobTurn turns the knob to Frac of its travel At a time.
type knobTurn struct {
	At   time.Duration
	Frac float64
}

// lab runs the thermostat for c.run on the simulated board, writing each
// change to out as it happens.
func lab(out io.Writer, c config) error {
	var opts []asyncio.Option
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	var sim *board.Sim
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		var err error
		if sim, err = board.NewSimFrom(loop, c.spec); err != nil {
			return err
		}
		env, heater, knob, btn := sim.SimBME280("env"), sim.SimLED("heater"), sim.SimADC("knob"), sim.SimButton("button")
		if env == nil || heater == nil || knob == nil || btn == nil {
			return errors.New(`the board needs a bme280 "env", an LED "heater", a potentiometer "knob" and a button "button"`)
		}
		if err := env.SetTemperature(c.start); err != nil {
			return err
		}
		room(loop, env, heater)
		for _, k := range c.knob {
			loop.CallAt(k.At, func() { knob.SetFraction(k.Frac) })
		}
		for _, at := range c.presses {
			btn.PressAt(at)
			btn.ReleaseAt(at + 200*time.Millisecond)
		}
		say := func(what string) { fmt.Fprintf(out, "%.3f %s\n", loop.Time().Seconds(), what) }
		sim.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		if c.bus {
			sim.OnTransfer(func(t board.Transfer) { fmt.Fprintln(out, t) })
		}
		t, err := newThermostat(ctx, sim, say)
		if err != nil {
			return err
		}
		asyncio.CreateTask(ctx, t.run, asyncio.Named("thermostat"))
		return asyncio.Sleep(ctx, c.run)
	}, opts...)
	if err != nil {
		return err
	}
	if c.png != "" {
		if err := sim.SimSSD1306("oled").SavePNG(c.png, 4); err != nil {
			return err
		}
	}
	if c.vcd != "" {
		return saveWaveform(sim, c.vcd)
	}
	return nil
}

// saveWaveform writes the run's waveform, with a lane of the I2C bus's
// transfers, as a VCD, or as WaveDrom JSON if the file's name ends in
// .json.
func saveWaveform(sim *board.Sim, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := sim.WaveformWithBuses()
	if strings.HasSuffix(path, ".json") {
		err = w.WriteWaveDrom(f, wave.WaveDromOptions{})
	} else {
		err = w.WriteVCD(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseKnob parses "20s:0.8,40s:0.2": times and fractions of the knob's
// travel.
func parseKnob(s string) ([]knobTurn, error) {
	var ks []knobTurn
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		at, frac, ok := strings.Cut(f, ":")
		if !ok {
			return nil, fmt.Errorf("%q: want time:fraction, such as 20s:0.8", f)
		}
		d, err := time.ParseDuration(at)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q: bad time %q", f, at)
		}
		v, err := strconv.ParseFloat(frac, 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("%q: fraction %q, want 0 to 1", f, frac)
		}
		ks = append(ks, knobTurn{d, v})
	}
	return ks, nil
}

// parseTimes parses a comma-separated list of durations.
func parseTimes(s string) ([]time.Duration, error) {
	var ds []time.Duration
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad time %q", f)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// run is the command; it returns the exit code: 0 on success, 1 if the
// lab failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("thermostat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: thermostat [-virtual] [-for 60s] [-knob 20s:0.8] [-press 40s] [-png file] [flags]\n\n"+
			"Runs a thermostat on the simulated board, printing each change of the\n"+
			"display's text and of the heater.\n\n")
		fs.PrintDefaults()
	}
	c := config{}
	fs.BoolVar(&c.virtual, "virtual", false, "run on the virtual clock: print the whole trace at once")
	fs.DurationVar(&c.run, "for", 60*time.Second, "how long the thermostat runs")
	fs.Float64Var(&c.start, "start", 18, "the room's temperature at the start, °C")
	knob := fs.String("knob", "", "turns of the knob: comma-separated time:fraction (0 to 1), such as 20s:0.8")
	press := fs.String("press", "", "comma-separated times at which the button is clicked (°C/°F)")
	boardFile := fs.String("board", "", "a board `file` for the simulated board")
	fs.StringVar(&c.png, "png", "", "write the display's last picture as a PNG to this `file`")
	fs.StringVar(&c.vcd, "vcd", "", "write the waveform, with the I2C bus's transfers, as a VCD to this `file` (WaveDrom JSON if it ends in .json)")
	fs.BoolVar(&c.bus, "bus", false, "print every bus transfer")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "thermostat: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if c.run <= 0 {
		fmt.Fprintf(stderr, "thermostat: -for %v: want a positive duration\n", c.run)
		return 2
	}
	var err error
	if c.knob, err = parseKnob(*knob); err != nil {
		fmt.Fprintln(stderr, "thermostat: -knob:", err)
		return 2
	}
	if c.presses, err = parseTimes(*press); err != nil {
		fmt.Fprintln(stderr, "thermostat: -press:", err)
		return 2
	}
	c.spec = Spec()
	if *boardFile != "" {
		if c.spec, err = board.ReadSpecFile(*boardFile); err != nil {
			fmt.Fprintln(stderr, "thermostat:", err)
			return 2
		}
	}
	if err := lab(stdout, c); err != nil {
		fmt.Fprintln(stderr, "thermostat:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

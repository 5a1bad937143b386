package linuxbus_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
	"tinygo.org/x/drivers/bme280"
	"tinygo.org/x/drivers/ssd1306"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxbus"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

// TinyGo's bme280 driver asks the chip for its ID through the bus: one
// transfer, the register written and the ID read with a repeated start.
func TestI2CRunsTinyGoDrivers(t *testing.T) {
	play := &i2ctest.Playback{Ops: []i2ctest.IO{{Addr: 0x76, W: []byte{0xd0}, R: []byte{0x60}}}, DontPanic: true}
	bus := linuxbus.NewI2C("i2c0", play)
	dev := bme280.New(bus)
	if !dev.Connected() {
		t.Fatal("the driver does not see the BME280 its ID says")
	}
	if err := play.Close(); err != nil {
		t.Error(err)
	}

	// The ssd1306 driver's configuration: command streams to 0x3c, each
	// led by the control byte 0x00, display off first and on last.
	rec := &i2ctest.Record{}
	oled := ssd1306.NewI2C(linuxbus.NewI2C("i2c0", rec))
	oled.Configure(ssd1306.Config{Width: 128, Height: 64, Address: 0x3c, VccState: ssd1306.SWITCHCAPVCC})
	if len(rec.Ops) < 10 {
		t.Fatalf("configuring the display made %d transfers", len(rec.Ops))
	}
	for i, op := range rec.Ops {
		if op.Addr != 0x3c || len(op.W) < 2 || op.W[0] != 0x00 || len(op.R) != 0 {
			t.Fatalf("transfer %d is %+v, want a command stream to 0x3c", i, op)
		}
	}
	if first, last := rec.Ops[0].W[1], rec.Ops[len(rec.Ops)-1].W[1]; first != 0xae || last != 0xaf {
		t.Errorf("the first command is %#x and the last %#x, want display off (0xae) and on (0xaf)", first, last)
	}
}

func TestI2CErrors(t *testing.T) {
	play := &i2ctest.Playback{Ops: []i2ctest.IO{{Addr: 0x76, W: []byte{0xd0}, R: []byte{0x60}}}, DontPanic: true}
	bus := linuxbus.NewI2C("i2c0", play)
	for _, c := range []struct {
		addr uint16
		w, r []byte
		is   error
		want string
	}{
		{0x80, []byte{1}, nil, board.ErrBadTransfer, "linuxbus: i2c0: address 0x80: malformed transfer"},
		{0x76, nil, nil, board.ErrBadTransfer, "nothing to write or read"},
		{0x77, []byte{0xd0}, make([]byte, 1), nil, "linuxbus: i2c0: address 0x77: i2ctest: unexpected addr"},
	} {
		err := bus.Tx(c.addr, c.w, c.r)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("Tx(%#x, %x, %d bytes): %v, want an error with %q", c.addr, c.w, len(c.r), err, c.want)
		}
	}
	if bus.Name() != "i2c0" || bus.Bus() != play {
		t.Errorf("Name %q, Bus %v", bus.Name(), bus.Bus())
	}
}

// blockingBus is a bus whose transfers wait until release is closed, as
// an ioctl waits for the wire.
type blockingBus struct {
	release chan struct{}
	started chan struct{}
}

func (b *blockingBus) String() string { return "blocking" }
func (b *blockingBus) Tx(addr uint16, w, r []byte) error {
	close(b.started)
	<-b.release
	copy(r, []byte{0x60})
	return nil
}
func (b *blockingBus) SetSpeed(physic.Frequency) error { return nil }

// board.Blocking runs a Linux bus's transfer off the loop: while it
// waits, another task runs, and it is that task that lets it finish.
func TestBlockingRunsOffTheLoop(t *testing.T) {
	slow := &blockingBus{release: make(chan struct{}), started: make(chan struct{})}
	bus := linuxbus.NewI2C("i2c0", slow)
	if _, ok := any(bus).(board.OnLoop); ok {
		t.Fatal("a Linux bus is OnLoop: its ioctls would block the loop")
	}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			// Waits on the loop for the transfer to start elsewhere.
			for {
				select {
				case <-slow.started:
					close(slow.release)
					return nil
				default:
				}
				if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
			}
		}, asyncio.Named("releaser"))
		id, err := board.BlockingOf(ctx, bus, func() (byte, error) {
			r := []byte{0}
			err := bus.Tx(0x76, []byte{0xd0}, r)
			return r[0], err
		})
		if err == nil && id != 0x60 {
			t.Errorf("read %#x, want 0x60", id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSPIPadsTheShorter(t *testing.T) {
	play := &spitest.Playback{Playback: conntest.Playback{Ops: []conntest.IO{
		{W: []byte{0x9f, 0, 0}, R: []byte{0xff, 0xef, 0x40}}, // read 3 with 1 written
		{W: []byte{0x06, 0x07}, R: []byte{0x11, 0x22}},       // write 2, read none
		{W: []byte{0xa5}, R: []byte{0x5a}},                   // Transfer
	}, DontPanic: true}}
	conn, err := play.Connect(physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	s := linuxbus.NewSPI("spi0", conn)
	r := make([]byte, 3)
	if err := s.Tx([]byte{0x9f}, r); err != nil || !bytes.Equal(r, []byte{0xff, 0xef, 0x40}) {
		t.Errorf("Tx with a shorter write: %x, %v", r, err)
	}
	if err := s.Tx([]byte{0x06, 0x07}, nil); err != nil {
		t.Errorf("Tx with no read: %v", err)
	}
	if b, err := s.Transfer(0xa5); err != nil || b != 0x5a {
		t.Errorf("Transfer: %#x, %v", b, err)
	}
	if err := s.Tx(nil, nil); err != nil {
		t.Errorf("an empty Tx: %v", err)
	}
	if err := play.Close(); err != nil {
		t.Error(err)
	}
	// Past the recorded transfers the port's error comes back, named.
	if _, err := s.Transfer(1); err == nil || !strings.HasPrefix(err.Error(), "linuxbus: spi0: ") {
		t.Errorf("a transfer too many: %v", err)
	}
}

// fakeIIO makes an IIO device under a temporary root, as Linux's sysfs
// shows it: files of channels, and the channels' types if typ is not "".
func fakeIIO(t *testing.T, device string, raw map[int]string, typ string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, device)
	if err := os.MkdirAll(filepath.Join(dir, "scan_elements"), 0o755); err != nil {
		t.Fatal(err)
	}
	for ch, v := range raw {
		name := "in_voltage" + strconv.Itoa(ch)
		if err := os.WriteFile(filepath.Join(dir, name+"_raw"), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		if typ != "" {
			if err := os.WriteFile(filepath.Join(dir, "scan_elements", name+"_type"), []byte(typ+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestADCReadsIIO(t *testing.T) {
	for _, c := range []struct {
		typ  string
		raw  string
		bits int
		want uint16
	}{
		{"le:u12/16>>0", "2048\n", 12, 0x8000},
		{"", "4095\n", 12, 0xfff0}, // no type: 12 bits
		{"be:u16/16>>0", "40000", 16, 40000},
		{"le:s13/16>>0", "1", 12, 0x10}, // signed: the sign bit does not count
		{"le:u10/16>>0", "0", 10, 0},
		{"le:u24/32>>0", "8388608", 24, 0x8000},
	} {
		root := fakeIIO(t, "iio:device0", map[int]string{1: c.raw}, c.typ)
		a, err := linuxbus.OpenADC("knob", root, "iio:device0", 1)
		if err != nil {
			t.Errorf("%s %q: %v", c.typ, c.raw, err)
			continue
		}
		if a.Bits() != c.bits || a.Get() != c.want || a.Err() != nil {
			t.Errorf("%s %q: %d bits, Get %#x (%v); want %d bits, %#x", c.typ, c.raw, a.Bits(), a.Get(), a.Err(), c.bits, c.want)
		}
	}

	// The knob turns: each Get reads the file afresh.
	root := fakeIIO(t, "iio:device0", map[int]string{0: "100"}, "le:u12/16>>0")
	a, err := linuxbus.OpenADC("knob", root, "iio:device0", 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "iio:device0", "in_voltage0_raw")
	os.WriteFile(path, []byte("3000\n"), 0o644)
	if got := a.Get(); got != 3000<<4 {
		t.Errorf("after a turn: %#x, want %#x", got, 3000<<4)
	}
	// A reading out of range, or not a number, is 0 and an error.
	for _, bad := range []string{"4096", "-1", "lots"} {
		os.WriteFile(path, []byte(bad), 0o644)
		if got := a.Get(); got != 0 || a.Err() == nil || !strings.Contains(a.Err().Error(), "linuxbus: knob: ") {
			t.Errorf("reading %q: %#x, %v", bad, got, a.Err())
		}
	}
	if _, err := a.Read(); err == nil || (!errors.Is(err, linuxbus.ErrRange) && !strings.Contains(err.Error(), "want a number")) {
		t.Errorf("Read: %v", err)
	}
	os.WriteFile(path, []byte("1"), 0o644)
	if a.Get() != 0x10 || a.Err() != nil {
		t.Errorf("a good reading after bad ones: %#x, %v", a.Get(), a.Err())
	}

	// Opening fails on a channel or device that is not there, and on a
	// type it cannot read.
	if _, err := linuxbus.OpenADC("knob", root, "iio:device0", 3); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing channel: %v", err)
	}
	if _, err := linuxbus.OpenADC("knob", root, "iio:device9", 0); err == nil {
		t.Error("a missing device opens")
	}
	if _, err := linuxbus.OpenADC("knob", root, "iio:device0", -1); err == nil {
		t.Error("channel -1 opens")
	}
	root = fakeIIO(t, "iio:device0", map[int]string{0: "1"}, "weird")
	if _, err := linuxbus.OpenADC("knob", root, "iio:device0", 0); err == nil || !strings.Contains(err.Error(), `IIO channel type "weird"`) {
		t.Errorf("a bad type: %v", err)
	}
	// An absolute path is the device's directory.
	if _, err := linuxbus.OpenADC("knob", "/nowhere", filepath.Join(root, "iio:device0"), 0); err == nil || !strings.Contains(err.Error(), "weird") {
		t.Errorf("a device by its path: %v", err)
	}
}

func intp(v int) *int { return &v }

// thermostatSpec is the thermostat's board on Linux.
func thermostatSpec() *board.Spec {
	return &board.Spec{Name: "thermostat", Parts: []board.PartSpec{
		{Name: "heater", Kind: board.KindLED, Chip: "gpiochip0", Line: intp(17)},
		{Name: "knob", Kind: board.KindPotentiometer, Device: "iio:device0", Channel: intp(2)},
		{Name: "i2c0", Kind: board.KindI2C, Device: "/dev/i2c-1"},
		{Name: "env", Kind: board.KindBME280, Bus: "i2c0", Address: "0x76"},
		{Name: "oled", Kind: board.KindSSD1306, Bus: "i2c0"},
	}}
}

func TestOpenABoardFile(t *testing.T) {
	root := fakeIIO(t, "iio:device0", map[int]string{2: "1024"}, "le:u12/16>>0")
	var opened []string
	rec := &i2ctest.Record{}
	cfg := linuxbus.Config{
		IIORoot: root,
		OpenI2C: func(name, device string) (*linuxbus.I2C, error) {
			opened = append(opened, name+"="+device)
			return linuxbus.NewI2C(name, rec), nil
		},
	}
	b, err := linuxbus.Open(thermostatSpec(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if strings.Join(opened, " ") != "i2c0=/dev/i2c-1" {
		t.Errorf("opened %q", opened)
	}
	bus, err := b.I2C("i2c0")
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Tx(0x3c, []byte{0x00, 0xaf}, nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.Ops) != 1 || rec.Ops[0].Addr != 0x3c {
		t.Errorf("the transfer went to %+v", rec.Ops)
	}
	knob, err := b.ADC("knob")
	if err != nil || knob.Get() != 1024<<4 {
		t.Fatalf("knob: %v", err)
	}
	for _, c := range []struct {
		get  func() error
		want string
	}{
		{func() error { _, err := b.I2C("knob"); return err }, `part "knob" is a potentiometer, not an I2C bus`},
		{func() error { _, err := b.ADC("env"); return err }, `part "env" is a bme280, not an analogue input`},
		{func() error { _, err := b.ADC("nope"); return err }, `no part "nope"`},
	} {
		if err := c.get(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}

	// A part without its device, or whose device does not open.
	for _, c := range []struct {
		change func(*board.Spec)
		want   string
	}{
		{func(s *board.Spec) { s.Parts[2].Device = "" }, `part "i2c0": no "device"`},
		{func(s *board.Spec) { s.Parts[1].Channel = nil }, `part "knob": no "device" and "channel"`},
		{func(s *board.Spec) { s.Parts[1].Channel = intp(5) }, `part "knob": `},
		{func(s *board.Spec) { s.Parts[3].Address = "0x99" }, `address "0x99"`},
	} {
		s := thermostatSpec()
		c.change(s)
		if _, err := linuxbus.Open(s, cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	cfg.OpenI2C = func(name, device string) (*linuxbus.I2C, error) { return nil, errors.New("permission denied") }
	if _, err := linuxbus.Open(thermostatSpec(), cfg); err == nil || !strings.Contains(err.Error(), `part "i2c0": permission denied`) {
		t.Errorf("a bus that does not open: %v", err)
	}
	for _, k := range []board.Kind{board.KindI2C, board.KindBME280, board.KindSSD1306, board.KindPotentiometer} {
		if !linuxbus.IsBusPart(k) {
			t.Errorf("%s is not a bus part", k)
		}
	}
	if linuxbus.IsBusPart(board.KindLED) {
		t.Error("an LED is a bus part")
	}
}

// A device that is not there does not open, and the error names it.
func TestOpenMissingDevices(t *testing.T) {
	if _, err := linuxbus.OpenI2C("i2c0", "/dev/i2c-99"); err == nil || !strings.Contains(err.Error(), `linuxbus: i2c0: I2C bus "/dev/i2c-99": `) {
		t.Errorf("OpenI2C: %v", err)
	}
	if _, err := linuxbus.OpenSPI("spi0", "/dev/spidev9.9", physic.MegaHertz, spi.Mode0, 8); err == nil || !strings.Contains(err.Error(), `linuxbus: spi0: SPI port "/dev/spidev9.9": `) {
		t.Errorf("OpenSPI: %v", err)
	}
}

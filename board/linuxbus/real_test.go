package linuxbus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"tinygo.org/x/drivers/bme280"

	"github.com/goasyncio/asyncio/board/linuxbus"
)

// Tests on a machine's real devices. They say which variable to set, and
// skip without it: a bus is not probed unless asked, for a write to the
// wrong device can do harm.

// needDevice returns the variable's value, or skips the test saying what
// it needs and what the machine has.
func needDevice(t *testing.T, env, example, glob string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	have, _ := filepath.Glob(glob)
	t.Skipf("skipped: set %s=%s to test a real device (this machine has %d of %s: %q)", env, example, len(have), glob, have)
	return ""
}

// ASYNCIO_TEST_BME280=/dev/i2c-1:0x76: a BME280 on that bus answers with
// its ID, through TinyGo's driver, and reads a plausible temperature.
func TestRealBME280(t *testing.T) {
	v := needDevice(t, "ASYNCIO_TEST_BME280", "/dev/i2c-1:0x76", "/dev/i2c-*")
	dev, addr, _ := strings.Cut(v, ":")
	bus, err := linuxbus.OpenI2C("i2c", dev)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	sensor := bme280.New(bus)
	if addr != "" {
		a, err := strconv.ParseUint(addr, 0, 7)
		if err != nil {
			t.Fatalf("ASYNCIO_TEST_BME280: address %q", addr)
		}
		sensor.Address = uint16(a)
	}
	if !sensor.Connected() {
		t.Fatalf("no BME280 at %#x on %s", sensor.Address, dev)
	}
	sensor.Configure()
	mc, err := sensor.ReadTemperature()
	if err != nil || mc < -40000 || mc > 85000 {
		t.Errorf("temperature %d m°C, %v", mc, err)
	}
}

// ASYNCIO_TEST_IIO=iio:device0:0: the channel reads within range.
func TestRealIIO(t *testing.T) {
	v := needDevice(t, "ASYNCIO_TEST_IIO", "iio:device0:0", linuxbus.IIORoot+"/iio:device*")
	i := strings.LastIndex(v, ":")
	ch, err := strconv.Atoi(v[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("ASYNCIO_TEST_IIO=%q: want device:channel", v)
	}
	a, err := linuxbus.OpenADC("adc", "", v[:i], ch)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := a.Read(); err != nil {
		t.Errorf("read %#x: %v", r, err)
	}
}

// ASYNCIO_TEST_SPI_LOOPBACK=/dev/spidev0.0, with MOSI wired to MISO: what
// is written comes back.
func TestRealSPILoopback(t *testing.T) {
	dev := needDevice(t, "ASYNCIO_TEST_SPI_LOOPBACK", "/dev/spidev0.0", "/dev/spidev*")
	s, err := linuxbus.OpenSPI("spi", dev, physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, r := []byte{0xa5, 0x5a, 0x00, 0xff}, make([]byte, 4)
	if err := s.Tx(w, r); err != nil || !bytes.Equal(w, r) {
		t.Errorf("wrote %x, read %x, %v (is MOSI wired to MISO?)", w, r, err)
	}
}

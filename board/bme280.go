package board

import (
	"fmt"
	"math"
	"time"
)

// BME280Address is the BME280's I2C address with SDO to ground; 0x77 is
// the other.
const BME280Address = 0x76

// The BME280's registers that SimBME280 models.
const (
	bmeCalib0   = 0x88 // calib00..calib25: T1..P9 (0x88-0x9f), H1 (0xa1)
	bmeH1       = 0xa1
	bmeID       = 0xd0 // chip id, 0x60
	bmeReset    = 0xe0 // write 0xb6 to reset
	bmeCalib26  = 0xe1 // calib26..: H2..H6 (0xe1-0xe7)
	bmeCtrlHum  = 0xf2
	bmeStatus   = 0xf3
	bmeCtrlMeas = 0xf4
	bmeConfig   = 0xf5
	bmeData     = 0xf7 // press_msb .. hum_lsb (0xf7-0xfe)
	bmeChipID   = 0x60
)

// The calibration of the simulated chip: the values of Bosch's datasheet
// example (temperature and pressure) and of a real part (humidity).
var bmeCal = struct {
	t1                             uint16
	t2, t3                         int16
	p1                             uint16
	p2, p3, p4, p5, p6, p7, p8, p9 int16
	h1                             uint8
	h2                             int16
	h3                             uint8
	h4, h5                         int16
	h6                             int8
}{
	t1: 27504, t2: 26435, t3: -1000,
	p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
	h1: 75, h2: 370, h3: 0, h4: 305, h5: 50, h6: 30,
}

// SimBME280 is a Bosch BME280 temperature, humidity and pressure sensor on
// a simulated I2C bus, modelled at the level of its registers so that a
// driver written for the chip (TinyGo's bme280) reads it unchanged: chip
// id, calibration data, ctrl_hum (which takes effect at the next ctrl_meas
// write), ctrl_meas (oversampling, sleep, forced and normal modes), config
// (standby time and IIR filter), status (measuring) and the data
// registers, with soft reset.
//
// Conversions take the chip's time, on the loop's clock: in normal mode one
// ends every measurement time plus standby time, in forced mode one ends a
// measurement time after the ctrl_meas write, and the data registers show
// the latest that has ended (reset values, 0x80000, before the first). A
// conversion measures what SetTemperature, SetHumidity and SetPressure set
// last, encoded through the calibration, so that the chip's compensation
// formulas give it back within their resolution; the IIR filter smooths
// temperature and pressure as the chip's does.
type SimBME280 struct {
	sim  *Sim
	name string
	regs [256]byte
	ptr  byte

	temp, hum, press float64 // what the sensor measures: °C, %RH, Pa

	start    time.Duration // when the mode was last set (normal or forced)
	measured int64         // conversions latched since start
	filtT    float64       // the IIR filter's state (raw units), -1 before the first conversion
	filtP    float64
	humPend  byte // ctrl_hum, applied at the next ctrl_meas write
}

var _ I2CTarget = (*SimBME280)(nil)

// AddBME280 adds a BME280 named name on bus at addr (0x76 or 0x77), in
// sleep mode after power-on, measuring 21 °C, 45 %RH and 101325 Pa. It
// panics if the board already has a part with that name, and returns an
// error if bus is nil, addr is not 0x76 or 0x77, or the bus refuses it.
func (s *Sim) AddBME280(name string, bus *SimI2C, addr uint16) (*SimBME280, error) {
	if bus == nil {
		return nil, fmt.Errorf("board: BME280 %q: no I2C bus", name)
	}
	if addr != 0x76 && addr != 0x77 {
		return nil, fmt.Errorf("board: BME280 %q: address 0x%02x, want 0x76 or 0x77", name, addr)
	}
	d := &SimBME280{sim: s, name: name, temp: 21, hum: 45, press: 101325}
	d.powerOn()
	if err := s.attachDevice(name, d, func() error { return bus.Attach(addr, d) }); err != nil {
		return nil, err
	}
	return d, nil
}

// SimBME280 returns the BME280 named name, or nil.
func (s *Sim) SimBME280(name string) *SimBME280 { d, _ := s.parts[name].(*SimBME280); return d }

func (d *SimBME280) powerOn() {
	c := bmeCal
	r := d.regs[:]
	le := func(at int, v uint16) { r[at], r[at+1] = byte(v), byte(v>>8) }
	le(0x88, c.t1)
	le(0x8a, uint16(c.t2))
	le(0x8c, uint16(c.t3))
	le(0x8e, c.p1)
	for i, p := range []int16{c.p2, c.p3, c.p4, c.p5, c.p6, c.p7, c.p8, c.p9} {
		le(0x90+2*i, uint16(p))
	}
	r[bmeH1] = c.h1
	le(0xe1, uint16(c.h2))
	r[0xe3] = c.h3
	r[0xe4] = byte(c.h4 >> 4)
	r[0xe5] = byte(c.h4&0x0f) | byte(c.h5&0x0f)<<4
	r[0xe6] = byte(c.h5 >> 4)
	r[0xe7] = byte(c.h6)
	r[bmeID] = bmeChipID
	d.reset()
}

func (d *SimBME280) reset() {
	r := d.regs[:]
	r[bmeCtrlHum], r[bmeCtrlMeas], r[bmeConfig], r[bmeStatus] = 0, 0, 0, 0
	copy(r[bmeData:], []byte{0x80, 0, 0, 0x80, 0, 0, 0x80, 0})
	d.humPend, d.measured, d.filtT, d.filtP = 0, 0, -1, -1
	d.ptr = 0
}

// Name returns the part's name.
func (d *SimBME280) Name() string { return d.name }

// Temperature, Humidity and Pressure return what the sensor measures: °C,
// %RH and Pa.
func (d *SimBME280) Temperature() float64 { return d.temp }

// Humidity returns the relative humidity the sensor measures, in percent.
func (d *SimBME280) Humidity() float64 { return d.hum }

// Pressure returns the pressure the sensor measures, in pascals.
func (d *SimBME280) Pressure() float64 { return d.press }

// SetTemperature sets the temperature the sensor measures from now on, in
// °C, -40 to 85 (the chip's range).
func (d *SimBME280) SetTemperature(c float64) error {
	if !(c >= -40 && c <= 85) {
		return fmt.Errorf("board: BME280 %q: temperature %v °C is out of the chip's range, -40 to 85", d.name, c)
	}
	d.update()
	d.temp = c
	d.changed()
	return nil
}

// SetHumidity sets the relative humidity, 0 to 100 %.
func (d *SimBME280) SetHumidity(pct float64) error {
	if !(pct >= 0 && pct <= 100) {
		return fmt.Errorf("board: BME280 %q: humidity %v %% is out of range, 0 to 100", d.name, pct)
	}
	d.update()
	d.hum = pct
	d.changed()
	return nil
}

// SetPressure sets the pressure, 30000 to 110000 Pa (the chip's range).
func (d *SimBME280) SetPressure(pa float64) error {
	if !(pa >= 30000 && pa <= 110000) {
		return fmt.Errorf("board: BME280 %q: pressure %v Pa is out of the chip's range, 30000 to 110000", d.name, pa)
	}
	d.update()
	d.press = pa
	d.changed()
	return nil
}

func (d *SimBME280) changed() {
	if d.sim.viewer != nil {
		d.sim.viewer.part(d.name)
	}
}

// Tx implements I2CTarget. A write of one byte sets the register pointer
// for the read that follows; longer writes are register and value pairs,
// as the chip takes them over I2C. Reads go on from the pointer,
// incrementing it. Writes to registers other than reset, ctrl_hum,
// ctrl_meas and config are refused.
func (d *SimBME280) Tx(w, r []byte) error {
	d.update()
	if len(w) > 1 && len(w)%2 == 1 {
		return fmt.Errorf("%w: a write of %d bytes; the BME280 takes a register, or register and value pairs", ErrRefused, len(w))
	}
	if len(w) == 1 {
		d.ptr = w[0]
	}
	for i := 0; i+1 < len(w); i += 2 {
		if err := d.write(w[i], w[i+1]); err != nil {
			return err
		}
	}
	for i := range r {
		r[i] = d.read(d.ptr)
		d.ptr++
	}
	return nil
}

func (d *SimBME280) write(reg, v byte) error {
	switch reg {
	case bmeReset:
		if v == 0xb6 {
			d.reset()
		}
	case bmeCtrlHum:
		d.humPend = v & 0x07
	case bmeCtrlMeas:
		d.regs[bmeCtrlMeas] = v
		d.regs[bmeCtrlHum] = d.humPend
		d.start, d.measured = d.sim.loop.Time(), 0
	case bmeConfig:
		d.regs[bmeConfig] = v
	default:
		return fmt.Errorf("%w: the BME280's register 0x%02x is not writable", ErrRefused, reg)
	}
	return nil
}

func (d *SimBME280) read(reg byte) byte {
	if reg == bmeStatus {
		if d.measuring() {
			return 0x08
		}
		return 0
	}
	return d.regs[reg]
}

// mode returns ctrl_meas's mode: 0 sleep, 1 or 2 forced, 3 normal.
func (d *SimBME280) mode() byte { return d.regs[bmeCtrlMeas] & 3 }

var bmeOversampling = [8]int{0, 1, 2, 4, 8, 16, 16, 16}

// measureTime is the chip's maximum measurement time for the oversampling
// set (datasheet, appendix B).
func (d *SimBME280) measureTime() time.Duration {
	ot := bmeOversampling[d.regs[bmeCtrlMeas]>>5]
	op := bmeOversampling[d.regs[bmeCtrlMeas]>>2&7]
	oh := bmeOversampling[d.regs[bmeCtrlHum]&7]
	us := 1250 + 2300*ot
	if op > 0 {
		us += 2300*op + 575
	}
	if oh > 0 {
		us += 2300*oh + 575
	}
	return time.Duration(us) * time.Microsecond
}

var bmeStandby = [8]time.Duration{500 * time.Microsecond, 62500 * time.Microsecond, 125 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 10 * time.Millisecond, 20 * time.Millisecond}

// conversions returns how many conversions have ended since the mode was
// set, and whether one is under way now.
func (d *SimBME280) conversions() (n int64, busy bool) {
	el := d.sim.loop.Time() - d.start
	tm := d.measureTime()
	switch d.mode() {
	case 0:
		return d.measured, false
	case 3:
		period := tm + bmeStandby[d.regs[bmeConfig]>>5]
		n = int64(el/period) + b2i64(el%period >= tm)
		return n, el%period < tm
	default: // forced: one conversion
		if el >= tm {
			return 1, false
		}
		return 0, true
	}
}

func b2i64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (d *SimBME280) measuring() bool {
	_, busy := d.conversions()
	return busy
}

// update latches the conversions that have ended since the last access.
func (d *SimBME280) update() {
	n, _ := d.conversions()
	k := n - d.measured
	if k <= 0 {
		return
	}
	d.measured = n
	meas := d.regs[bmeCtrlMeas]
	rt, rp, rh := bmeRaw(d.temp, d.hum, d.press)
	coef := [8]float64{1, 2, 4, 8, 16, 16, 16, 16}[d.regs[bmeConfig]>>2&7]
	filter := func(state *float64, in float64) int32 {
		if *state < 0 || coef == 1 {
			*state = in
			k-- // the first conversion fills the filter
		}
		if k > 0 {
			*state = in + (*state-in)*math.Pow(1-1/coef, float64(k))
		}
		return int32(math.Round(*state))
	}
	put20 := func(at int, v int32) {
		d.regs[at], d.regs[at+1], d.regs[at+2] = byte(v>>12), byte(v>>4), byte(v<<4)
	}
	kk := k
	if meas>>5 != 0 {
		put20(bmeData+3, filter(&d.filtT, float64(rt)))
	}
	k = kk
	if meas>>2&7 != 0 {
		put20(bmeData, filter(&d.filtP, float64(rp)))
	}
	if d.regs[bmeCtrlHum]&7 != 0 {
		d.regs[bmeData+6], d.regs[bmeData+7] = byte(rh>>8), byte(rh)
	}
	if d.mode() != 3 {
		d.regs[bmeCtrlMeas] &^= 3 // forced mode ends in sleep mode
		d.measured = 0
	}
}

// bmeRaw returns the raw readings whose compensation (the datasheet's
// formulas, as drivers implement them) gives the temperature t (°C),
// humidity h (%RH) and pressure p (Pa) most closely.
func bmeRaw(t, h, p float64) (rt, rp int32, rh int32) {
	rt = search(0, 1<<20-1, func(raw int32) float64 { T, _ := bmeTemp(raw); return float64(T) / 100 }, t)
	_, fine := bmeTemp(rt)
	// Pressure falls as the raw value rises.
	rp = search(0, 1<<20-1, func(raw int32) float64 { return -bmePress(raw, fine) }, -p)
	rh = search(0, 1<<16-1, func(raw int32) float64 { return bmeHum(raw, fine) }, h)
	return rt, rp, rh
}

// search returns the x in [lo, hi] for which the non-decreasing f(x) is
// closest to want.
func search(lo, hi int32, f func(int32) float64, want float64) int32 {
	a, b := lo, hi
	for a < b {
		m := a + (b-a)/2
		if f(m) < want {
			a = m + 1
		} else {
			b = m
		}
	}
	if a > lo && math.Abs(f(a-1)-want) <= math.Abs(f(a)-want) {
		return a - 1
	}
	return a
}

// bmeTemp is the datasheet's compensation: hundredths of °C and t_fine.
func bmeTemp(raw int32) (int32, int32) {
	c := bmeCal
	v1 := (((raw >> 3) - (int32(c.t1) << 1)) * int32(c.t2)) >> 11
	v2 := (((((raw >> 4) - int32(c.t1)) * ((raw >> 4) - int32(c.t1))) >> 12) * int32(c.t3)) >> 14
	fine := v1 + v2
	return (fine*5 + 128) >> 8, fine
}

// bmePress is the datasheet's 64-bit compensation, in Pa.
func bmePress(raw, fine int32) float64 {
	c := bmeCal
	v1 := int64(fine) - 128000
	v2 := v1 * v1 * int64(c.p6)
	v2 += (v1 * int64(c.p5)) << 17
	v2 += int64(c.p4) << 35
	v1 = ((v1 * v1 * int64(c.p3)) >> 8) + ((v1 * int64(c.p2)) << 12)
	v1 = ((int64(1) << 47) + v1) * int64(c.p1) >> 33
	if v1 == 0 {
		return 0
	}
	p := int64(1048576 - raw)
	p = (((p << 31) - v2) * 3125) / v1
	v1 = (int64(c.p9) * (p >> 13) * (p >> 13)) >> 25
	v2 = (int64(c.p8) * p) >> 19
	p = ((p + v1 + v2) >> 8) + (int64(c.p7) << 4)
	return float64(p) / 256
}

// bmeHum is the datasheet's floating-point compensation, in %RH.
func bmeHum(raw, fine int32) float64 {
	c := bmeCal
	h := float64(fine) - 76800
	h = (float64(raw) - (float64(c.h4)*64 + float64(c.h5)/16384*h)) *
		(float64(c.h2) / 65536 * (1 + float64(c.h6)/67108864*h*(1+float64(c.h3)/67108864*h)))
	h *= 1 - float64(c.h1)*h/524288
	return min(max(h, 0), 100)
}

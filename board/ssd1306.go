package board

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
)

// SSD1306Address is the usual I2C address of an SSD1306 module (SA0 low);
// 0x3d is the other.
const SSD1306Address = 0x3c

// The SSD1306's display size that SimSSD1306 models.
const (
	SSD1306Width  = 128
	SSD1306Height = 64
)

// SimSSD1306 is a 128x64 monochrome OLED with an SSD1306 controller on a
// simulated I2C bus, modelled at the level of its command set and display
// RAM so that TinyGo's ssd1306 driver draws on it unchanged.
//
// Each I2C write starts with a control byte: 0x00 a stream of commands,
// 0x40 a stream of display data, 0x80 and 0xc0 one command or data byte
// followed by another control byte. Commands: display on and off (0xae,
// 0xaf), contrast (0x81), entire display on (0xa4, 0xa5), normal and
// inverse (0xa6, 0xa7), memory addressing mode (0x20: horizontal, vertical,
// page), column and page address (0x21, 0x22), page mode's start column and
// page (0x00-0x1f, 0xb0-0xb7), start line (0x40-0x7f), segment remap (0xa0,
// 0xa1), COM scan direction (0xc0, 0xc8), display offset (0xd3), and the
// settings the picture does not show (multiplex, clock, pins, charge
// pump, precharge, VCOMH, scrolling), whose arguments are taken and kept.
// Data bytes go to RAM at the address pointer, eight vertical pixels of a
// page each, least significant bit at the top, and move the pointer as the
// addressing mode says. Reads are refused: the chip cannot be read over
// I2C. An unknown command is refused, with its byte in the error.
//
// Image returns what the panel shows, as a module with the usual wiring
// does once a driver has set segment remap and COM scan reverse (0xa1,
// 0xc8): RAM column 0 at the left, page 0 at the top.
type SimSSD1306 struct {
	sim  *Sim
	name string
	ram  [SSD1306Width * SSD1306Height / 8]byte

	on, invert, allOn bool
	contrast          byte
	mode              byte // 0 horizontal, 1 vertical, 2 page
	col0, col1        byte // column address range
	page0, page1      byte
	col, page         byte // the address pointer
	startLine         byte
	offset            byte
	remap, comDec     bool

	cmd  []byte // a command waiting for its arguments
	need int    // how many more arguments it takes

	frames  int // display data writes, for the viewer
	onFrame []func()
}

var _ I2CTarget = (*SimSSD1306)(nil)

// AddSSD1306 adds a 128x64 SSD1306 display named name on bus at addr (0x3c
// or 0x3d), in its reset state: off, RAM cleared, page addressing. It
// panics if the board already has a part with that name, and returns an
// error if bus is nil, addr is not 0x3c or 0x3d, or the bus refuses it.
func (s *Sim) AddSSD1306(name string, bus *SimI2C, addr uint16) (*SimSSD1306, error) {
	if bus == nil {
		return nil, fmt.Errorf("board: SSD1306 %q: no I2C bus", name)
	}
	if addr != 0x3c && addr != 0x3d {
		return nil, fmt.Errorf("board: SSD1306 %q: address 0x%02x, want 0x3c or 0x3d", name, addr)
	}
	d := &SimSSD1306{sim: s, name: name, contrast: 0x7f, mode: 2, col1: SSD1306Width - 1, page1: SSD1306Height/8 - 1}
	if err := s.attachDevice(name, d, func() error { return bus.Attach(addr, d) }); err != nil {
		return nil, err
	}
	d.OnFrame(func() {
		if s.viewer != nil {
			s.viewer.frame(d)
		}
	})
	return d, nil
}

// SimSSD1306 returns the display named name, or nil.
func (s *Sim) SimSSD1306(name string) *SimSSD1306 { d, _ := s.parts[name].(*SimSSD1306); return d }

// Name returns the display's name.
func (d *SimSSD1306) Name() string { return d.name }

// On reports whether the display is on (0xaf).
func (d *SimSSD1306) On() bool { return d.on }

// RAM returns a copy of the display RAM: 8 pages of 128 columns, a byte
// per column and page, bit 0 the page's top row.
func (d *SimSSD1306) RAM() []byte { return append([]byte(nil), d.ram[:]...) }

// Frames returns how many display data writes the display has taken.
func (d *SimSSD1306) Frames() int { return d.frames }

// OnFrame makes fn be called after each write of display data or of a
// command that changes the picture.
func (d *SimSSD1306) OnFrame(fn func()) { d.onFrame = append(d.onFrame, fn) }

// Pixel reports whether the pixel at column x, row y of the panel is lit,
// as Image shows it.
func (d *SimSSD1306) Pixel(x, y int) bool {
	if x < 0 || x >= SSD1306Width || y < 0 || y >= SSD1306Height || !d.on {
		return false
	}
	if d.allOn {
		return true
	}
	col := x
	if !d.remap {
		col = SSD1306Width - 1 - x
	}
	row := y
	if !d.comDec {
		row = SSD1306Height - 1 - y
	}
	row = (row + int(d.startLine) + int(d.offset)) % SSD1306Height
	lit := d.ram[col+row/8*SSD1306Width]>>(row%8)&1 == 1
	return lit != d.invert
}

// Image returns the picture on the panel: lit pixels white (or the
// contrast's grey), others black.
func (d *SimSSD1306) Image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, SSD1306Width, SSD1306Height))
	lit := color.Gray{Y: 0x80 + d.contrast/2}
	for y := range SSD1306Height {
		for x := range SSD1306Width {
			if d.Pixel(x, y) {
				img.SetGray(x, y, lit)
			}
		}
	}
	return img
}

// WritePNG writes the picture (Image) as a PNG, each pixel scale x scale
// pixels (scale below 1 counts as 1).
func (d *SimSSD1306) WritePNG(w io.Writer, scale int) error {
	scale = max(scale, 1)
	src := d.Image()
	img := image.NewGray(image.Rect(0, 0, SSD1306Width*scale, SSD1306Height*scale))
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			img.SetGray(x, y, src.GrayAt(x/scale, y/scale))
		}
	}
	return png.Encode(w, img)
}

// SavePNG writes the picture to the file at path, as WritePNG.
func (d *SimSSD1306) SavePNG(path string, scale int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = d.WritePNG(f, scale)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Text returns the picture in block characters: 32 lines of
// 128 characters.
func (d *SimSSD1306) Text() string {
	return blockText(SSD1306Width, SSD1306Height, d.Pixel)
}

// blockText draws a w x h monochrome picture in block characters, two
// rows of pixels a line: "█" both lit, "▀" the top one, "▄" the bottom
// one, " " neither. Each line ends with a newline.
func blockText(w, h int, lit func(x, y int) bool) string {
	var b []rune
	for y := 0; y < h; y += 2 {
		for x := range w {
			top, bot := lit(x, y), y+1 < h && lit(x, y+1)
			switch {
			case top && bot:
				b = append(b, '█')
			case top:
				b = append(b, '▀')
			case bot:
				b = append(b, '▄')
			default:
				b = append(b, ' ')
			}
		}
		b = append(b, '\n')
	}
	return string(b)
}

// Tx implements I2CTarget.
func (d *SimSSD1306) Tx(w, r []byte) error {
	if len(r) > 0 {
		return fmt.Errorf("%w: the SSD1306 cannot be read over I2C (a read of %d bytes)", ErrRefused, len(r))
	}
	if len(w) < 2 {
		return fmt.Errorf("%w: a write of %d byte to the SSD1306; want a control byte and at least one byte", ErrRefused, len(w))
	}
	data, changed := false, false
	defer func() {
		if changed {
			if data {
				d.frames++
			}
			for _, fn := range d.onFrame {
				fn()
			}
		}
	}()
	for i := 0; i < len(w); {
		ctl := w[i]
		if ctl&0x3f != 0 {
			return fmt.Errorf("%w: SSD1306 control byte 0x%02x at byte %d; want 0x00, 0x40, 0x80 or 0xc0", ErrRefused, ctl, i)
		}
		i++
		if i == len(w) {
			return fmt.Errorf("%w: the SSD1306 write ends with a control byte", ErrRefused)
		}
		single := ctl&0x80 != 0 // Co: one byte, then another control byte
		end := len(w)
		if single {
			end = i + 1
		}
		for ; i < end; i++ {
			if ctl&0x40 != 0 {
				d.data(w[i])
				data, changed = true, true
				continue
			}
			c, err := d.command(w[i])
			if err != nil {
				return err
			}
			changed = changed || c
		}
	}
	return nil
}

// data writes one byte of display data at the pointer and moves it.
func (d *SimSSD1306) data(b byte) {
	d.ram[int(d.page)*SSD1306Width+int(d.col)] = b
	switch d.mode {
	case 0: // horizontal
		if d.col++; d.col > d.col1 {
			d.col = d.col0
			if d.page++; d.page > d.page1 {
				d.page = d.page0
			}
		}
	case 1: // vertical
		if d.page++; d.page > d.page1 {
			d.page = d.page0
			if d.col++; d.col > d.col1 {
				d.col = d.col0
			}
		}
	default: // page: the column wraps within the page
		if d.col++; d.col >= SSD1306Width {
			d.col = 0
		}
	}
}

// ssdArgs is how many argument bytes each multi-byte command takes.
var ssdArgs = map[byte]int{
	0x20: 1, 0x21: 2, 0x22: 2, 0x81: 1, 0x8d: 1, 0xa8: 1, 0xd3: 1, 0xd5: 1, 0xd9: 1, 0xda: 1, 0xdb: 1,
	0x26: 6, 0x27: 6, 0x29: 5, 0x2a: 5, 0xa3: 2,
}

// command takes one command byte (or an argument of the command before),
// and reports whether the picture may have changed.
func (d *SimSSD1306) command(b byte) (bool, error) {
	if d.need > 0 {
		d.cmd = append(d.cmd, b)
		if d.need--; d.need > 0 {
			return false, nil
		}
		return d.exec(d.cmd)
	}
	if n, ok := ssdArgs[b]; ok {
		d.cmd, d.need = append(d.cmd[:0], b), n
		return false, nil
	}
	return d.exec([]byte{b})
}

func (d *SimSSD1306) exec(c []byte) (bool, error) {
	b := c[0]
	switch {
	case b <= 0x0f: // page mode: lower nibble of the start column
		d.col = d.col&0xf0 | b
	case b <= 0x1f:
		d.col = d.col&0x0f | (b&0x07)<<4
	case b == 0x20:
		if c[1]&3 == 3 {
			return false, fmt.Errorf("%w: SSD1306 addressing mode 0x%02x is invalid", ErrRefused, c[1])
		}
		d.mode = c[1] & 3
	case b == 0x21:
		d.col0, d.col1 = c[1]&0x7f, c[2]&0x7f
		d.col = d.col0
	case b == 0x22:
		d.page0, d.page1 = c[1]&7, c[2]&7
		d.page = d.page0
	case b >= 0x40 && b <= 0x7f:
		d.startLine = b & 0x3f
		return true, nil
	case b == 0x81:
		d.contrast = c[1]
		return true, nil
	case b == 0xa0 || b == 0xa1:
		d.remap = b == 0xa1
		return true, nil
	case b == 0xa4 || b == 0xa5:
		d.allOn = b == 0xa5
		return true, nil
	case b == 0xa6 || b == 0xa7:
		d.invert = b == 0xa7
		return true, nil
	case b == 0xae || b == 0xaf:
		d.on = b == 0xaf
		return true, nil
	case b >= 0xb0 && b <= 0xb7:
		d.page = b & 7
	case b == 0xc0 || b == 0xc8:
		d.comDec = b == 0xc8
		return true, nil
	case b == 0xd3:
		d.offset = c[1] & 0x3f
		return true, nil
	case b == 0x2e || b == 0x2f || b == 0xe3: // scrolling off/on, no-op
	case len(c) > 1: // settings with arguments that the picture does not show
	default:
		return false, fmt.Errorf("%w: unknown SSD1306 command 0x%02x", ErrRefused, b)
	}
	return false, nil
}

package tui

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/view"
)

// Displays, knobs and sensors.
//
// A display (an SSD1306's picture) is drawn between the timing diagram and
// the console, with block characters where there is room: quadrants, two
// pixels by two a character (128×64 pixels in 64 columns and 32 rows), or
// else Braille dots, two by four (64 columns and 16 rows). The console
// keeps at least minConsole rows; a display that does not fit is named on
// a line that says how many rows it needs.
//
// The arrow keys turn the first potentiometer (← and →, a twentieth of its
// travel a press) and set the first BME280's temperature (↑ and ↓, half a
// degree a press).

// minConsole is how many console rows a display leaves at the least.
const minConsole = 2

// Steps of the knob and sensor keys.
const (
	knobStep    = (maxKnob + 10) / 20 // a twentieth of the knob's travel, rounded
	maxKnob     = 0xffff
	tempStep    = 500 // m°C
	minTemp     = -40000
	maxTemp     = 85000
	sensorField = "temperature"
)

// quadrants are the block characters of two pixels by two, indexed by the
// lit pixels: 1 top left, 2 top right, 4 bottom left, 8 bottom right.
var quadrants = []rune(" ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█")

// brailleDots are the bits of a Braille character's dots, by row (0 to 3)
// and column (0, 1) of its two-by-four cell.
var brailleDots = [4][2]rune{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}

// oledStyle draws the lit pixels in an OLED's blue-white.
var oledStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("#d8f0ff"))

// setter is what the knob and sensor keys need of a Session.
type setter interface {
	Set(name, field string, v int) error
}

// picture is a display's pixels, decoded.
type picture struct {
	w, h int
	data []byte // rows of pixels, eight a byte, the most significant bit leftmost
}

// pictureOf decodes a display's picture; ok is false if it has none or it
// is malformed.
func pictureOf(p view.PartState) (pic picture, ok bool) {
	if p.Pixels == "" || p.Width <= 0 || p.Height <= 0 {
		return pic, false
	}
	data, err := base64.StdEncoding.DecodeString(p.Pixels)
	if err != nil || len(data)*8 < p.Width*p.Height {
		return pic, false
	}
	return picture{p.Width, p.Height, data}, true
}

// lit reports whether the pixel at x, y is lit; outside the picture none is.
func (pic picture) lit(x, y int) bool {
	if x < 0 || y < 0 || x >= pic.w || y >= pic.h {
		return false
	}
	i := y*pic.w + x
	return pic.data[i/8]&(0x80>>(i%8)) != 0
}

// quadrantRows draws the picture two pixels by two a character.
func (pic picture) quadrantRows() []string {
	rows := make([]string, 0, (pic.h+1)/2)
	for y := 0; y < pic.h; y += 2 {
		row := make([]rune, 0, (pic.w+1)/2)
		for x := 0; x < pic.w; x += 2 {
			i := 0
			for b, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				if pic.lit(x+d[0], y+d[1]) {
					i |= 1 << b
				}
			}
			row = append(row, quadrants[i])
		}
		rows = append(rows, string(row))
	}
	return rows
}

// brailleRows draws the picture in Braille, two pixels by four a
// character; a character with no dot is a space.
func (pic picture) brailleRows() []string {
	rows := make([]string, 0, (pic.h+3)/4)
	for y := 0; y < pic.h; y += 4 {
		row := make([]rune, 0, (pic.w+1)/2)
		for x := 0; x < pic.w; x += 2 {
			var r rune
			for dy := range 4 {
				for dx := range 2 {
					if pic.lit(x+dx, y+dy) {
						r |= brailleDots[dy][dx]
					}
				}
			}
			if r == 0 {
				row = append(row, ' ')
			} else {
				row = append(row, 0x2800+r)
			}
		}
		rows = append(rows, string(row))
	}
	return rows
}

// displayLines returns the lines that show the board's displays in at
// most room rows, leaving minConsole of them: each display under a rule
// that names it, in quadrants if all fit so, else in Braille, else only
// the rule saying how many rows it needs.
func (m *model) displayLines(w, room int) []string {
	var pics []picture
	var names []string
	for _, p := range m.st.Parts {
		if p.Kind != partkind.SSD1306 {
			continue
		}
		if pic, ok := pictureOf(p); ok {
			pics, names = append(pics, pic), append(names, p.Name)
		}
	}
	if len(pics) == 0 {
		return nil
	}
	room -= minConsole
	need := func(cell int) int {
		n := 0
		for _, pic := range pics {
			n += 1 + (pic.h+cell-1)/cell
		}
		return n
	}
	var lines []string
	switch {
	case need(2) <= room:
		for i, pic := range pics {
			lines = append(lines, rule(fmt.Sprintf("display %s, %d×%d ", names[i], pic.w, pic.h), w))
			for _, r := range pic.quadrantRows() {
				lines = append(lines, oledStyle.Render(r))
			}
		}
	case need(4) <= room:
		for i, pic := range pics {
			lines = append(lines, rule(fmt.Sprintf("display %s, %d×%d in Braille ", names[i], pic.w, pic.h), w))
			for _, r := range pic.brailleRows() {
				lines = append(lines, oledStyle.Render(r))
			}
		}
	default:
		more := need(4) - room
		for i := range pics {
			if len(lines) >= room+minConsole {
				break
			}
			lines = append(lines, rule(fmt.Sprintf("display %s: %d rows more show it ", names[i], more), w))
		}
	}
	return lines
}

// firstOf returns the index in m.st.Parts of the first part of kind, or -1.
func (m *model) firstOf(kind string) int {
	for i, p := range m.st.Parts {
		if p.Kind == kind {
			return i
		}
	}
	return -1
}

// turn handles the knob and sensor keys; it reports whether k is one.
func (m *model) turn(k string) bool {
	var kind, field string
	var step, lo, hi int
	switch k {
	case "left", "right":
		kind, step, lo, hi = partkind.Potentiometer, knobStep, 0, maxKnob
		if k == "left" {
			step = -step
		}
	case "up", "down":
		kind, field, step, lo, hi = partkind.BME280, sensorField, tempStep, minTemp, maxTemp
		if k == "down" {
			step = -step
		}
	default:
		return false
	}
	i := m.firstOf(kind)
	if i < 0 {
		m.report("key "+k, fmt.Errorf("the board has no %s", kind))
		return true
	}
	s, ok := m.s.(setter)
	if !ok {
		m.report("key "+k, fmt.Errorf("this view cannot set a %s", kind))
		return true
	}
	p := &m.st.Parts[i]
	v := p.Level + step
	if kind == partkind.BME280 {
		v = snap(p.Level, step) // 21.3 °C goes up to 21.5, down to 21.0
	}
	v = min(max(v, lo), hi)
	if err := s.Set(p.Name, field, v); err != nil {
		m.report("set "+p.Name, err)
		return true
	}
	p.Level = v // until the Session's update confirms it
	return true
}

// snap returns the next multiple of step's size from v in step's direction.
func snap(v, step int) int {
	if step < 0 {
		return -snap(-v, -step)
	}
	q := v / step
	if v < 0 && v%step != 0 {
		q-- // floor
	}
	return (q + 1) * step
}

// sensorValue is a knob's or a sensor's value for its row: the knob's
// travel in percent, the sensor's temperature in °C.
func sensorValue(p view.PartState) (string, bool) {
	switch p.Kind {
	case partkind.Potentiometer:
		return strconv.Itoa((p.Level*100+maxKnob/2)/maxKnob) + "%", true
	case partkind.BME280:
		return strconv.FormatFloat(float64(p.Level)/1000, 'f', 1, 64) + "°", true
	case partkind.SSD1306, partkind.I2C, partkind.SPI, partkind.WS2812:
		return "", true
	}
	return "", false
}

// signalless reports whether a part has no level to draw in the timing
// diagram: a bus, a display, a sensor or an LED strip (which its row shows
// instead: see stripRow).
func signalless(p view.PartState) bool {
	switch p.Kind {
	case partkind.SSD1306, partkind.I2C, partkind.BME280, partkind.SPI, partkind.WS2812:
		return true
	}
	return false
}

// arrowLabel is the key label of the first knob (←→) or sensor (↑↓), or "".
func (m *model) arrowLabel(p view.PartState) string {
	switch {
	case p.Kind == partkind.Potentiometer && m.firstOf(p.Kind) >= 0 && m.st.Parts[m.firstOf(p.Kind)].Name == p.Name:
		return keyStyle.Render("←→") + "  "
	case p.Kind == partkind.BME280 && m.firstOf(p.Kind) >= 0 && m.st.Parts[m.firstOf(p.Kind)].Name == p.Name:
		return keyStyle.Render("↑↓") + "  "
	}
	return ""
}

// withArrowKeys adds the knob's and the sensor's keys to the help line's,
// before the last (quit), if the board has them and the line still fits
// in w columns.
func (m *model) withArrowKeys(keys [][2]string, w int) [][2]string {
	var more [][2]string
	if m.firstOf(partkind.Potentiometer) >= 0 {
		more = append(more, [2]string{"←→", "knob"})
	}
	if m.firstOf(partkind.BME280) >= 0 {
		more = append(more, [2]string{"↑↓", "temp"})
	}
	if len(more) == 0 || len(keys) == 0 {
		return keys
	}
	out := append(append(slices.Clone(keys[:len(keys)-1]), more...), keys[len(keys)-1])
	width := len(out) - 1 // the spaces between
	for _, k := range out {
		width += ansi.StringWidth(k[0]) + 1 + ansi.StringWidth(k[1])
	}
	if width > w {
		return keys
	}
	return out
}

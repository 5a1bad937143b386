// Package partkind names the kinds of parts of a board, once for the module:
// board files (board.Kind) and the viewer's protocol (package internal/wire)
// use these names.
package partkind

// The kinds of parts, as board files and the viewer name them.
const (
	LED    = "led"     // an LED
	PWMLED = "pwm-led" // a PWM-dimmed LED
	Button = "button"  // a push button
	Pin    = "pin"     // a general pin

	I2C           = "i2c"           // an I2C bus
	BME280        = "bme280"        // a BME280 sensor on an I2C bus
	SSD1306       = "ssd1306"       // a 128x64 SSD1306 display on an I2C bus
	Potentiometer = "potentiometer" // an analogue input with a knob
	SPI           = "spi"           // an SPI bus
	WS2812        = "ws2812"        // a strip of WS2812 RGB LEDs on an SPI bus's MOSI
)

// Valid reports whether kind is one of the kinds of parts.
func Valid(kind string) bool {
	switch kind {
	case LED, PWMLED, Button, Pin, I2C, BME280, SSD1306, Potentiometer, SPI, WS2812:
		return true
	}
	return false
}

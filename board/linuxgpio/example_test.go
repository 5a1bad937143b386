package linuxgpio_test

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/linuxgpio"
)

// An active-low LED on a GPIO line: here periph's fake line, on a Linux
// board a line of gpioioctl.Chips.
func ExampleNewPin() {
	line := &gpiotest.Pin{N: "GPIO17"}
	led, err := board.NewLED("status", linuxgpio.NewPin(line), board.ActiveLow)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("line:", line.L)
	led.On()
	fmt.Println("line:", line.L, "lit:", led.Get())
	// Output:
	// line: High
	// line: Low lit: true
}

// A board file's parts opened on GPIO lines. On a Linux board, pass nil as
// the Opener to use the machine's chips; here fake lines stand in for them.
func ExampleOpen() {
	spec, err := board.ParseSpec([]byte(`{"name": "pi", "parts": [
		{"name": "red", "kind": "led", "chip": "gpiochip0", "line": 17},
		{"name": "button", "kind": "button", "chip": "gpiochip0", "line": 27}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := map[int]*gpiotest.Pin{}
	open := func(chip string, n int) (gpio.PinIO, error) {
		lines[n] = &gpiotest.Pin{N: fmt.Sprintf("%s/%d", chip, n)}
		return lines[n], nil
	}
	b, err := linuxgpio.Open(spec, open)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	red, _ := b.LED("red")
	red.On()
	btn, _ := b.Button("button")
	fmt.Println("line 17:", lines[17].L, "line 27 pull:", lines[27].P, "pressed:", btn.Pressed())
	// Output:
	// line 17: High line 27 pull: PullUp pressed: false
}

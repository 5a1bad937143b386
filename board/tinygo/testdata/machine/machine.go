// Package machine is a stub of TinyGo's machine package, as its
// documentation describes it, for type-checking the adapter with the
// standard Go toolchain. It is never built into a program.
package machine

type Pin uint8

type PinMode uint8

const (
	PinOutput PinMode = iota
	PinInput
	PinInputPullup
	PinInputPulldown
)

type PinConfig struct {
	Mode PinMode
}

func (p Pin) Configure(config PinConfig) {}
func (p Pin) Set(high bool)              {}
func (p Pin) High()                      {}
func (p Pin) Low()                       {}
func (p Pin) Get() bool                  { return false }

type PinChange uint8

const (
	PinRising PinChange = 1 << iota
	PinFalling
	PinToggle = PinRising | PinFalling
)

func (p Pin) SetInterrupt(change PinChange, callback func(Pin)) error { return nil }

type PWMConfig struct {
	Period uint64
}

type pwmGroup struct{}

func (pwm *pwmGroup) Configure(config PWMConfig) error           { return nil }
func (pwm *pwmGroup) Channel(pin Pin) (channel uint8, err error) { return 0, nil }
func (pwm *pwmGroup) Set(channel uint8, value uint32)            {}
func (pwm *pwmGroup) Top() uint32                                { return 0 }

var PWM0 = &pwmGroup{}

type UART struct{}

func (uart *UART) Read(data []byte) (n int, err error)  { return 0, nil }
func (uart *UART) Write(data []byte) (n int, err error) { return len(data), nil }

var UART0 = &UART{}

const LED Pin = 25

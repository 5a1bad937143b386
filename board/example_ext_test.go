package board_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// A board described in a board file, built as a simulated board.
func ExampleNewSimFrom() {
	spec, err := board.ParseSpec([]byte(`{
	  "name": "desk",
	  "parts": [
	    {"name": "status", "kind": "led", "colour": "blue", "active": "low"},
	    {"name": "lamp", "kind": "pwm-led"},
	    {"name": "ok", "kind": "button"}
	  ]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim, err := board.NewSimFrom(loop, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sim.Name(), sim.Parts())
	lamp, _ := sim.PWMLED("lamp")
	lamp.SetDuty(40)
	fmt.Print(sim.Trace())
	fmt.Println(sim.Levels())
	// Output:
	// desk [status lamp ok]
	// 0.000 lamp on
	// [0.000 lamp 40]
}

// A script presses the lab's button; a task polls it every 100 ms and
// lights the red LED while it is pressed.
func ExampleSim_Play() {
	script, err := board.ParseScript(strings.NewReader(`
		# time  part    action
		0.250   button  press
		+0.4    button  release
		1.000   button  click 150ms
	`))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		lab := board.NewLab(ctx.Loop())
		lab.OnChange(func(e board.LEDChange) { fmt.Println(e) })
		if _, err := lab.Play(script); err != nil {
			return err
		}
		for range 15 {
			lab.Red.Set(lab.Button.Pressed())
			if err := asyncio.Sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0.300 red on
	// 0.700 red off
	// 1.000 red on
	// 1.200 red off
}

// A bouncy button: each press and release is followed by a few
// milliseconds of contact bounce, the same for the same seed.
func ExampleSimButton_SetBounce() {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	lab := board.NewLab(loop)
	lab.Button.SetBounce(board.Bounce{Duration: 5 * time.Millisecond, Flips: 4, Seed: 1})
	lab.Button.PressAt(time.Second)
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, 2*time.Second) })
	if err := loop.RunUntilComplete(main); err != nil {
		fmt.Println(err)
	}
	for _, c := range lab.Levels() {
		fmt.Println(c.At, c.Signal, c.Value)
	}
	// Output:
	// 1s button 0
	// 1.002184s button 1
	// 1.002213s button 0
	// 1.002486s button 1
	// 1.002651s button 0
}

// The waveform of a run, as a VCD (for GTKWave and logic-analyser software).
func ExampleSim_Waveform() {
	var lab *board.Lab
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		lab = board.NewLab(ctx.Loop())
		lab.Button.PressAt(100 * time.Millisecond)
		lab.Red.On()
		if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
		lab.Red.Off()
		return asyncio.Sleep(ctx, 250*time.Millisecond)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := lab.Waveform().WriteVCD(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// $version goasyncio board/wave $end
	// $timescale 1ns $end
	// $scope module lab $end
	// $var wire 1 ! red $end
	// $var wire 1 " green $end
	// $var wire 1 # button $end
	// $upscope $end
	// $enddefinitions $end
	// #0
	// $dumpvars
	// 1!
	// 1"
	// 1#
	// $end
	// 0!
	// #100000000
	// 0#
	// #250000000
	// 1!
	// #500000000
}

// Edges reach a task through WatchEdges: the interrupt callback only counts
// them and sets a ThreadSafeFlag.
func ExampleWatchEdges() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		sim := board.NewSim(ctx.Loop())
		pin := sim.AddPin("sensor", board.PinInputPullup)
		edges, err := board.WatchEdges(pin, board.PinFalling)
		if err != nil {
			return err
		}
		defer edges.Stop()
		pin.DriveAt(30*time.Millisecond, false)
		pin.FloatAt(40 * time.Millisecond)
		pin.DriveAt(90*time.Millisecond, false)
		for range 2 {
			n, high, err := edges.Wait(ctx)
			if err != nil {
				return err
			}
			fmt.Println(ctx.Loop().Time(), n, "falling edge, level high:", high)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 30ms 1 falling edge, level high: false
	// 90ms 1 falling edge, level high: false
}

// A serial port as a stream: here one end of a pipe, with a goroutine
// playing the device at the other end.
func ExampleNewSerial() {
	ours, device := net.Pipe()
	go func() {
		defer device.Close()
		io.WriteString(device, "READY\n")
		buf := make([]byte, 64)
		n, _ := device.Read(buf)
		io.WriteString(device, "ECHO "+string(buf[:n]))
	}()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		port := board.NewSerial(ctx.Loop(), ours)
		defer port.Close()
		line, err := port.ReadLine(ctx)
		if err != nil {
			return err
		}
		fmt.Print("device: ", string(line))
		port.WriteString("hello\n")
		if err := port.Drain(ctx); err != nil {
			return err
		}
		line, err = port.ReadLine(ctx)
		fmt.Print("device: ", string(line))
		return err
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// device: READY
	// device: ECHO hello
}

// NewLED puts an LED on any Pin: here a simulated pin, on real hardware a
// Linux GPIO line (package board/linuxgpio) or a TinyGo pin.
func ExampleNewLED() {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	sim := board.NewSim(loop)
	pin := sim.AddPin("GPIO17", board.PinInput)
	led, err := board.NewLED("status", pin, board.ActiveLow)
	if err != nil {
		fmt.Println(err)
		return
	}
	led.On()
	fmt.Println("lit:", led.Get(), "pin high:", pin.Get())
	led.Toggle()
	fmt.Println("lit:", led.Get(), "pin high:", pin.Get())
	// Output:
	// lit: true pin high: false
	// lit: false pin high: true
}

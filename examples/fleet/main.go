// Command fleet runs N simulated IoT devices in one process, one loop: each
// is an MQTT client (package mqtt) that publishes a temperature reading
// every period and obeys LED commands sent to it, while a controller task
// sends such commands. With -virtual the broker is the in-memory one of
// package mqtttest and time is virtual (an hour of fleet life takes
// seconds); with -broker it is a real broker such as mosquitto, on the real
// clock.
//
// Usage:
//
//	go run ./examples/fleet -virtual -n 1000 -for 1h
//	go run ./examples/fleet -broker 127.0.0.1:1883 -n 10000 -period 10s -for 1m
//
// Topics: fleet/<device>/temp (readings, QoS 0), fleet/<device>/led
// (commands: on, off, toggle; QoS 1), fleet/<device>/state (the LED's state
// after each command, QoS 0). At the end it prints what was sent and
// received, and, with -measure, the memory per device and CPU time per
// message.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/mqtt/mqtttest"
)

// device is one simulated board.
type device struct {
	name     string
	led      bool
	commands int
	client   *mqtt.Client
}

// obey runs an LED command; it is the client's message handler.
func (d *device) obey(ctx *asyncio.Ctx, m mqtt.Message) error {
	switch string(m.Payload) {
	case "on":
		d.led = true
	case "off":
		d.led = false
	case "toggle":
		d.led = !d.led
	default:
		return nil
	}
	d.commands++
	state := "off"
	if d.led {
		state = "on"
	}
	// From the handler: QoS 0 does not wait for an acknowledgement, which
	// the client's task, busy here, could not read.
	return d.client.Publish(ctx, "fleet/"+d.name+"/state", []byte(state), 0, false)
}

// publish sends a reading every period, starting at a random point of the
// first period so that the fleet does not publish all at once.
func (d *device) publish(ctx *asyncio.Ctx, period time.Duration, rng *rand.Rand, sent *int) error {
	if err := asyncio.Sleep(ctx, time.Duration(rng.Int64N(int64(period)))); err != nil {
		return err
	}
	next := ctx.Loop().Time()
	for {
		t := ctx.Loop().Time().Seconds()
		reading := fmt.Sprintf("%.2f", 20+5*math.Sin(t/600)+rng.Float64()/10)
		if err := d.client.Publish(ctx, "fleet/"+d.name+"/temp", []byte(reading), 0, false); err != nil {
			return err
		}
		*sent++
		next += period // no drift
		if err := asyncio.Sleep(ctx, next-ctx.Loop().Time()); err != nil {
			return err
		}
	}
}

// config is a fleet run.
type config struct {
	n        int
	period   time.Duration
	duration time.Duration
	broker   string // "" with virtual
	virtual  bool
	commands time.Duration // the controller's interval
	connects int           // connections made at once
	measure  bool
}

// report is what a run did.
type report struct {
	Devices, Connected                 int
	Readings, Commands, Obeyed, States int
	Elapsed                            time.Duration // loop time of the steady phase
	BytesPerDevice                     float64
	CPUPerMessage                      time.Duration
	ConnectTime                        time.Duration
	Drops                              int
}

func run(ctx *asyncio.Ctx, c config, log io.Writer) (report, error) {
	r := report{Devices: c.n}
	rng := rand.New(rand.NewPCG(1, 2))
	var b *mqtttest.Broker
	base := mqtt.Config{Addr: c.broker, CleanSession: true, KeepAlive: 60 * time.Second, QueueSize: 1}
	if c.virtual {
		b = &mqtttest.Broker{NoLog: true}
		base.Dial = b.Dial
	}
	var before runtime.MemStats
	if c.measure {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	start := ctx.Loop().Time()
	devices := make([]*device, c.n)
	sem := asyncio.NewSemaphore(c.connects)
	var connectErr error
	connecting := make([]*asyncio.Task, 0, c.n)
	for i := range devices {
		d := &device{name: fmt.Sprintf("dev-%d", i)}
		devices[i] = d
		cfg := base
		cfg.ClientID = d.name
		cfg.Handler = d.obey
		connecting = append(connecting, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := sem.Acquire(ctx); err != nil {
				return err
			}
			defer sem.Release()
			cl, err := mqtt.Connect(ctx, cfg)
			if err != nil {
				connectErr = err
				return err
			}
			d.client = cl
			return cl.Subscribe(ctx, "fleet/"+d.name+"/led", 1)
		}))
	}
	if err := asyncio.Gather(ctx, connecting...); err != nil {
		return r, fmt.Errorf("connecting %d devices: %w", c.n, errors.Join(err, connectErr))
	}
	r.Connected = c.n
	r.ConnectTime = ctx.Loop().Time() - start
	fmt.Fprintf(log, "%d devices connected in %v\n", c.n, r.ConnectTime.Round(time.Millisecond))

	// The controller sends LED commands through a client of its own.
	ctlCfg := base
	ctlCfg.ClientID = "controller"
	ctlCfg.QueueSize = 1024
	ctl, err := mqtt.Connect(ctx, ctlCfg)
	if err != nil {
		return r, err
	}
	ctl.Subscribe(ctx, "fleet/+/state", 0)
	var cpuStart time.Duration
	if c.measure {
		cpuStart = cpuTime()
	}
	steady := ctx.Loop().Time()
	err = asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
		for _, d := range devices {
			g.Go(func(ctx *asyncio.Ctx) error { return d.publish(ctx, c.period, rng, &r.Readings) })
		}
		g.Go(func(ctx *asyncio.Ctx) error {
			words := []string{"on", "off", "toggle"}
			for {
				if err := asyncio.Sleep(ctx, c.commands); err != nil {
					return err
				}
				d := devices[rng.IntN(len(devices))]
				if err := ctl.Publish(ctx, "fleet/"+d.name+"/led", []byte(words[rng.IntN(3)]), 1, false); err != nil {
					return err
				}
				r.Commands++
			}
		})
		g.Go(func(ctx *asyncio.Ctx) error {
			for {
				if _, err := ctl.Next(ctx); err != nil {
					return err
				}
				r.States++
			}
		})
		g.Go(func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, c.duration); err != nil {
				return err
			}
			g.Cancel()
			return nil
		})
		return nil
	})
	if err != nil && !errors.Is(err, asyncio.ErrCancelled) {
		return r, err
	}
	r.Elapsed = ctx.Loop().Time() - steady
	if c.measure {
		cpu := cpuTime() - cpuStart
		if msgs := r.Readings + r.Commands + r.States; msgs > 0 {
			r.CPUPerMessage = cpu / time.Duration(msgs)
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		used := float64(after.HeapInuse+after.StackInuse) - float64(before.HeapInuse+before.StackInuse)
		r.BytesPerDevice = used / float64(c.n)
	}
	for _, d := range devices {
		r.Obeyed += d.commands
		r.Drops += d.client.Stats().Drops
		d.client.Close(ctx)
	}
	ctl.Close(ctx)
	return r, nil
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 100, "devices")
	flag.DurationVar(&c.period, "period", 10*time.Second, "each device publishes a reading every `period`")
	flag.DurationVar(&c.duration, "for", time.Minute, "how long the fleet runs once connected")
	flag.StringVar(&c.broker, "broker", "", "the broker's `host:port` (real clock)")
	flag.BoolVar(&c.virtual, "virtual", false, "use the in-memory broker on the virtual clock")
	flag.DurationVar(&c.commands, "commands", time.Second, "the controller sends an LED command every `interval`")
	flag.IntVar(&c.connects, "connects", 200, "connections made at once")
	flag.BoolVar(&c.measure, "measure", false, "report memory per device and CPU time per message")
	flag.Parse()
	if c.virtual == (c.broker != "") {
		fmt.Fprintln(os.Stderr, "fleet: give -virtual or -broker host:port")
		os.Exit(2)
	}
	var opts []asyncio.Option
	if c.virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	r, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (report, error) { return run(ctx, c, os.Stderr) }, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
	print(os.Stdout, r, c)
}

func print(w io.Writer, r report, c config) {
	fmt.Fprintf(w, "devices %d, ran %v: %d readings (%.1f/s), %d LED commands, %d obeyed, %d states back, %d links dropped\n",
		r.Devices, r.Elapsed.Round(time.Millisecond), r.Readings, float64(r.Readings)/r.Elapsed.Seconds(), r.Commands, r.Obeyed, r.States, r.Drops)
	if c.measure {
		fmt.Fprintf(w, "memory per device %.1f KiB, CPU per message %v\n", r.BytesPerDevice/1024, r.CPUPerMessage)
	}
}

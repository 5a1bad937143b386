// Command led-server is a little IoT device: the lecture's lab board, whose
// LEDs keep blinking while a TCP line protocol controls them. Timers (the
// blinking) and network I/O (any number of clients) share one asyncio loop
// and one goroutine, with no lock anywhere.
//
// Usage:
//
//	go run ./examples/led-server                      # listen on 127.0.0.1:8023
//	go run ./examples/led-server -addr :8023 -trace   # any interface; print every LED change
//	go run ./examples/led-server -mqtt 127.0.0.1:1883 # also obey MQTT commands
//
// and from another terminal:
//
//	$ nc 127.0.0.1 8023
//	status
//	red blinking 1000ms (off), green blinking 250ms (on)
//	on red
//	ok: red on
//	off green
//	ok: green off
//	blink green 100
//	ok: green blinking 100ms
//	quit
//	bye
//
// Commands, one per line: on LED, off LED, toggle LED, blink LED [MS],
// status, help, quit. LED is red or green. A client that does not finish a
// line within five minutes (-idle) is disconnected, and at most 64 clients
// (-max-clients) are served at once: the others wait to be accepted. A
// client that resets its connection is simply gone. The server listens on
// 127.0.0.1 unless -addr says otherwise: the protocol has no password.
//
// With -mqtt the LEDs also obey an MQTT broker: a message to
// led-server/led/<LED> is a command for that LED (on, off, toggle, or
// blink [MS]), and the device publishes its status, retained, to
// led-server/status after each one:
//
//	mosquitto_pub -t led-server/led/red -m "blink 100"
//	mosquitto_sub -t led-server/status
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/mqtt"
	"github.com/goasyncio/asyncio/stream"
)

// led is one LED of the device and how it is driven.
type led struct {
	name    string
	pin     board.LED
	period  time.Duration // blink period; 0 when steady
	blinker *asyncio.Task // the blinking task, nil when steady
}

// device is the board and its LEDs. It belongs to the loop: its methods run
// in the loop's tasks, one at a time, so it needs no lock.
type device struct {
	lab  *board.Lab
	leds []*led
}

// newDevice starts the board's LEDs blinking with the given periods (red,
// green), as in the blink lab.
func newDevice(ctx *asyncio.Ctx, red, green time.Duration) *device {
	lab := board.NewLab(ctx.Loop())
	d := &device{lab: lab, leds: []*led{
		{name: "red", pin: lab.Red},
		{name: "green", pin: lab.Green},
	}}
	d.blink(ctx, d.leds[0], red)
	d.blink(ctx, d.leds[1], green)
	return d
}

// blink (re)starts l blinking with period p: the lab's blink coroutine.
func (d *device) blink(ctx *asyncio.Ctx, l *led, p time.Duration) {
	d.steady(l)
	l.period = p
	l.blinker = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		for {
			l.pin.Toggle()
			if err := asyncio.Sleep(ctx, p); err != nil {
				return err
			}
		}
	}, asyncio.Named("blink "+l.name))
}

// steady stops l blinking, leaving it as it is.
func (d *device) steady(l *led) {
	if l.blinker != nil {
		l.blinker.Cancel()
		l.blinker = nil
	}
	l.period = 0
}

func (d *device) find(name string) (*led, error) {
	for _, l := range d.leds {
		if l.name == name {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no LED %q (red, green)", name)
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// status describes every LED.
func (d *device) status() string {
	var parts []string
	for _, l := range d.leds {
		if l.period > 0 {
			parts = append(parts, fmt.Sprintf("%s blinking %dms (%s)", l.name, l.period.Milliseconds(), onOff(l.pin.Get())))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s", l.name, onOff(l.pin.Get())))
		}
	}
	return strings.Join(parts, ", ")
}

const help = "commands: on LED, off LED, toggle LED, blink LED [MS], status, help, quit; LED is red or green"

// errQuit ends a session.
var errQuit = errors.New("quit")

// command runs one command line and returns the reply. It does no I/O, so
// that tests can drive the device on the virtual clock.
func (d *device) command(ctx *asyncio.Ctx, line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	cmd, args := strings.ToLower(f[0]), f[1:]
	switch cmd {
	case "status":
		return d.status(), nil
	case "help":
		return help, nil
	case "quit", "exit":
		return "bye", errQuit
	case "on", "off", "toggle", "blink":
	default:
		return fmt.Sprintf("error: unknown command %q (try help)", f[0]), nil
	}
	if len(args) == 0 || (cmd != "blink" && len(args) > 1) || len(args) > 2 {
		return fmt.Sprintf("error: usage: %s LED%s", cmd, map[bool]string{true: " [MS]"}[cmd == "blink"]), nil
	}
	l, err := d.find(strings.ToLower(args[0]))
	if err != nil {
		return "error: " + err.Error(), nil
	}
	switch cmd {
	case "on", "off":
		d.steady(l)
		l.pin.Set(cmd == "on")
		return fmt.Sprintf("ok: %s %s", l.name, cmd), nil
	case "toggle":
		d.steady(l)
		l.pin.Toggle()
		return fmt.Sprintf("ok: %s %s", l.name, onOff(l.pin.Get())), nil
	}
	period := l.period
	if period == 0 {
		period = 500 * time.Millisecond
	}
	if len(args) == 2 {
		ms, err := strconv.Atoi(args[1])
		if err != nil || ms < 10 || ms > 60_000 {
			return fmt.Sprintf("error: bad period %q (10 to 60000 ms)", args[1]), nil
		}
		period = time.Duration(ms) * time.Millisecond
	}
	d.blink(ctx, l, period)
	return fmt.Sprintf("ok: %s blinking %dms", l.name, period.Milliseconds()), nil
}

// The server's limits (see stream.WithReadTimeout and
// stream.WithMaxConnections): a client that does not finish a line within
// idleLimit is disconnected, and at most maxClients are served at once
// (more wait to be accepted).
const (
	idleLimit  = 5 * time.Minute
	maxClients = 64
)

// session serves one client: a line protocol over the stream, whose reads
// time out after the idle limit.
func (d *device) session(ctx *asyncio.Ctx, s *stream.Stream, log io.Writer) error {
	peer := s.PeerAddr()
	fmt.Fprintf(log, "%v connected\n", peer)
	defer fmt.Fprintf(log, "%v gone\n", peer)
	s.WriteString("led-server: " + help + "\n")
	for {
		line, err := s.ReadLine(ctx)
		switch {
		case errors.Is(err, stream.ErrReadTimeout):
			s.WriteString("idle too long, bye\n")
			return nil
		case errors.Is(err, stream.ErrLineTooLong):
			s.WriteString("error: line too long\n")
			continue
		case err == io.EOF || errors.Is(err, stream.ErrClosed):
			return nil // the client left, or the server aborted us
		case err != nil:
			return err
		}
		reply, err := d.command(ctx, string(line))
		if reply != "" {
			fmt.Fprintf(log, "%v: %s -> %s\n", peer, strings.TrimSpace(string(line)), reply)
			s.WriteString(reply + "\n")
		}
		// A client that resets meanwhile makes Drain fail; the server
		// takes that as the client leaving, and reports nothing.
		if derr := s.Drain(ctx); derr != nil {
			return derr
		}
		if err == errQuit {
			return nil
		}
	}
}

// MQTT topics of the device.
const (
	ledTopics   = "led-server/led/+"
	statusTopic = "led-server/status"
)

// obeyMQTT connects to the broker and runs the commands that arrive on
// led-server/led/<LED>, publishing the status after each. The client
// reconnects by itself; obeyMQTT returns when the first connection fails
// or the task is cancelled.
func (d *device) obeyMQTT(ctx *asyncio.Ctx, mc mqtt.Config, log io.Writer) error {
	if mc.ClientID == "" {
		mc.ClientID = "led-server"
	}
	mc.CleanSession = true
	mc.OnLink = func(e mqtt.LinkEvent) {
		switch {
		case e.Up:
			fmt.Fprintln(log, "mqtt: link up")
		case e.Attempt == 0:
			fmt.Fprintln(log, "mqtt: link down:", e.Err)
		}
	}
	c, err := mqtt.Connect(ctx, mc)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if err := c.Subscribe(ctx, ledTopics, 1); err != nil {
		return err
	}
	if err := c.Publish(ctx, statusTopic, []byte(d.status()), 1, true); err != nil {
		return err
	}
	for m, err := range c.Messages(ctx) {
		if err != nil {
			return err
		}
		led := m.Topic[strings.LastIndexByte(m.Topic, '/')+1:]
		f := strings.Fields(string(m.Payload))
		if len(f) == 0 || f[0] == "quit" || f[0] == "exit" {
			continue
		}
		line := strings.Join(append([]string{f[0], led}, f[1:]...), " ")
		reply, _ := d.command(ctx, line)
		fmt.Fprintf(log, "mqtt: %s -> %s\n", line, reply)
		if err := c.Publish(ctx, statusTopic, []byte(d.status()), 1, true); err != nil {
			return err
		}
	}
	return nil
}

// config is how the server runs.
type config struct {
	mqtt       *mqtt.Config // the broker to obey too, or nil
	addr       string
	idle       time.Duration // disconnect a client that sends no line for this long
	maxClients int           // served at once
	red, green time.Duration // blink periods at start
	trace      io.Writer     // LED changes, or nil
	log        io.Writer     // connections and commands
}

// serve runs the device and its server until the server is closed;
// started, if not nil, gets the device and server once it listens.
func serve(ctx *asyncio.Ctx, c config, started func(*device, *stream.Server)) error {
	d := newDevice(ctx, c.red, c.green)
	if c.trace != nil {
		d.lab.OnChange(func(e board.LEDChange) { fmt.Fprintln(c.trace, e) })
	}
	if c.mqtt != nil {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := d.obeyMQTT(ctx, *c.mqtt, c.log)
			if err != nil && !errors.Is(err, asyncio.ErrCancelled) {
				fmt.Fprintln(c.log, "mqtt:", err)
			}
			return nil
		}, asyncio.Named("mqtt"))
	}
	host, p, err := net.SplitHostPort(c.addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return fmt.Errorf("bad port %q", p)
	}
	srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
		return d.session(ctx, s, c.log)
	}, host, port, stream.WithMaxLine(256), stream.WithReadTimeout(cmp.Or(c.idle, idleLimit)), stream.WithMaxConnections(cmp.Or(c.maxClients, maxClients)))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.log, "listening on %v\n", srv.Addr())
	if started != nil {
		started(d, srv)
	}
	return srv.WaitClosed(ctx)
}

// run is the command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer, interrupt <-chan os.Signal) int {
	fs := flag.NewFlagSet("led-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: led-server [-addr host:port] [-trace] [-idle d] [-max-clients n] [-mqtt host:port]\n\n"+
			"The lab board's LEDs blink while clients drive them over TCP, a line\n"+
			"each: on LED, off LED, toggle LED, blink LED [MS], status, help, quit\n"+
			"(LED is red or green). Try: nc 127.0.0.1 8023\n\n")
		fs.PrintDefaults()
	}
	c := config{red: time.Second, green: 250 * time.Millisecond, log: stderr}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8023", "listen on `host:port`")
	fs.DurationVar(&c.idle, "idle", idleLimit, "disconnect a client that sends no line for this long")
	fs.IntVar(&c.maxClients, "max-clients", maxClients, "serve at most this many clients at once; more wait")
	trace := fs.Bool("trace", false, "print every LED change on standard output")
	broker := fs.String("mqtt", "", "also obey commands from the MQTT broker at `host:port`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *trace {
		c.trace = stdout
	}
	if *broker != "" {
		c.mqtt = &mqtt.Config{Addr: *broker}
	}
	done := make(chan struct{})
	defer close(done)
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		return serve(ctx, c, func(_ *device, srv *stream.Server) {
			go func() {
				select {
				case <-interrupt:
					ctx.Loop().CallSoonThreadsafe(func() {
						srv.Close()
						srv.AbortClients()
					})
				case <-done:
				}
			}()
		})
	})
	if err != nil {
		fmt.Fprintln(stderr, "led-server:", err)
		return 1
	}
	return 0
}

func main() {
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, interrupt))
}

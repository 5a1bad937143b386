// Command board runs a program on the virtual board and shows the board in
// a web page or in the terminal: LEDs that light, buttons to press, the
// program's console, a timing diagram of every pin, and the pace of the
// virtual clock (real time, slower, faster, paused, one step at a time).
//
// Usage:
//
//	go run ./cmd/board blink                 # the lecture's blink lab in the browser
//	go run ./cmd/board -tui button           # the button lab in the terminal
//	go run ./cmd/board ./path/to/myprogram   # any program that uses package board
//	go run ./cmd/board -paused blink -- -x   # arguments after the target go to the program
//
// The target is a built-in lab (see -list), a Go package directory, which is
// built first, or a program file. The program needs no change: its first
// simulated board (board.NewSim, board.NewLab) connects to the viewer,
// which cmd/board names in the program's environment.
//
// Installed (go install github.com/goasyncio/asyncio/cmd/board@latest),
// board runs anywhere: in a clone of the module it builds the labs of the
// clone; elsewhere those of its own version, which the go command fetches
// into the module cache; a board built from a clone (go install
// ./cmd/board) builds them from that clone.
//
// With -web (the default) the page is served on -addr, 127.0.0.1:8080
// unless told otherwise, until Ctrl-C; the program starts when the page
// first opens, so that it is seen from its start. With -tui the board fills
// the terminal until q or Ctrl-C.
//
// Safe by default: the page is served on the loopback interface only, and
// the program's board connects back to board with a secret made for each
// run. An -addr beyond this machine (":8080", a LAN address) is refused
// unless -remote is given too; board then warns on standard error and
// requires a token, which the printed address carries (open that address;
// the page keeps the token in a cookie).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/tui"
	"github.com/goasyncio/asyncio/view/web"
)

// lab is a built-in lab: a program of examples/ and the arguments that run
// it on the virtual clock, so that its times are the lab's own.
type lab struct {
	pkg  string
	args []string
	desc string
}

const module = "github.com/goasyncio/asyncio"

var labs = map[string]lab{
	"blink":            {module + "/examples/blink", []string{"-virtual"}, "two LEDs blink at 1 s and 0.25 s for 10 s (the lecture's first lab)"},
	"starve":           {module + "/examples/starve", []string{"-virtual"}, "blink with a task that blocks the loop: see its long run in the task lanes, then the one-line fix (-- -fixed)"},
	"button":           {module + "/examples/button", []string{"-virtual"}, "the red LED lights once the button is pressed (the lecture's second lab)"},
	"button-debounced": {module + "/examples/button-debounced", []string{"-virtual", "-for", "10m"}, "a debounced button: clicks, double clicks and long presses"},
	"traffic-light":    {module + "/examples/traffic-light", []string{"-virtual", "-for", "10m", "-press", ""}, "a pelican crossing: press the button to cross"},
	"thermostat":       {module + "/examples/thermostat", []string{"-virtual", "-for", "10m"}, "a BME280, an OLED, a knob and a heater: four tasks keep the room warm"},
	"strip":            {module + "/examples/strip", []string{"-virtual", "-for", "10m"}, "a comet on a WS2812 LED strip driven over SPI; the button changes its colour"},
	"preemptive":       {module + "/examples/preemptive", []string{"-virtual"}, "goroutines against tasks: shared state without locks, then a worker that blocks"},
}

func labNames() []string {
	names := make([]string, 0, len(labs))
	for n := range labs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// options is what the command line asks for.
type options struct {
	tui    bool
	addr   string
	remote bool
	paused bool
	speed  float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit code: 0 when stopped by ctx (or
// q in the terminal), 1 if the board could not be shown, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "test" {
		return runTest(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("board", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: board [flags] lab|package|program [program arguments]\n\nRuns a program on the virtual board and shows the board.\n\nlabs:\n")
		for _, n := range labNames() {
			fmt.Fprintf(stderr, "  %-17s %s\n", n, labs[n].desc)
		}
		fmt.Fprintf(stderr, "\nflags:\n")
		fs.PrintDefaults()
	}
	var o options
	fs.BoolVar(&o.tui, "tui", false, "show the board in the terminal instead of a web page")
	fs.Bool("web", true, "show the board in a web page (the default; -tui wins)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "serve the web page on `host:port` (port 0 picks a free one)")
	fs.BoolVar(&o.remote, "remote", false, "allow an -addr beyond this machine; every request then needs the printed token")
	fs.BoolVar(&o.paused, "paused", false, "start with the clock paused")
	fs.Float64Var(&o.speed, "speed", 1, "the clock's speed: 1 is real time, 10 ten times faster")
	list := fs.Bool("list", false, "list the built-in labs")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *list {
		for _, n := range labNames() {
			fmt.Fprintf(stdout, "%-17s %s\n", n, labs[n].desc)
		}
		return 0
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "board: name a lab, a package or a program, e.g. board blink")
		fs.Usage()
		return 2
	}
	if !(o.speed >= wire.MinSpeed && o.speed <= wire.MaxSpeed) {
		fmt.Fprintf(stderr, "board: -speed %v: want %v to %v\n", o.speed, wire.MinSpeed, wire.MaxSpeed)
		return 2
	}
	target, extra := fs.Arg(0), fs.Args()[1:]
	if len(extra) > 0 && extra[0] == "--" {
		extra = extra[1:]
	}
	dir, err := os.MkdirTemp("", "board-")
	if err != nil {
		fmt.Fprintln(stderr, "board:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	program, code := resolve(target, dir, stderr)
	if code != 0 {
		return code
	}
	program = append(program, extra...)

	// On the page, the program starts when the page opens.
	s, err := view.Start(view.Config{Program: program, Paused: o.paused, Speed: o.speed, WaitForViewer: !o.tui})
	if err != nil {
		fmt.Fprintln(stderr, "board:", err)
		return 1
	}
	defer s.Close()
	if o.tui {
		if err := tui.Run(ctx, s); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "board:", err)
			return 1
		}
		return 0
	}
	var opts []web.Option
	if o.remote {
		opts = append(opts, web.Remote(wire.NewToken()))
	}
	srv, err := web.Listen(s, o.addr, opts...)
	if errors.Is(err, web.ErrNotLoopback) {
		fmt.Fprintf(stderr, "board: -addr %s would serve the board beyond this machine, where anyone who reaches it could watch and drive it; add -remote to do so knowingly (a token is then required), or use -addr 127.0.0.1:PORT\n", o.addr)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "board:", explainListen(o.addr, err))
		return 1
	}
	defer srv.Close()
	if o.remote {
		fmt.Fprintf(stderr, "board: WARNING: serving on %s beyond this machine (-remote): whoever has the address below, with its token, can watch and drive the board; anyone on the network can see it in plain HTTP\n", o.addr)
	}
	fmt.Fprintf(stdout, "board: %s is on %s (open it in a browser: it starts when the page opens; Ctrl-C stops)\n", target, srv.URL)
	<-ctx.Done()
	return 0
}

// resolve turns the target into a program to run: a lab or a package is
// built into dir, a program file is run as it is.
func resolve(target, dir string, stderr io.Writer) ([]string, int) {
	if l, ok := labs[target]; ok {
		fmt.Fprintf(stderr, "board: building the %s lab (the first build can take a minute)...\n", target)
		bin := filepath.Join(dir, exe(target))
		if err := buildLab(l, bin, "", stderr); err != nil {
			fmt.Fprintf(stderr, "board: building the %s lab: %v\n", target, err)
			return nil, 1
		}
		return append([]string{bin}, l.args...), 0
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "board: unknown lab %q, and no such package or program; the labs are: %s\n", target, strings.Join(labNames(), ", "))
		return nil, 2
	case fi.IsDir():
		fmt.Fprintf(stderr, "board: building %s (the first build can take a minute)...\n", target)
		name := "program"
		if abs, err := filepath.Abs(target); err == nil && filepath.Base(abs) != string(filepath.Separator) {
			name = filepath.Base(abs) // "." is named after the current directory
		}
		bin := filepath.Join(dir, exe(name))
		if err := (goBuild{pkg: packageDir(target)}).run(bin); err != nil {
			fmt.Fprintf(stderr, "board: building %s: %v\n", target, err)
			return nil, 1
		}
		return []string{bin}, 0
	default:
		abs, err := filepath.Abs(target)
		if err != nil {
			fmt.Fprintln(stderr, "board:", err)
			return nil, 1
		}
		return []string{abs}, 0
	}
}

// packageDir turns a directory into a package pattern for the go command:
// "examples/blink" is a directory, not an import path.
func packageDir(dir string) string {
	if filepath.IsAbs(dir) || dir == "." || dir == ".." || strings.HasPrefix(dir, "./") || strings.HasPrefix(dir, "../") {
		return dir
	}
	return "./" + dir
}

// explainListen says why the page cannot be served on addr; for a port in
// use it suggests a free one.
func explainListen(addr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot serve the page on %s: %w", addr, err)
	}
	host, _, _ := net.SplitHostPort(addr)
	hint := "-addr " + net.JoinHostPort(host, "0") + " picks a free port"
	if free, ferr := net.Listen("tcp", net.JoinHostPort(host, "0")); ferr == nil {
		hint = "try -addr " + free.Addr().String()
		free.Close()
	}
	return fmt.Errorf("%s is in use (is another board running?); %s", addr, hint)
}

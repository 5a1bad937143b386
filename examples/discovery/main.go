// Command discovery is the discovery half of an IoT device: devices answer
// a broadcast "who is there?" with their name and address, over UDP on the
// loop (stream.OpenDatagramEndpoint), as SSDP and mDNS-style discovery do.
// Everything stays on the loopback interface: the devices listen on its
// broadcast address, 127.255.255.255, sharing one port.
//
// Usage:
//
//	go run ./examples/discovery                 # 3 devices and a probe in one loop
//	go run ./examples/discovery -devices 10 -port 50505
//
// Output, one line per device that answered, sorted:
//
//	device-1 answered from 127.0.0.1:40007
//	...
//	3 of 3 devices answered within 200ms
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

const (
	question = "DISCOVER"
	answer   = "HERE "
)

// broadcastAddr is the loopback interface's broadcast address (Linux).
var broadcastAddr = netip.MustParseAddr("127.255.255.255")

// device answers the discovery broadcasts that reach listen with its name,
// from a socket of its own, to the asker.
func device(ctx *asyncio.Ctx, name string, listen *stream.Endpoint) error {
	defer listen.Close()
	reply, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
	if err != nil {
		return err
	}
	defer reply.Close()
	buf := make([]byte, 512)
	for {
		n, from, err := listen.RecvFrom(ctx, buf)
		if err != nil {
			return err
		}
		if string(buf[:n]) != question {
			continue // not for us
		}
		if err := reply.SendTo(ctx, []byte(answer+name), from); err != nil {
			return err
		}
	}
}

// probe broadcasts the question to port and collects the answers that
// come within wait: each as "name answered from addr".
func probe(ctx *asyncio.Ctx, port uint16, wait time.Duration) ([]string, error) {
	ep, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "", stream.WithBroadcast())
	if err != nil {
		return nil, err
	}
	defer ep.Close()
	if err := ep.SendTo(ctx, []byte(question), netip.AddrPortFrom(broadcastAddr, port)); err != nil {
		return nil, err
	}
	var found []string
	deadline := ctx.Loop().Time() + wait
	buf := make([]byte, 512)
	for {
		left := deadline - ctx.Loop().Time()
		if left <= 0 {
			break
		}
		var line string
		err := asyncio.WaitFor(ctx, left, func(ctx *asyncio.Ctx) error {
			n, from, err := ep.RecvFrom(ctx, buf)
			if err == nil && strings.HasPrefix(string(buf[:n]), answer) {
				line = fmt.Sprintf("%s answered from %v", strings.TrimPrefix(string(buf[:n]), answer), from)
			}
			return err
		})
		if errors.Is(err, asyncio.ErrTimeout) {
			break
		}
		if err != nil {
			return nil, err
		}
		if line != "" {
			found = append(found, line)
		}
	}
	slices.Sort(found)
	return found, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("discovery", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("devices", 3, "how many devices answer")
	port := fs.Int("port", 0, "the discovery port (0: any free one)")
	wait := fs.Duration("wait", 200*time.Millisecond, "how long the probe collects answers")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var p uint16 = uint16(*port)
		for i := 1; i <= *n; i++ {
			// Every device binds the broadcast address and the same port.
			l, err := stream.OpenDatagramEndpoint(ctx, netip.AddrPortFrom(broadcastAddr, p).String(), "", stream.WithReusePort())
			if err != nil {
				return err
			}
			p = l.LocalAddr().Port()
			name := fmt.Sprintf("device-%d", i)
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return device(ctx, name, l) }, asyncio.Named(name))
		}
		found, err := probe(ctx, p, *wait)
		if err != nil {
			return err
		}
		for _, f := range found {
			fmt.Fprintln(stdout, f)
		}
		fmt.Fprintf(stdout, "%d of %d devices answered within %v\n", len(found), *n, *wait)
		return nil
	})
	if err != nil {
		fmt.Fprintln(stderr, "discovery:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

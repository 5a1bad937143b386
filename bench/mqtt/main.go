// Command mqtt measures MQTT messages per second through one mosquitto
// broker: this library's client (package mqtt, on one asyncio loop)
// against paho.mqtt.golang's goroutine client, at QoS 0 and QoS 1. In each
// run one client publishes n messages of 64 bytes and another, subscribed,
// receives them; the rate is n over the time from the first publish to the
// last message received, and the CPU time is the process's over the run.
// QoS 1 publishers keep up to 32 messages in flight.
//
// Usage:
//
//	go run ./bench/mqtt                    # starts mosquitto on a free loopback port
//	go run ./bench/mqtt -broker 127.0.0.1:1883 -n 50000
package main

import (
	"flag"
	"fmt"
	"github.com/goasyncio/asyncio/internal/cputime"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
)

const window = 32

type result struct {
	client   string
	qos      byte
	n, got   int
	elapsed  time.Duration
	cpu      time.Duration
	timedOut bool
}

// ours runs one round with this library's client.
func ours(addr string, qos byte, n int, topic string) (result, error) {
	r := result{client: "asyncio mqtt", qos: qos, n: n}
	payload := make([]byte, 64)
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		cfg := mqtt.Config{Addr: addr, CleanSession: true, MaxInflight: window, QueueSize: 256}
		cfg.ClientID = "bench-sub"
		sub, err := mqtt.Connect(ctx, cfg)
		if err != nil {
			return err
		}
		defer sub.Close(ctx)
		if err := sub.Subscribe(ctx, topic, qos); err != nil {
			return err
		}
		cfg.ClientID = "bench-pub"
		pub, err := mqtt.Connect(ctx, cfg)
		if err != nil {
			return err
		}
		defer pub.Close(ctx)
		cpu0, t0 := cputime.Process(), time.Now()
		next := 0
		var pubs []*asyncio.Task
		for range window {
			pubs = append(pubs, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for next < n {
					next++
					if err := pub.Publish(ctx, topic, payload, qos, false); err != nil {
						return err
					}
				}
				return nil
			}))
			if qos == 0 {
				break // QoS 0 does not wait: one publisher
			}
		}
		deadline := 30 * time.Second
		_, err = asyncio.MoveOnAfter(ctx, deadline, func(ctx *asyncio.Ctx) error {
			for r.got < n {
				if _, err := sub.Next(ctx); err != nil {
					return err
				}
				r.got++
			}
			return nil
		})
		r.elapsed, r.cpu = time.Since(t0), cputime.Process()-cpu0
		r.timedOut = r.got < n
		if err != nil {
			return err
		}
		return asyncio.Gather(ctx, pubs...)
	})
	return r, err
}

// theirs runs one round with paho.mqtt.golang's client.
func theirs(addr string, qos byte, n int, topic string) (result, error) {
	r := result{client: "paho.mqtt.golang", qos: qos, n: n}
	payload := make([]byte, 64)
	opts := func(id string) *paho.ClientOptions {
		return paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).SetCleanSession(true).SetOrderMatters(false).SetAutoReconnect(false)
	}
	var got atomic.Int64
	done := make(chan struct{})
	sub := paho.NewClient(opts("paho-sub"))
	if t := sub.Connect(); t.Wait() && t.Error() != nil {
		return r, t.Error()
	}
	defer sub.Disconnect(100)
	st := sub.Subscribe(topic, qos, func(paho.Client, paho.Message) {
		if got.Add(1) == int64(n) {
			close(done)
		}
	})
	if st.Wait() && st.Error() != nil {
		return r, st.Error()
	}
	pub := paho.NewClient(opts("paho-pub"))
	if t := pub.Connect(); t.Wait() && t.Error() != nil {
		return r, t.Error()
	}
	defer pub.Disconnect(100)
	cpu0, t0 := cputime.Process(), time.Now()
	var inflight []paho.Token
	for range n {
		t := pub.Publish(topic, qos, false, payload)
		if qos == 0 {
			continue
		}
		inflight = append(inflight, t)
		if len(inflight) == window {
			inflight[0].Wait()
			if err := inflight[0].Error(); err != nil {
				return r, err
			}
			inflight = inflight[1:]
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		r.timedOut = true
	}
	r.elapsed, r.cpu = time.Since(t0), cputime.Process()-cpu0
	r.got = int(got.Load())
	return r, nil
}

func startMosquitto() (addr string, stop func(), err error) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = "/usr/sbin/mosquitto"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "bench-mqtt")
	if err != nil {
		return "", nil, err
	}
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\nmax_inflight_messages %d\n", port, window)
	if os.Geteuid() == 0 {
		conf += "user root\n"
	}
	os.WriteFile(dir+"/m.conf", []byte(conf), 0o600)
	cmd := exec.Command(bin, "-c", dir+"/m.conf")
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("starting mosquitto: %w", err)
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i == 100 {
			cmd.Process.Kill()
			cmd.Wait()
			return "", nil, fmt.Errorf("mosquitto did not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait(); os.RemoveAll(dir) }, nil
}

func main() {
	broker := flag.String("broker", "", "the broker's `host:port` (default: start mosquitto)")
	n0 := flag.Int("n", 100000, "messages per QoS 0 run")
	n1 := flag.Int("n1", 20000, "messages per QoS 1 run")
	rounds := flag.Int("rounds", 3, "rounds of each; the table shows the best")
	flag.Parse()
	addr := *broker
	if addr == "" {
		a, stop, err := startMosquitto()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/mqtt:", err)
			os.Exit(1)
		}
		defer stop()
		addr = a
	}
	fmt.Printf("| client | QoS | messages | msgs/s (best of %d) | CPU µs/msg | received |\n|---|--:|--:|--:|--:|--:|\n", *rounds)
	for _, qos := range []byte{0, 1} {
		n := *n0
		if qos == 1 {
			n = *n1
		}
		for _, c := range []func(string, byte, int, string) (result, error){ours, theirs} {
			var best result
			for i := range *rounds {
				r, err := c(addr, qos, n, fmt.Sprintf("bench/%d/%d", qos, i))
				if err != nil {
					fmt.Fprintln(os.Stderr, "bench/mqtt:", err)
					os.Exit(1)
				}
				if best.elapsed == 0 || (r.got == r.n && r.elapsed < best.elapsed) {
					best = r
				}
			}
			note := fmt.Sprint(best.got)
			if best.timedOut {
				note += " (timed out)"
			}
			fmt.Printf("| %s | %d | %d | %.0f | %.1f | %s |\n", best.client, best.qos, best.n,
				float64(best.got)/best.elapsed.Seconds(), float64(best.cpu.Microseconds())/float64(max(best.got, 1)), note)
		}
	}
}

package mqtt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/mqtt"
)

// mosquittoPath finds Debian's mosquitto (in /usr/sbin, which a user's
// PATH may lack), or skips the test.
func mosquittoPath(t *testing.T) string {
	t.Helper()
	testenv.SkipIfEmulated(t, "starts a native mosquitto")
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return "/usr/sbin/mosquitto"
	}
	t.Skip("skipped: needs the mosquitto broker (Debian: apt-get install mosquitto; .ci/run installs it)")
	return ""
}

// broker is a mosquitto process on a loopback port of its own, with a
// generated configuration; it is stopped when the test ends.
type broker struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// startMosquitto starts mosquitto with persistence (so that a stop and a
// start keep the sessions) and the extra configuration lines.
func startMosquitto(t *testing.T, extra ...string) *broker {
	t.Helper()
	b := &broker{t: t, bin: mosquittoPath(t), dir: t.TempDir(), port: freePort(t)}
	conf := []string{
		fmt.Sprintf("listener %d 127.0.0.1", b.port),
		"persistence true",
		"persistence_location " + b.dir + "/",
		"max_queued_messages 10000",
		"log_dest stderr",
		"log_type error",
		"log_type warning",
		"log_type notice",
	}
	if os.Geteuid() == 0 {
		conf = append(conf, "user root") // mosquitto would switch to the mosquitto user, who cannot write here
	}
	if !slices.Contains(extra, "allow_anonymous false") {
		conf = append(conf, "allow_anonymous true")
	}
	conf = append(conf, extra...)
	if err := os.WriteFile(filepath.Join(b.dir, "mosquitto.conf"), []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.stop(syscall.SIGTERM) })
	return b
}

func (b *broker) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// start starts mosquitto and waits until it listens.
func (b *broker) start() error {
	b.log = &bytes.Buffer{}
	b.cmd = exec.Command(b.bin, "-c", filepath.Join(b.dir, "mosquitto.conf"))
	b.cmd.Stderr = b.log
	b.cmd.Stdout = b.log
	dieWithParent(b.cmd)
	if err := b.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			b.stop(syscall.SIGKILL)
			return fmt.Errorf("mosquitto did not listen on %s within 5 s: %v\n%s", b.addr(), err, b.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the broker with sig (SIGTERM: it saves its sessions first).
func (b *broker) stop(sig syscall.Signal) {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(sig)
	b.cmd.Wait()
	b.cmd = nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// realConfig is a client of the broker at addr with short, real timings.
func realConfig(addr, id string) mqtt.Config {
	return mqtt.Config{
		Addr: addr, ClientID: id, CleanSession: true,
		KeepAlive: 2 * time.Second, PingInterval: 500 * time.Millisecond,
		ConnectTimeout: 2 * time.Second,
		ReconnectMin:   50 * time.Millisecond, ReconnectMax: 500 * time.Millisecond,
	}
}

// runReal runs fn on a loop on the real clock, bounded by limit.
func runReal(t *testing.T, limit time.Duration, fn func(ctx *asyncio.Ctx) error) {
	t.Helper()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error { return asyncio.WaitFor(ctx, limit, fn) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestMosquittoRoundTrips(t *testing.T) {
	b := startMosquitto(t)
	runReal(t, 20*time.Second, func(ctx *asyncio.Ctx) error {
		pub, err := mqtt.Connect(ctx, realConfig(b.addr(), "rt-pub"))
		if err != nil {
			return err
		}
		defer pub.Close(ctx)
		sub, err := mqtt.Connect(ctx, realConfig(b.addr(), "rt-sub"))
		if err != nil {
			return err
		}
		defer sub.Close(ctx)
		if err := pub.Publish(ctx, "rt/retained", []byte("kept"), 1, true); err != nil {
			return err
		}
		if err := sub.Subscribe(ctx, "rt/#", 1); err != nil {
			return err
		}
		m, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		if m.Topic != "rt/retained" || !m.Retained || string(m.Payload) != "kept" {
			t.Errorf("retained: %+v", m)
		}
		for qos := range byte(2) {
			for i := range 100 {
				if err := pub.Publish(ctx, fmt.Sprintf("rt/q%d/%d", qos, i), []byte(strconv.Itoa(i)), qos, false); err != nil {
					return err
				}
			}
			for i := range 100 {
				m, err := sub.Next(ctx)
				if err != nil {
					return err
				}
				if want := fmt.Sprintf("rt/q%d/%d", qos, i); m.Topic != want || m.QoS != qos || string(m.Payload) != strconv.Itoa(i) {
					t.Fatalf("got %+v, want %s at QoS %d", m, want, qos)
				}
			}
		}
		// Clear the retained message.
		return pub.Publish(ctx, "rt/retained", nil, 1, true)
	})
}

// TestMosquittoRestartDuring1000 stops the broker (SIGTERM, so that it
// saves the sessions it persists) and starts it again in the middle of a
// stream of 1,000 QoS 1 messages: every message arrives at least once.
func TestMosquittoRestartDuring1000(t *testing.T) {
	b := startMosquitto(t)
	const n = 1000
	runReal(t, 60*time.Second, func(ctx *asyncio.Ctx) error {
		sc := realConfig(b.addr(), "r-sub")
		sc.CleanSession = false // the broker keeps its messages while it is away
		sub, err := mqtt.Connect(ctx, sc)
		if err != nil {
			return err
		}
		defer sub.Close(ctx)
		if err := sub.Subscribe(ctx, "r/#", 1); err != nil {
			return err
		}
		pc := realConfig(b.addr(), "r-pub")
		pc.CleanSession = false
		pub, err := mqtt.Connect(ctx, pc)
		if err != nil {
			return err
		}
		defer pub.Close(ctx)
		acked := 0
		restarted := false
		var restart *asyncio.Task
		publishers := make([]*asyncio.Task, 0, 16)
		next := 0
		for range 16 {
			publishers = append(publishers, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for next < n {
					i := next
					next++
					if err := pub.Publish(ctx, fmt.Sprintf("r/%d", i), []byte(strconv.Itoa(i)), 1, false); err != nil {
						return err
					}
					acked++
					if acked == n/3 && !restarted {
						restarted = true
						restart = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
							// On a goroutine: the loop goes on, and the
							// clients see the broker go and come back.
							return asyncio.ToThread(ctx, func(context.Context) error {
								b.stop(syscall.SIGTERM)
								time.Sleep(300 * time.Millisecond)
								return b.start()
							})
						})
					}
				}
				return nil
			}))
		}
		seen := make([]int, n)
		dups, dupFlags := 0, 0
		got := 0
		for got < n {
			m, err := sub.Next(ctx)
			if err != nil {
				return err
			}
			i, err := strconv.Atoi(string(m.Payload))
			if err != nil || i < 0 || i >= n {
				return fmt.Errorf("unexpected message %+v", m)
			}
			if m.Dup {
				dupFlags++
			}
			if seen[i]++; seen[i] == 1 {
				got++
			} else {
				dups++
			}
		}
		if err := asyncio.Gather(ctx, append(publishers, restart)...); err != nil {
			return err
		}
		ps, ss := pub.Stats(), sub.Stats()
		t.Logf("all %d messages arrived: %d duplicates, %d marked Dup by the broker; publisher: %+v; subscriber: %+v", n, dups, dupFlags, ps, ss)
		if ps.Drops < 1 || ss.Drops < 1 {
			t.Errorf("the restart was not noticed: publisher %+v, subscriber %+v", ps, ss)
		}
		return nil
	})
}

// proxy is a TCP proxy between a client and the broker that can stall
// (hold every byte, without closing), drop (close every connection) and
// reset (close with RST) its links.
type proxy struct {
	ln      net.Listener
	target  string
	mu      sync.Mutex
	cond    *sync.Cond
	stalled bool
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
	closed  bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe copies from one side to the other, holding the bytes while stalled.
func (p *proxy) pipe(from, to net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		p.mu.Lock()
		for p.stalled && !p.closed && p.conns[from] {
			p.cond.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				err = werr
			}
		}
		if err != nil {
			from.Close()
			to.Close()
			return
		}
	}
}

func (p *proxy) stall(on bool) {
	p.mu.Lock()
	p.stalled = on
	p.cond.Broadcast()
	p.mu.Unlock()
}

// drop closes every connection (a FIN to both ends), or resets them.
func (p *proxy) drop(reset bool) {
	p.mu.Lock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		c.Close()
		delete(p.conns, c)
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.drop(false)
	p.wg.Wait()
}

// TestMosquittoThroughFaultyProxy: through a proxy that stalls, drops and
// resets, the client notices within its bound (a stall: the keep-alive
// time, 2 s, after the last packet; a drop or reset: at once) and comes
// back, with its subscription, each time.
func TestMosquittoThroughFaultyProxy(t *testing.T) {
	b := startMosquitto(t)
	p := startProxy(t, b.addr())
	runReal(t, 45*time.Second, func(ctx *asyncio.Ctx) error {
		type change struct {
			up  bool
			at  time.Duration
			err error
		}
		var changes []change
		c := realConfig(p.addr(), "through-proxy")
		c.OnLink = func(e mqtt.LinkEvent) {
			if e.Attempt == 0 {
				changes = append(changes, change{e.Up, e.At, e.Err})
			}
		}
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		defer cl.Close(ctx)
		if err := cl.Subscribe(ctx, "proxy/echo", 1); err != nil {
			return err
		}
		direct, err := mqtt.Connect(ctx, realConfig(b.addr(), "direct"))
		if err != nil {
			return err
		}
		defer direct.Close(ctx)
		check := func(what string) {
			// The subscription came back with the link.
			if err := direct.Publish(ctx, "proxy/echo", []byte(what), 1, false); err != nil {
				t.Errorf("%s: publish: %v", what, err)
				return
			}
			for {
				m, err := cl.Next(ctx)
				if err != nil {
					t.Errorf("%s: %v", what, err)
					return
				}
				if string(m.Payload) == what {
					return
				}
			}
		}
		check("start")
		for _, fault := range []string{"stall", "drop", "reset"} {
			asyncio.Sleep(ctx, 300*time.Millisecond)
			from := ctx.Loop().Time()
			switch fault {
			case "stall":
				p.stall(true)
			case "drop":
				p.drop(false)
			case "reset":
				p.drop(true)
			}
			if err := cl.WaitDown(ctx); err != nil {
				return err
			}
			took := ctx.Loop().Time() - from
			last := changes[len(changes)-1]
			t.Logf("%s: link down after %v: %v", fault, took, last.err)
			switch fault {
			case "stall":
				// Down within the keep-alive time of the last packet,
				// which came at most a ping interval before the stall.
				if took > c.KeepAlive+200*time.Millisecond || took < c.KeepAlive-c.PingInterval-100*time.Millisecond {
					t.Errorf("stall noticed after %v, want within %v..%v", took, c.KeepAlive-c.PingInterval, c.KeepAlive)
				}
				if !errors.Is(last.err, mqtt.ErrDeadLink) {
					t.Errorf("stall: %v, want ErrDeadLink", last.err)
				}
				asyncio.Sleep(ctx, time.Second) // attempts time out meanwhile
				p.drop(false)                   // the held links go
				p.stall(false)
			default:
				if took > 500*time.Millisecond {
					t.Errorf("%s noticed after %v, want at once", fault, took)
				}
			}
			if err := cl.WaitUp(ctx); err != nil {
				return err
			}
			t.Logf("up again: subscriptions %q, stats %+v, err %v", cl.Subscriptions(), cl.Stats(), cl.Err())
			check("after " + fault)
		}
		return nil
	})
}

func TestMosquittoRefusals(t *testing.T) {
	mosquittoPath(t)
	passwd, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		t.Skip("skipped: needs mosquitto_passwd (Debian package mosquitto)")
	}
	dir := t.TempDir()
	pwfile := filepath.Join(dir, "passwd")
	if out, err := exec.Command(passwd, "-b", "-c", pwfile, "alice", "secret").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v\n%s", err, out)
	}
	os.Chmod(pwfile, 0o600)
	b := startMosquitto(t, "allow_anonymous false", "password_file "+pwfile)
	runReal(t, 20*time.Second, func(ctx *asyncio.Ctx) error {
		c := realConfig(b.addr(), "auth")
		c.Username, c.Password = "alice", "wrong"
		_, err := mqtt.Connect(ctx, c)
		var ce *mqtt.ConnectError
		if !errors.As(err, &ce) || !(errors.Is(err, mqtt.ErrBadCredentials) || errors.Is(err, mqtt.ErrNotAuthorized)) {
			t.Errorf("wrong password: %v", err)
		}
		t.Logf("wrong password: %v", err)
		c.Username, c.Password = "", ""
		if _, err := mqtt.Connect(ctx, c); !errors.As(err, &ce) {
			t.Errorf("anonymous: %v", err)
		} else {
			t.Logf("anonymous: %v", err)
		}
		c.Username, c.Password = "alice", "secret"
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			t.Errorf("right password: %v", err)
		} else {
			cl.Close(ctx)
		}
		// Nobody listens on this port: a clear connection refused.
		c.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
		_, err = mqtt.Connect(ctx, c)
		if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), c.Addr) {
			t.Errorf("closed port: %v", err)
		}
		t.Logf("closed port: %v", err)
		return nil
	})
}

// TestMosquittoOversized: a message larger than the client's limit,
// published by another client, makes the broker send a packet the client
// refuses: the link closes with ErrTooLarge and comes back.
func TestMosquittoOversized(t *testing.T) {
	b := startMosquitto(t)
	runReal(t, 20*time.Second, func(ctx *asyncio.Ctx) error {
		c := realConfig(b.addr(), "small")
		c.MaxPacketSize = 4096
		cl, err := mqtt.Connect(ctx, c)
		if err != nil {
			return err
		}
		defer cl.Close(ctx)
		cl.Subscribe(ctx, "big", 0)
		other, err := mqtt.Connect(ctx, realConfig(b.addr(), "other"))
		if err != nil {
			return err
		}
		defer other.Close(ctx)
		other.Publish(ctx, "big", make([]byte, 10000), 0, false)
		if err := cl.WaitDown(ctx); err != nil {
			return err
		}
		if !errors.Is(cl.Err(), mqtt.ErrTooLarge) {
			t.Errorf("link down with %v, want ErrTooLarge", cl.Err())
		}
		t.Log(cl.Err())
		if err := cl.WaitUp(ctx); err != nil {
			return err
		}
		other.Publish(ctx, "big", []byte("small enough"), 0, false)
		m, err := cl.Next(ctx)
		if err != nil {
			return err
		}
		if string(m.Payload) != "small enough" {
			t.Errorf("got %+v", m)
		}
		return nil
	})
}

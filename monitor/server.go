package monitor

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// Limits of the monitor server.
const (
	// MaxRequest is the longest request line, token included.
	MaxRequest = 256
	// RequestTimeout is how long a client has to send its request, and
	// to read the answer.
	RequestTimeout = 5 * time.Second
	// MaxClients is how many clients are served at once; others are
	// closed at once.
	MaxClients = 2
)

// Server is the opt-in monitor: it listens on a loopback address and
// answers each client that sends the run's token on a line with the task
// dump, then closes the connection:
//
//	printf '%s\n' "$TOKEN" | nc 127.0.0.1 $PORT
//
// A client that sends anything else gets "denied" and is closed. The token
// is made for each run (16 random bytes, in hex) and is only known to whom
// the program tells it (Token): other local users cannot ask.
type Server struct {
	l     *asyncio.Loop
	ln    net.Listener
	token string
	slots chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	done  bool
}

// Listen starts a monitor server for l on addr, which must be a loopback
// address ("127.0.0.1:0" picks a free port). Close it when done.
func Listen(l *asyncio.Loop, addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("monitor: %q is not a loopback address", addr)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	s := &Server{l: l, ln: ln, token: hex.EncodeToString(raw[:]), slots: make(chan struct{}, MaxClients), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Token returns the run's token, which a client must send.
func (s *Server) Token() string { return s.token }

// Close stops the server and closes the connections it is serving, and
// returns once they are done.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	s.done = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		select {
		case s.slots <- struct{}{}:
		default:
			c.Close() // too many clients
			continue
		}
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			c.Close()
			<-s.slots
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
			<-s.slots
		}()
	}
}

func (s *Server) handle(c net.Conn) {
	c.SetDeadline(time.Now().Add(RequestTimeout))
	r := bufio.NewReaderSize(io.LimitReader(c, MaxRequest+1), MaxRequest+1)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	got := strings.TrimSpace(line)
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
		c.Write([]byte("denied\n"))
		return
	}
	dump, _ := Dump(s.l, Timeout)
	c.Write([]byte(dump))
}

// Ask connects to a monitor server at addr, sends token and returns the
// answer: the task dump, or "denied".
func Ask(addr, token string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, RequestTimeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(RequestTimeout + Timeout))
	if _, err := fmt.Fprintf(c, "%s\n", token); err != nil {
		return "", err
	}
	var b strings.Builder
	_, err = bufio.NewReader(c).WriteTo(&b)
	return b.String(), err
}

package stream_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// testCerts returns a server config with a self-signed certificate for
// 127.0.0.1 and localhost, and a client config that trusts it.
func testCerts(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "stream test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}

func TestTLS(t *testing.T) {
	serverCfg, clientCfg := testCerts(t)
	big := bytes.Repeat([]byte("tls!"), 1<<18) // 1 MiB
	handlers := 0
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			handlers++
			if st := s.ExtraInfo("tls").(*tls.ConnectionState); !st.HandshakeComplete {
				t.Error("handler called before the handshake")
			}
			line, err := s.ReadLine(ctx)
			if err != nil {
				return err
			}
			if string(line) == "big\n" {
				s.Write(big)
				return nil // Close sends it all, then close_notify
			}
			if string(line) == "count\n" { // lines until the client's CloseWrite
				n := 0
				for {
					if _, err := s.ReadLine(ctx); err == io.EOF {
						break
					} else if err != nil {
						return err
					}
					n++
				}
				fmt.Fprintf(s, "%d\n", n)
				return nil
			}
			s.Write(line)
			return echoHandler(ctx, s)
		}, "127.0.0.1", 0, stream.WithTLS(serverCfg))
		if err != nil {
			return err
		}
		// Verification against the host name, as given.
		for _, host := range []string{"127.0.0.1", "localhost"} {
			c, err := stream.OpenConnection(ctx, host, srv.Port(), stream.WithTLS(clientCfg))
			if err != nil {
				return err
			}
			for _, msg := range []string{"hello\n", "over TLS\n"} {
				c.WriteString(msg)
				if err := c.Drain(ctx); err != nil {
					return err
				}
				if got, err := c.ReadLine(ctx); string(got) != msg || err != nil {
					t.Errorf("%s: %q, %v; want %q", host, got, err, msg)
				}
			}
			if c.ExtraInfo("tls") == nil || c.ExtraInfo("conn") == nil {
				t.Error("tls or conn missing from ExtraInfo")
			}
			if err := c.WaitClosed(ctx); err != nil {
				return err
			}
		}
		// A graceful close delivers everything written before it.
		c, err := stream.OpenConnection(ctx, "localhost", srv.Port(), stream.WithTLS(clientCfg))
		if err != nil {
			return err
		}
		c.WriteString("big\n")
		if got, err := c.Read(ctx, -1); !bytes.Equal(got, big) || err != nil {
			t.Errorf("read %d bytes, %v; want %d then EOF", len(got), err, len(big))
		}
		c.Close()
		// Half-close over TLS (close_notify, the connection stays open).
		c, err = stream.OpenConnection(ctx, "localhost", srv.Port(), stream.WithTLS(clientCfg))
		if err != nil {
			return err
		}
		c.WriteString("count\na\nb\nc\n")
		if err := c.CloseWrite(); err != nil {
			return err
		}
		if got, err := c.Read(ctx, -1); string(got) != "3\n" || err != nil {
			t.Errorf("reply after a TLS CloseWrite: %q, %v", got, err)
		}
		c.Close()
		// A client that does not trust the server fails, and the server
		// goes on without calling its handler.
		before := handlers
		if _, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port(), stream.WithTLS(&tls.Config{})); err == nil {
			t.Error("OpenConnection with an untrusted certificate succeeded")
		}
		// A client that speaks no TLS at all.
		plain, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		plain.WriteString("GET / HTTP/1.0\r\n\r\n")
		if _, err := plain.Read(ctx, -1); err != nil && !isConnEnd(err) {
			t.Errorf("plain client of a TLS server: %v", err)
		}
		plain.Close()
		asyncio.Sleep(ctx, 10*time.Millisecond)
		if handlers != before {
			t.Errorf("handler called for a failed handshake")
		}
		// The server closes while a handshake is under way: that handler
		// still gets its stream.
		srv.Close()
		c, err = stream.OpenConnection(ctx, "127.0.0.1", srv.Port(), stream.WithTLS(clientCfg))
		if err == nil {
			t.Error("connected to a closed server")
			c.Close()
		}
		return srv.WaitClosed(ctx)
	})
	for _, c := range ex.list {
		t.Errorf("exception handler got %v: %v", c.Task, c.Err)
	}
}

// A TLS handshake that never ends (the server accepts and says nothing) is
// cut by a timeout; nothing leaks.
func TestTLSHandshakeTimeout(t *testing.T) {
	_, clientCfg := testCerts(t)
	run(t, func(ctx *asyncio.Ctx) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		done := make(chan struct{})
		defer func() { <-done }()
		go func() { // accept and hold, silent
			defer close(done)
			c, err := ln.Accept()
			if err == nil {
				io.Copy(io.Discard, c)
				c.Close()
			}
		}()
		err = asyncio.Timeout(ctx, 50*time.Millisecond, func(ctx *asyncio.Ctx) error {
			s, err := stream.OpenConnection(ctx, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, stream.WithTLS(clientCfg))
			if err == nil {
				s.Close()
			}
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("OpenConnection to a silent server = %v; want ErrTimeout", err)
		}
		return nil
	})
}

// The server closes while a connection is in its TLS handshake: that
// connection is still served, and WaitClosed waits for it.
func TestTLSServerClosedDuringHandshake(t *testing.T) {
	serverCfg, clientCfg := testCerts(t)
	ex := run(t, func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, echoHandler, "127.0.0.1", 0, stream.WithTLS(serverCfg))
		if err != nil {
			return err
		}
		raw, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		defer raw.Close()
		asyncio.Sleep(ctx, 20*time.Millisecond) // accepted, waiting for the ClientHello
		srv.Close()
		asyncio.Sleep(ctx, 20*time.Millisecond) // the accept goroutine is gone
		cfg := clientCfg.Clone()
		cfg.ServerName = "127.0.0.1"
		waiting := asyncio.CreateTask(ctx, srv.WaitClosed)
		err = inThread(ctx, func() error {
			c := tls.Client(raw, cfg)
			if _, err := c.Write([]byte("late\n")); err != nil {
				return err
			}
			line := make([]byte, 5)
			if _, err := io.ReadFull(c, line); err != nil || string(line) != "late\n" {
				return fmt.Errorf("echo after the server closed: %q, %v", line, err)
			}
			return c.Close()
		})
		if err != nil {
			return err
		}
		return waiting.Await(ctx)
	})
	for _, c := range ex.list {
		t.Errorf("exception handler got %v: %v", c.Task, c.Err)
	}
}

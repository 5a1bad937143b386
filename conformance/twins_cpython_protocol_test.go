package conformance

import (
	"fmt"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// Twins of the CPython scenarios about protocols (loop.create_server with
// an asyncio.Protocol): the order of the callbacks, an EOF that keeps the
// transport open, and paused reading. They use real sockets on 127.0.0.1.

func init() {
	addCPyTwins(map[string]twin{
		"protocol_calls":         protocolCalls,
		"protocol_keep_open":     protocolKeepOpen,
		"protocol_pause_reading": protocolPauseReading,
	})
}

// pyNone is str(exc) of an error that may be None.
func pyNone(err error) string {
	if err == nil {
		return "None"
	}
	return err.Error()
}

type protoRecorder struct {
	t    *stream.Transport
	log  []string
	lost *asyncio.Event
}

func (r *protoRecorder) ConnectionMade(t *stream.Transport) {
	r.t = t
	r.log = append(r.log, "made, reading "+str(t.IsReading()))
}

func (r *protoRecorder) DataReceived(data []byte) {
	r.log = append(r.log, "data "+string(data))
	r.t.Write(bytesUpper(data))
}

func (r *protoRecorder) EOFReceived() bool {
	r.log = append(r.log, "eof")
	return false
}

func (r *protoRecorder) ConnectionLost(err error) {
	r.log = append(r.log, "lost "+pyNone(err)+", closing "+str(r.t.IsClosing()))
	r.lost.Set()
}

func bytesUpper(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func protocolCalls(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		r := &protoRecorder{lost: &asyncio.Event{}}
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return r }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("hello")
		got, err := c.ReadExactly(ctx, 5)
		if err != nil {
			return err
		}
		p.print("client got", string(got))
		c.CloseWrite()
		rest, err := c.Read(ctx, -1)
		if err != nil {
			return err
		}
		p.print("then", len(rest), "bytes: the server closed")
		if err := r.lost.Wait(ctx); err != nil {
			return err
		}
		for _, line := range r.log {
			p.print("server:", line)
		}
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
}

type protoCounter struct {
	p     *py
	t     *stream.Transport
	count int
	lost  *asyncio.Event
}

func (c *protoCounter) ConnectionMade(t *stream.Transport) { c.t = t }
func (c *protoCounter) DataReceived(data []byte)           { c.count += len(data) }

func (c *protoCounter) EOFReceived() bool {
	c.p.print("server: eof after", c.count, "bytes")
	c.t.Loop().CallSoon(func() {
		c.t.WriteString(fmt.Sprintf("%d bytes", c.count))
		c.t.Close()
		c.p.print("server: closing", c.t.IsClosing())
	})
	return true
}

func (c *protoCounter) ConnectionLost(err error) {
	c.p.print("server: lost", pyNone(err))
	c.lost.Set()
}

func protocolKeepOpen(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		pc := &protoCounter{p: p, lost: &asyncio.Event{}}
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return pc }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		c.WriteString("twelve bytes")
		c.CloseWrite()
		answer, err := c.Read(ctx, -1)
		if err != nil {
			return err
		}
		if err := pc.lost.Wait(ctx); err != nil {
			return err
		}
		p.print("client got", string(answer))
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
}

type protoPaused struct {
	p         *py
	t         *stream.Transport
	made, got *asyncio.Event
}

func (q *protoPaused) ConnectionMade(t *stream.Transport) {
	q.t = t
	t.PauseReading()
	q.p.print("server: paused, reading", t.IsReading())
	q.made.Set()
}

func (q *protoPaused) DataReceived(data []byte) {
	q.p.print("server: data", string(data))
	q.got.Set()
}

func (q *protoPaused) EOFReceived() bool    { return false }
func (q *protoPaused) ConnectionLost(error) {}

func protocolPauseReading(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := &protoPaused{p: p, made: &asyncio.Event{}, got: &asyncio.Event{}}
		srv, err := stream.StartProtocolServer(ctx, func() stream.Protocol { return q }, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		if err := q.made.Wait(ctx); err != nil {
			return err
		}
		c.WriteString("while paused")
		if err := c.Drain(ctx); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
			return err
		}
		p.print("after 50 ms: delivered", q.got.IsSet())
		q.t.ResumeReading()
		p.print("resumed, reading", q.t.IsReading())
		if err := q.got.Wait(ctx); err != nil {
			return err
		}
		q.t.Close()
		c.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	})
}

package mqtt

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// Message is an application message received from the broker.
type Message struct {
	Topic    string
	Payload  []byte
	QoS      byte // 0 or 1: the lower of the publisher's and the subscription's
	Retained bool // sent because it was retained, not as it was published
	// Dup is set on a QoS 1 message the broker sends again because it had
	// no acknowledgement of an earlier attempt: it may have been delivered
	// already.
	Dup bool
}

// Will is the message the broker publishes for the client when the link
// ends without a DISCONNECT (MQTT's last will and testament).
type Will struct {
	Topic   string
	Payload []byte
	QoS     byte
	Retain  bool
}

// LinkEvent tells of the link going up or down, or of a connection attempt
// that failed (Up false, Attempt > 0).
type LinkEvent struct {
	Up             bool
	Err            error         // why the link went down or the attempt failed
	At             time.Duration // the loop's clock (asyncio.Loop.Time)
	Attempt        int           // failed attempts in a row, for a failed attempt
	SessionPresent bool          // for Up: the broker kept the session
}

// Config configures a client. Only Addr (or Dial) is needed.
type Config struct {
	// Addr is the broker's "host:port". TLS, if set, makes it a TLS link.
	Addr string
	TLS  *tls.Config
	// Dial, if set, replaces Addr: it makes the link (the fake broker of
	// package mqtttest gives one; tests put proxies in between).
	Dial func(ctx *asyncio.Ctx) (Conn, error)

	ClientID     string // may be empty with CleanSession: the broker makes one up
	Username     string // sent if not empty
	Password     string // sent if not empty
	CleanSession bool   // start afresh; otherwise the broker keeps subscriptions and QoS 1 messages while the client is away
	Will         *Will

	// KeepAlive is the keep-alive time sent to the broker (whole seconds,
	// rounded up; default 60 s, negative: none). The client also watches
	// the link with it: if nothing at all comes from the broker for
	// KeepAlive, the link is presumed dead (ErrDeadLink), closed, and made
	// again. To keep packets coming, the client pings (PINGREQ) every
	// PingInterval (default KeepAlive/4) while it has received nothing, or
	// sent nothing, for that long. So a dead link is noticed KeepAlive
	// after the last packet received.
	KeepAlive    time.Duration
	PingInterval time.Duration

	// ConnectTimeout bounds one connection attempt: dialling, and waiting
	// for the broker's CONNACK (default 10 s).
	ConnectTimeout time.Duration
	// Reconnection: attempt k (from 0) waits ReconnectMin·2^k, at most
	// ReconnectMax (defaults 1 s and 60 s), spread by ±Jitter of itself
	// (default 0.2, negative: none) with Rand (default math/rand/v2's
	// Float64), so that a fleet of devices does not come back at once.
	ReconnectMin time.Duration
	ReconnectMax time.Duration
	Jitter       float64
	Rand         func() float64

	// MaxInflight bounds the QoS 1 publishes waiting for their PUBACK
	// (default 32); further Publish calls wait for room.
	MaxInflight int
	// QueueSize bounds the received messages waiting for Next (default
	// 64). When it is full the client stops reading the link, so the
	// broker, and TCP, hold the rest back.
	QueueSize int
	// Handler, if set, receives each message instead of the queue, on the
	// client's task: while it runs the client reads nothing more. A QoS 1
	// message is acknowledged once it returns. An error it returns goes to
	// the loop's exception handler.
	Handler func(ctx *asyncio.Ctx, m Message) error
	// MaxPacketSize bounds the packets accepted from the broker (default
	// DefaultMaxPacketSize); a larger one closes the link.
	MaxPacketSize int
	// OnLink, if set, is called on the loop with each LinkEvent.
	OnLink func(LinkEvent)
}

// Stats counts what a client did.
type Stats struct {
	Connects    int // links made (the first included)
	Drops       int // links lost or given up
	Failures    int // connection attempts that failed
	Pings       int // PINGREQs sent
	Published   int // PUBLISH packets sent, re-sends included
	Resent      int // QoS 1 publishes sent again after a reconnection, with DUP
	Received    int // PUBLISH packets received
	Duplicates  int // of which with DUP set
	Resubscribe int // SUBSCRIBE packets sent to restore the subscriptions
}

// Client is an MQTT 3.1.1 client on an asyncio loop. It keeps its link to
// the broker up by itself, after the first Connect: it pings on the loop's
// timers, notices a dead link within the keep-alive time, reconnects with
// exponential back-off and jitter, restores its subscriptions and sends the
// unacknowledged QoS 1 messages again, with DUP. One task of its own reads
// the link; Publish, Subscribe and Unsubscribe are called from any task of
// the loop, and each waits until it is done (the acknowledgement) or its
// task is cancelled.
//
// A Client's methods must be called on its loop's goroutine.
type Client struct {
	cfg  Config
	loop *asyncio.Loop
	host string
	port int

	conn      Conn     // the link while connected, else nil
	ready     bool     // connected, and the subscriptions restored: "up"
	restoring *pending // the SUBSCRIBE restoring the subscriptions, until its SUBACK
	upSP      bool     // the session-present flag of the link, for its Up event
	linkErr   error    // why the link is being given up, set before aborting it
	up        asyncio.Event
	down      asyncio.Event
	closed    bool
	super     *asyncio.Task
	lastErr   error

	nextID uint16
	pend   map[uint16]*pending
	seq    uint64
	window *asyncio.Semaphore
	subs   []sub

	keepAlive, pingEvery time.Duration
	lastRx, lastTx       time.Duration
	lastPing             time.Duration
	ping                 *asyncio.Handle
	delivering           bool // the reader waits for the application: the link is not judged

	queue   []Message
	qhead   int
	qlen    int
	avail   asyncio.Event
	room    asyncio.Event
	wbuf    bytes.Buffer
	pingreq []byte
	stats   Stats
}

type sub struct {
	filter string
	qos    byte
}

// pending is a packet waiting for its acknowledgement.
type pending struct {
	seq      uint64
	pkt      packets.ControlPacket
	typ      byte // Publish, Subscribe or Unsubscribe
	sent     bool // sent on some link: a re-sent PUBLISH carries DUP
	done     bool
	internal bool // restoring subscriptions: no task waits
	ev       asyncio.Event
	codes    []byte
	err      error
}

// Connect makes a client and its first link to the broker. If that fails,
// it returns the reason and no client: the broker refused (a *ConnectError,
// e.g. matching ErrBadCredentials), could not be reached, or sent no
// CONNACK within ConnectTimeout. Once connected, the client keeps the link
// up by itself until Close. Its task is a child of the loop, not of ctx's
// task; it ends at Close or when the loop closes.
func Connect(ctx *asyncio.Ctx, cfg Config) (*Client, error) {
	if err := asyncio.InTask(ctx); err != nil {
		return nil, err
	}
	c, err := newClient(ctx.Loop(), cfg)
	if err != nil {
		return nil, err
	}
	conn, sp, err := c.attempt(ctx)
	if err != nil {
		return nil, err
	}
	c.linkUp(conn, sp)
	c.super = asyncio.CreateTask(ctx, c.supervise, asyncio.Named("mqtt "+c.cfg.ClientID))
	return c, nil
}

func newClient(l *asyncio.Loop, cfg Config) (*Client, error) {
	c := &Client{cfg: cfg, loop: l, pend: map[uint16]*pending{}}
	if cfg.Dial == nil {
		host, p, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("mqtt: broker address %q: %w", cfg.Addr, err)
		}
		if c.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mqtt: broker address %q: bad port", cfg.Addr)
		}
		c.host = host
	}
	if cfg.Will != nil {
		if err := ValidTopic(cfg.Will.Topic); err != nil {
			return nil, fmt.Errorf("mqtt: will: %w", err)
		}
		if cfg.Will.QoS > 1 {
			return nil, fmt.Errorf("mqtt: will: %w", ErrQoS)
		}
	}
	d := &c.cfg
	switch {
	case d.KeepAlive == 0:
		d.KeepAlive = 60 * time.Second
	case d.KeepAlive < 0:
		d.KeepAlive = 0
	case d.KeepAlive > 65535*time.Second:
		d.KeepAlive = 65535 * time.Second
	}
	if d.PingInterval <= 0 || d.PingInterval > d.KeepAlive {
		d.PingInterval = d.KeepAlive / 4
	}
	c.keepAlive, c.pingEvery = d.KeepAlive, d.PingInterval
	d.ConnectTimeout = cmpOr(d.ConnectTimeout, 10*time.Second)
	d.ReconnectMin = cmpOr(d.ReconnectMin, time.Second)
	d.ReconnectMax = max(cmpOr(d.ReconnectMax, 60*time.Second), d.ReconnectMin)
	switch {
	case d.Jitter == 0:
		d.Jitter = 0.2
	case d.Jitter < 0:
		d.Jitter = 0
	case d.Jitter > 1:
		d.Jitter = 1
	}
	if d.Rand == nil {
		d.Rand = rand.Float64
	}
	d.MaxInflight = cmpOr(d.MaxInflight, 32)
	d.QueueSize = cmpOr(d.QueueSize, 64)
	d.MaxPacketSize = cmpOr(d.MaxPacketSize, DefaultMaxPacketSize)
	c.window = asyncio.NewSemaphore(d.MaxInflight)
	if d.Handler == nil {
		c.queue = make([]Message, d.QueueSize)
	}
	c.down.Set()
	var b bytes.Buffer
	packets.NewControlPacket(packets.Pingreq).Write(&b)
	c.pingreq = b.Bytes()
	return c, nil
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func (c *Client) now() time.Duration { return c.loop.Time() }

// ---- Connecting ----

type attemptResult struct {
	conn Conn
	sp   bool
}

// attempt makes one link: dial, CONNECT, CONNACK, within ConnectTimeout.
// It runs in a task of its own (WaitFor), so that the time limit cancels
// that task and not the caller.
func (c *Client) attempt(ctx *asyncio.Ctx) (Conn, bool, error) {
	r, err := asyncio.WaitForOf(ctx, c.cfg.ConnectTimeout, c.handshake)
	if err != nil {
		if r.conn != nil { // done just as the time ran out
			r.conn.Abort()
		}
		if errors.Is(err, asyncio.ErrTimeout) {
			err = fmt.Errorf("mqtt: connect to %s: no CONNACK within %v: %w", c.where(), c.cfg.ConnectTimeout, err)
		}
		return nil, false, err
	}
	return r.conn, r.sp, nil
}

func (c *Client) where() string {
	if c.cfg.Dial != nil {
		if c.cfg.Addr != "" {
			return c.cfg.Addr
		}
		return "the broker"
	}
	return net.JoinHostPort(c.host, strconv.Itoa(c.port))
}

func (c *Client) handshake(ctx *asyncio.Ctx) (attemptResult, error) {
	var conn Conn
	var err error
	if c.cfg.Dial != nil {
		conn, err = c.cfg.Dial(ctx)
	} else {
		var opts []stream.Option
		if c.cfg.TLS != nil {
			opts = append(opts, stream.WithTLS(c.cfg.TLS))
		}
		var s *stream.Stream
		s, err = stream.OpenConnection(ctx, c.host, c.port, opts...)
		if err == nil {
			conn = s
		}
	}
	if err != nil {
		if errors.Is(err, asyncio.ErrCancelled) {
			return attemptResult{}, err
		}
		return attemptResult{}, fmt.Errorf("mqtt: connect to %s: %w", c.where(), err)
	}
	ok := false
	defer func() {
		if !ok {
			conn.Abort()
		}
	}()
	cp := packets.NewControlPacket(packets.Connect).(*packets.ConnectPacket)
	cp.ProtocolName, cp.ProtocolVersion = "MQTT", 4
	cp.ClientIdentifier = c.cfg.ClientID
	cp.CleanSession = c.cfg.CleanSession
	cp.Keepalive = uint16((c.cfg.KeepAlive + time.Second - 1) / time.Second)
	if c.cfg.Username != "" {
		cp.UsernameFlag, cp.Username = true, c.cfg.Username
	}
	if c.cfg.Password != "" {
		cp.PasswordFlag, cp.Password = true, []byte(c.cfg.Password)
	}
	if w := c.cfg.Will; w != nil {
		cp.WillFlag, cp.WillTopic, cp.WillMessage, cp.WillQos, cp.WillRetain = true, w.Topic, w.Payload, w.QoS, w.Retain
	}
	var b bytes.Buffer
	cp.Write(&b)
	if _, err := conn.Write(b.Bytes()); err != nil {
		return attemptResult{}, fmt.Errorf("mqtt: connect to %s: %w", c.where(), err)
	}
	if err := conn.Drain(ctx); err != nil {
		return attemptResult{}, c.linkError("connect to", err)
	}
	p, err := ReadPacket(ctx, conn, c.cfg.MaxPacketSize)
	if err != nil {
		return attemptResult{}, c.linkError("connect to", err)
	}
	ack, isAck := p.(*packets.ConnackPacket)
	if !isAck {
		return attemptResult{}, &ProtocolError{Kind: ErrUnexpected, Packet: packetName(p),
			Detail: "the broker's first packet must be CONNACK"}
	}
	if ack.ReturnCode != packets.Accepted {
		return attemptResult{}, &ConnectError{Code: ack.ReturnCode}
	}
	ok = true
	return attemptResult{conn: conn, sp: ack.SessionPresent}, nil
}

// packetName returns the name of p's type, "PUBLISH" and the like.
func packetName(p packets.ControlPacket) string {
	s := p.String() // every packet's begins with its fixed header's: "PUBLISH: dup: ..."
	if i := strings.IndexByte(s, ':'); i > 0 {
		return s[:i]
	}
	return s
}

// linkError wraps an error of the link, leaving a cancellation as it is.
func (c *Client) linkError(doing string, err error) error {
	if errors.Is(err, asyncio.ErrCancelled) {
		return err
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("mqtt: %s %s: %w", doing, c.where(), err)
}

// supervise is the client's task: it reads the link while it is up, and
// makes it again when it goes down, until Close or a cancellation.
func (c *Client) supervise(ctx *asyncio.Ctx) error {
	defer func() {
		if c.conn != nil {
			c.linkDown(ErrClosed)
		}
	}()
	for {
		err := c.readLoop(ctx, c.conn)
		if c.linkErr != nil {
			err = c.linkErr
		}
		if c.closed {
			return nil
		}
		if errors.Is(err, asyncio.ErrCancelled) {
			return err
		}
		c.linkDown(c.linkError("link to", err))
		for k := 0; ; k++ {
			if err := asyncio.Sleep(ctx, c.backoff(k)); err != nil {
				return err
			}
			conn, sp, err := c.attempt(ctx)
			if c.closed {
				if conn != nil {
					conn.Abort()
				}
				return nil
			}
			if err == nil {
				c.linkUp(conn, sp)
				break
			}
			if errors.Is(err, asyncio.ErrCancelled) {
				return err
			}
			c.lastErr = err
			c.stats.Failures++
			c.event(LinkEvent{Err: err, Attempt: k + 1})
		}
	}
}

// backoff is the wait before reconnection attempt k (from 0).
func (c *Client) backoff(k int) time.Duration {
	d := c.cfg.ReconnectMin
	for i := 0; i < k && d < c.cfg.ReconnectMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.ReconnectMax)
	if j := c.cfg.Jitter; j > 0 {
		d = time.Duration(float64(d) * (1 + j*(2*c.cfg.Rand()-1)))
	}
	return d
}

func (c *Client) event(e LinkEvent) {
	if c.cfg.OnLink != nil {
		e.At = c.now()
		c.cfg.OnLink(e)
	}
}

// linkUp starts using a new link: it restores the subscriptions if the
// broker forgot them, sends again what waits for an acknowledgement, and
// starts the keep-alive timer.
func (c *Client) linkUp(conn Conn, sessionPresent bool) {
	c.conn, c.linkErr = conn, nil
	now := c.now()
	c.lastRx, c.lastTx, c.lastPing = now, now, now
	c.stats.Connects++
	if !sessionPresent && len(c.subs) > 0 {
		sp := packets.NewControlPacket(packets.Subscribe).(*packets.SubscribePacket)
		for _, s := range c.subs {
			sp.Topics = append(sp.Topics, s.filter)
			sp.Qoss = append(sp.Qoss, s.qos)
		}
		p := &pending{typ: packets.Subscribe, pkt: sp, internal: true}
		c.register(p) // sent with the others below, first
		c.restoring = p
		c.stats.Resubscribe++
	}
	waiting := make([]*pending, 0, len(c.pend))
	for _, p := range c.pend {
		waiting = append(waiting, p)
	}
	slices.SortFunc(waiting, func(a, b *pending) int { return cmp.Compare(a.seq, b.seq) })
	if !sessionPresent {
		// Restored subscriptions go first, so that the re-sent
		// subscriptions and messages find them in place.
		slices.SortStableFunc(waiting, func(a, b *pending) int {
			return boolInt(b.internal) - boolInt(a.internal)
		})
	}
	for _, p := range waiting {
		if pp, ok := p.pkt.(*packets.PublishPacket); ok && p.sent {
			pp.Dup = true
			c.stats.Resent++
		}
		c.sendPending(p)
	}
	c.schedulePing()
	c.down.Clear()
	c.upSP = sessionPresent
	if c.restoring == nil {
		c.markUp()
	}
}

// markUp declares the link up: connected, and the subscriptions, if they
// had to be restored, acknowledged, so that what is published from now on
// reaches this client.
func (c *Client) markUp() {
	c.ready = true
	c.up.Set()
	c.event(LinkEvent{Up: true, SessionPresent: c.upSP})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// linkDown gives up the link.
func (c *Client) linkDown(err error) {
	if c.conn == nil {
		return
	}
	c.conn.Abort()
	c.conn, c.ready, c.restoring = nil, false, nil
	for id, p := range c.pend {
		if p.internal { // the next link restores the subscriptions afresh
			delete(c.pend, id)
		}
	}
	if c.ping != nil {
		c.ping.Cancel()
		c.ping = nil
	}
	c.lastErr = err
	c.stats.Drops++
	c.up.Clear()
	c.down.Set()
	c.event(LinkEvent{Err: err})
}

// fail gives up the link from outside the reading task: the read it waits
// in ends, and the task takes err as the reason.
func (c *Client) fail(err error) {
	if c.conn != nil && c.linkErr == nil {
		c.linkErr = err
		c.conn.Abort()
	}
}

// ---- Keep-alive ----

func (c *Client) schedulePing() {
	if c.keepAlive <= 0 || c.conn == nil {
		return
	}
	next := min(c.lastTx+c.pingEvery, max(c.lastRx, c.lastPing)+c.pingEvery)
	if !c.delivering {
		next = min(next, c.lastRx+c.keepAlive)
	}
	next = max(next, c.now())
	if c.ping != nil {
		c.ping.Cancel()
	}
	c.ping = c.loop.CallAt(next, c.tick)
}

// tick is the keep-alive timer: it declares the link dead after KeepAlive
// without a packet, and pings after PingInterval of silence either way.
func (c *Client) tick() {
	c.ping = nil
	if c.conn == nil {
		return
	}
	now := c.now()
	if !c.delivering && now-c.lastRx >= c.keepAlive {
		c.fail(ErrDeadLink)
		return
	}
	if now-c.lastTx >= c.pingEvery || now-max(c.lastRx, c.lastPing) >= c.pingEvery {
		c.lastPing = now
		c.stats.Pings++
		c.write(c.pingreq)
	}
	c.schedulePing()
}

// ---- Writing ----

// send writes a packet on the link; it reports false if the link is down
// or failed (the reading task then takes it down).
func (c *Client) send(p packets.ControlPacket) bool {
	if c.conn == nil {
		return false
	}
	c.wbuf.Reset()
	if err := p.Write(&c.wbuf); err != nil {
		c.fail(err)
		return false
	}
	return c.write(c.wbuf.Bytes())
}

func (c *Client) write(b []byte) bool {
	if c.conn == nil {
		return false
	}
	if _, err := c.conn.Write(b); err != nil {
		c.fail(err)
		return false
	}
	c.lastTx = c.now()
	return true
}

func (c *Client) register(p *pending) {
	for {
		c.nextID++
		if c.nextID == 0 {
			c.nextID = 1
		}
		if _, used := c.pend[c.nextID]; !used {
			break
		}
	}
	switch pk := p.pkt.(type) {
	case *packets.PublishPacket:
		pk.MessageID = c.nextID
	case *packets.SubscribePacket:
		pk.MessageID = c.nextID
	case *packets.UnsubscribePacket:
		pk.MessageID = c.nextID
	}
	c.seq++
	p.seq = c.seq
	c.pend[c.nextID] = p
}

func (c *Client) sendPending(p *pending) {
	if c.send(p.pkt) {
		p.sent = true
		if p.typ == packets.Publish {
			c.stats.Published++
		}
	}
}

// await waits for p's acknowledgement; a cancelled wait withdraws p.
func (c *Client) await(ctx *asyncio.Ctx, p *pending) error {
	if err := p.ev.Wait(ctx); err != nil {
		if !p.done {
			c.withdraw(p)
		}
		return err
	}
	return p.err
}

func (c *Client) withdraw(p *pending) {
	id := p.pkt.Details().MessageID
	if c.pend[id] == p {
		delete(c.pend, id)
		if p.typ == packets.Publish {
			c.window.Release()
		}
	}
}

// ---- The API ----

// Publish sends a message to topic with QoS 0 or 1, retained by the broker
// if retain. With QoS 1 it waits until the broker acknowledges it (PUBACK),
// across reconnections: a message sent on a link that went down first is
// sent again, with DUP, on the next; with QoS 0 it waits until the link is
// up and the message handed to it, and a message on a link that goes down
// may be lost. At most MaxInflight QoS 1 messages wait at a time; further
// calls wait their turn. Every wait returns asyncio.ErrCancelled if the task
// is cancelled, and a cancelled QoS 1 publish is not sent again.
func (c *Client) Publish(ctx *asyncio.Ctx, topic string, payload []byte, qos byte, retain bool) error {
	if err := asyncio.InTask(ctx); err != nil {
		return err
	}
	if err := ValidTopic(topic); err != nil {
		return err
	}
	if qos > 1 {
		return ErrQoS
	}
	if c.closed {
		return ErrClosed
	}
	pp := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	pp.TopicName, pp.Payload, pp.Qos, pp.Retain = topic, payload, qos, retain
	if qos == 0 {
		if err := c.WaitUp(ctx); err != nil {
			return err
		}
		conn := c.conn
		if c.send(pp) {
			c.stats.Published++
			if err := conn.Drain(ctx); errors.Is(err, asyncio.ErrCancelled) {
				return err
			}
		}
		return nil
	}
	if err := c.window.Acquire(ctx); err != nil {
		return err
	}
	if c.closed {
		c.window.Release()
		return ErrClosed
	}
	pp.Payload = slices.Clone(payload) // it may be sent again later
	p := &pending{typ: packets.Publish, pkt: pp}
	c.register(p)
	c.sendPending(p)
	return c.await(ctx, p)
}

// Subscribe subscribes to the topics that match filter (wildcards + and #
// allowed) with QoS 0 or 1, and waits for the broker's SUBACK. The
// subscription is restored after each reconnection the broker comes back
// from without the session. It returns ErrSubscriptionRefused if the broker
// refuses the filter.
func (c *Client) Subscribe(ctx *asyncio.Ctx, filter string, qos byte) error {
	if err := asyncio.InTask(ctx); err != nil {
		return err
	}
	if err := ValidFilter(filter); err != nil {
		return err
	}
	if qos > 1 {
		return ErrQoS
	}
	if c.closed {
		return ErrClosed
	}
	sp := packets.NewControlPacket(packets.Subscribe).(*packets.SubscribePacket)
	sp.Topics, sp.Qoss = []string{filter}, []byte{qos}
	p := &pending{typ: packets.Subscribe, pkt: sp}
	c.register(p)
	c.sendPending(p)
	if err := c.await(ctx, p); err != nil {
		return err
	}
	if len(p.codes) == 0 || p.codes[0] == 0x80 {
		return fmt.Errorf("%w: %q", ErrSubscriptionRefused, filter)
	}
	return nil
}

// Unsubscribe ends the subscriptions of the filters, exactly as they were
// given to Subscribe, and waits for the broker's UNSUBACK.
func (c *Client) Unsubscribe(ctx *asyncio.Ctx, filters ...string) error {
	if err := asyncio.InTask(ctx); err != nil {
		return err
	}
	if len(filters) == 0 {
		return nil
	}
	for _, f := range filters {
		if err := ValidFilter(f); err != nil {
			return err
		}
	}
	if c.closed {
		return ErrClosed
	}
	up := packets.NewControlPacket(packets.Unsubscribe).(*packets.UnsubscribePacket)
	up.Topics = slices.Clone(filters)
	p := &pending{typ: packets.Unsubscribe, pkt: up}
	c.register(p)
	c.sendPending(p)
	return c.await(ctx, p)
}

// Next returns the next message received, waiting for one. It returns
// ErrClosed once the client is closed and the queue empty, and
// ErrHandlerSet at once when Config.Handler is set: messages go there, and
// Next would wait for ever.
func (c *Client) Next(ctx *asyncio.Ctx) (Message, error) {
	if c.cfg.Handler != nil {
		return Message{}, ErrHandlerSet
	}
	for c.qlen == 0 {
		if c.closed {
			return Message{}, ErrClosed
		}
		c.avail.Clear()
		if err := c.avail.Wait(ctx); err != nil {
			return Message{}, err
		}
	}
	m := c.queue[c.qhead]
	c.queue[c.qhead] = Message{}
	c.qhead = (c.qhead + 1) % len(c.queue)
	c.qlen--
	c.room.Set()
	return m, nil
}

// Messages returns the received messages as an iterator, for a range loop:
// each is (message, nil) until an error ends it (ErrClosed after Close, or
// asyncio.ErrCancelled).
func (c *Client) Messages(ctx *asyncio.Ctx) func(yield func(Message, error) bool) {
	return func(yield func(Message, error) bool) {
		for {
			m, err := c.Next(ctx)
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// Pending returns how many received messages wait for Next.
func (c *Client) Pending() int { return c.qlen }

// Up reports whether the link to the broker is up: connected, and, after a
// reconnection the broker's session did not survive, with the
// subscriptions restored (their SUBACK received).
func (c *Client) Up() bool { return c.ready }

// WaitUp waits until the link is up (see Up; at once if it is). It returns
// ErrClosed once the client is closed.
func (c *Client) WaitUp(ctx *asyncio.Ctx) error {
	for !c.ready {
		if c.closed {
			return ErrClosed
		}
		if err := c.up.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// WaitDown waits until the link is down, its connection lost or given up
// (at once if it is). It returns
// ErrClosed once the client is closed.
func (c *Client) WaitDown(ctx *asyncio.Ctx) error {
	for c.conn != nil {
		if err := c.down.Wait(ctx); err != nil {
			return err
		}
	}
	if c.closed {
		return ErrClosed
	}
	return nil
}

// Err returns why the link last went down or the last attempt failed, nil
// if it never did.
func (c *Client) Err() error { return c.lastErr }

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.stats }

// Close ends the client: it says goodbye to the broker (DISCONNECT, so
// that the will is not published) if the link is up, closes it, stops the
// client's task and waits for it. Waiting Publish, Subscribe, Unsubscribe,
// WaitUp and WaitDown calls return ErrClosed, and so does Next once the
// queue is empty. Closing a closed client does nothing.
func (c *Client) Close(ctx *asyncio.Ctx) error {
	if err := asyncio.InTask(ctx); err != nil {
		return err
	}
	if c.closed {
		return nil
	}
	c.closed = true
	if c.conn != nil {
		c.send(packets.NewControlPacket(packets.Disconnect))
		conn := c.conn
		c.conn, c.ready = nil, false
		if c.ping != nil {
			c.ping.Cancel()
			c.ping = nil
		}
		conn.Close() // sends the DISCONNECT, then closes
	}
	for _, p := range c.pend {
		p.done, p.err = true, ErrClosed
		p.ev.Set()
	}
	clear(c.pend)
	c.up.Set()
	c.down.Set()
	c.avail.Set()
	c.room.Set()
	if t := c.super; t != nil && !t.Done() && t != asyncio.CurrentTask(ctx) {
		t.Cancel()
		if err := t.Await(ctx); err != nil && !errors.Is(err, asyncio.ErrCancelled) {
			return err
		}
	}
	return nil
}

// ---- Reading ----

// readLoop reads packets until the link fails.
func (c *Client) readLoop(ctx *asyncio.Ctx, conn Conn) error {
	for {
		cp, err := ReadPacket(ctx, conn, c.cfg.MaxPacketSize)
		if err != nil {
			return err
		}
		c.lastRx = c.now()
		switch p := cp.(type) {
		case *packets.PublishPacket:
			if p.Qos > 1 {
				return &ProtocolError{Kind: ErrUnexpected, Packet: "PUBLISH", Detail: "QoS 2, but the client subscribes at QoS 0 and 1 only"}
			}
			c.stats.Received++
			if p.Dup {
				c.stats.Duplicates++
			}
			m := Message{Topic: p.TopicName, Payload: p.Payload, QoS: p.Qos, Retained: p.Retain, Dup: p.Dup}
			if err := c.deliver(ctx, m); err != nil {
				return err
			}
			if c.closed {
				return ErrClosed
			}
			if p.Qos == 1 {
				ack := packets.NewControlPacket(packets.Puback).(*packets.PubackPacket)
				ack.MessageID = p.MessageID
				c.send(ack)
			}
		case *packets.PubackPacket:
			c.acked(packets.Publish, p.MessageID, nil)
		case *packets.SubackPacket:
			c.acked(packets.Subscribe, p.MessageID, p.ReturnCodes)
		case *packets.UnsubackPacket:
			c.acked(packets.Unsubscribe, p.MessageID, nil)
		case *packets.PingrespPacket:
		default:
			return &ProtocolError{Kind: ErrUnexpected, Packet: packetName(cp), Detail: "a broker does not send it to a client"}
		}
	}
}

// deliver hands m to the handler or the queue, waiting for room.
func (c *Client) deliver(ctx *asyncio.Ctx, m Message) error {
	c.delivering = true
	defer func() {
		c.delivering = false
		c.lastRx = c.now() // the wait was the application's, not the link's
	}()
	if h := c.cfg.Handler; h != nil {
		if err := h(ctx, m); err != nil {
			if errors.Is(err, asyncio.ErrCancelled) {
				return err
			}
			c.loop.CallExceptionHandler(asyncio.ExceptionContext{Message: "mqtt: message handler failed", Err: err, Task: asyncio.CurrentTask(ctx)})
		}
		return nil
	}
	for c.qlen == len(c.queue) {
		if c.closed {
			return ErrClosed
		}
		c.room.Clear()
		if err := c.room.Wait(ctx); err != nil {
			return err
		}
	}
	c.queue[(c.qhead+c.qlen)%len(c.queue)] = m
	c.qlen++
	c.avail.Set()
	return nil
}

// acked completes the packet the acknowledgement is for.
func (c *Client) acked(typ byte, id uint16, codes []byte) {
	p := c.pend[id]
	if p == nil || p.typ != typ {
		return // withdrawn, or a stray acknowledgement
	}
	delete(c.pend, id)
	p.done, p.codes = true, codes
	switch typ {
	case packets.Publish:
		c.window.Release()
	case packets.Subscribe:
		sp := p.pkt.(*packets.SubscribePacket)
		for i, f := range sp.Topics {
			if i < len(codes) && codes[i] != 0x80 {
				c.setSub(f, sp.Qoss[i])
			} else if p.internal {
				c.lastErr = fmt.Errorf("%w on reconnection: %q", ErrSubscriptionRefused, f)
			}
		}
		if p == c.restoring {
			c.restoring = nil
			c.markUp()
		}
	case packets.Unsubscribe:
		for _, f := range p.pkt.(*packets.UnsubscribePacket).Topics {
			c.subs = slices.DeleteFunc(c.subs, func(s sub) bool { return s.filter == f })
		}
	}
	p.ev.Set()
}

func (c *Client) setSub(filter string, qos byte) {
	for i := range c.subs {
		if c.subs[i].filter == filter {
			c.subs[i].qos = qos
			return
		}
	}
	c.subs = append(c.subs, sub{filter, qos})
}

// Subscriptions returns the filters the client is subscribed to, in the
// order they were first acknowledged.
func (c *Client) Subscriptions() []string {
	out := make([]string, len(c.subs))
	for i, s := range c.subs {
		out[i] = s.filter
	}
	return out
}

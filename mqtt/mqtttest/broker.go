// Package mqtttest is an MQTT 3.1.1 broker that lives on an asyncio loop
// and talks to clients over in-memory pipes, for tests: a client of package
// mqtt connected to it runs on the virtual clock, so that keep-alive pings,
// dead-link detection and reconnection back-off can be checked to the
// nanosecond, and faults (a broker that stalls, drops every link, refuses
// connections or credentials, or sends garbage) are one call away.
//
// It does what a test needs of a broker: sessions (clean or kept, with
// their subscriptions and unacknowledged QoS 1 messages), wildcards,
// retained messages, QoS 0 and 1 (QoS 2 is granted as 1), last wills, and a
// log of every packet it received with the loop's time.
package mqtttest

import (
	"bytes"
	"fmt"
	"syscall"
	"time"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/mqtt"
)

// Entry is one packet the broker received.
type Entry struct {
	At     time.Duration // the loop's clock
	Client string        // the client identifier of the link
	Type   string        // "CONNECT", "PINGREQ", ...
	Packet packets.ControlPacket
}

// Broker is the fake broker. The zero Broker accepts every client; its
// methods must be called on the loop's goroutine.
type Broker struct {
	// Users, if not nil, are the accepted user names and their passwords;
	// other credentials get CONNACK code 4.
	Users map[string]string
	// Refuse, if not zero, is the CONNACK code every connection gets.
	Refuse byte
	// DropPubacks is how many PUBACKs the broker still leaves unsent for
	// the QoS 1 messages it receives (it routes them all the same), so
	// that tests can see clients send them again.
	DropPubacks int
	// MaxPacketSize bounds the packets it reads (default 1 MiB).
	MaxPacketSize int
	// OnPacket, if set, sees each packet received before the broker
	// handles it.
	OnPacket func(e Entry)
	// NoLog, if set, keeps no log (for long runs with many clients).
	NoLog bool

	log      []Entry
	down     bool
	stalled  bool
	resume   asyncio.Event
	sessions map[string]*session
	retained map[string]*packets.PublishPacket
	links    []*link
	nextAnon int
}

type session struct {
	id       string
	subs     map[string]byte
	order    []string
	link     *link
	clean    bool
	nextID   uint16
	inflight map[uint16]*packets.PublishPacket // QoS 1 sent or waiting to be, not yet acknowledged
	queue    []uint16                          // inflight in order
}

type link struct {
	conn *End
	sess *session
}

// ErrRefused is what Dial returns while the broker is down (SetDown), as
// a TCP connect to a closed port does.
var ErrRefused = fmt.Errorf("mqtttest: broker is down: %w", syscall.ECONNREFUSED)

// Dial makes a link to the broker and starts the task that serves it; it
// is what mqtt.Config.Dial wants.
func (b *Broker) Dial(ctx *asyncio.Ctx) (mqtt.Conn, error) {
	if b.down {
		return nil, ErrRefused
	}
	client, server := Pipe()
	l := &link{conn: server}
	b.links = append(b.links, l)
	asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		b.serve(ctx, l)
		return nil
	}, asyncio.Named("mqtttest link"))
	return client, nil
}

// Log returns the packets received so far.
func (b *Broker) Log() []Entry { return b.log }

// Received returns the times at which packets of the given type ("PINGREQ")
// arrived from the client.
func (b *Broker) Received(client, typ string) []time.Duration {
	var at []time.Duration
	for _, e := range b.log {
		if e.Client == client && e.Type == typ {
			at = append(at, e.At)
		}
	}
	return at
}

// SetDown makes Dial fail (true) or work again (false); going down also
// drops every link, as a broker that is killed.
func (b *Broker) SetDown(down bool) {
	b.down = down
	if down {
		b.DropAll()
	}
}

// DropAll closes every link at once, as a broker restart or a reset.
func (b *Broker) DropAll() {
	for _, l := range b.links {
		l.conn.Abort()
	}
}

// Stall makes the broker stop reading and answering on every link, without
// closing them, as a broker that hangs or a network that black-holes;
// Resume undoes it.
func (b *Broker) Stall() { b.stalled = true }

// Resume ends a Stall.
func (b *Broker) Resume() {
	b.stalled = false
	b.resume.Set()
}

// Connected returns the identifiers of the clients with a link up.
func (b *Broker) Connected() []string {
	var ids []string
	for _, l := range b.links {
		if l.sess != nil && l.sess.link == l {
			ids = append(ids, l.sess.id)
		}
	}
	return ids
}

// Inject writes raw bytes to the links of a client, as if the broker had
// sent them (malformed packets, for instance). It reports whether the
// client had a link.
func (b *Broker) Inject(client string, raw []byte) bool {
	s := b.sessions[client]
	if s == nil || s.link == nil {
		return false
	}
	s.link.conn.Write(raw)
	return true
}

// Publish publishes a message from the broker itself, to every matching
// subscription.
func (b *Broker) Publish(topic string, payload []byte, qos byte, retain bool) {
	p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	p.TopicName, p.Payload, p.Qos, p.Retain = topic, payload, qos, retain
	b.route(p)
}

// Subscriptions returns a client's subscriptions and their granted QoS.
func (b *Broker) Subscriptions(client string) map[string]byte {
	s := b.sessions[client]
	if s == nil {
		return nil
	}
	out := make(map[string]byte, len(s.subs))
	for f, q := range s.subs {
		out[f] = q
	}
	return out
}

func (b *Broker) serve(ctx *asyncio.Ctx, l *link) {
	conn := l.conn
	defer conn.Abort()
	defer b.forget(l)
	max := b.MaxPacketSize
	if max <= 0 {
		max = 1 << 20
	}
	first, err := mqtt.ReadPacket(ctx, conn, max)
	if err != nil {
		return
	}
	b.record(ctx, "", first)
	if !b.waitStall(ctx, conn) {
		return
	}
	cp, ok := first.(*packets.ConnectPacket)
	if !ok {
		return // the first packet must be CONNECT
	}
	if code := b.admit(cp); code != packets.Accepted {
		b.write(conn, connack(false, code))
		return
	}
	id := cp.ClientIdentifier
	if id == "" {
		b.nextAnon++
		id = fmt.Sprintf("anon-%d", b.nextAnon)
	}
	s, present := b.open(id, cp.CleanSession)
	if s.link != nil {
		s.link.conn.Abort() // a second link with the same identifier takes over
	}
	s.link, l.sess = l, s
	b.write(conn, connack(present, packets.Accepted))
	for _, mid := range s.queue {
		p := s.inflight[mid]
		b.write(conn, p)
		p.Dup = true // sent: another attempt is a duplicate
	}
	clean := false
	defer func() {
		if s.link == l {
			s.link = nil
			if s.clean {
				delete(b.sessions, s.id)
			}
		}
		if !clean && cp.WillFlag {
			b.Publish(cp.WillTopic, cp.WillMessage, min(cp.WillQos, 1), cp.WillRetain)
		}
	}()
	for {
		p, err := mqtt.ReadPacket(ctx, conn, max)
		if err != nil {
			return
		}
		b.record(ctx, id, p)
		if !b.waitStall(ctx, conn) {
			return
		}
		switch p := p.(type) {
		case *packets.PublishPacket:
			b.route(p)
			if p.Qos > 0 {
				if b.DropPubacks > 0 {
					b.DropPubacks--
				} else {
					ack := packets.NewControlPacket(packets.Puback).(*packets.PubackPacket)
					ack.MessageID = p.MessageID
					b.write(conn, ack)
				}
			}
		case *packets.PubackPacket:
			if _, ok := s.inflight[p.MessageID]; ok {
				delete(s.inflight, p.MessageID)
				for i, q := range s.queue {
					if q == p.MessageID {
						s.queue = append(s.queue[:i], s.queue[i+1:]...)
						break
					}
				}
			}
		case *packets.SubscribePacket:
			ack := packets.NewControlPacket(packets.Suback).(*packets.SubackPacket)
			ack.MessageID = p.MessageID
			var fresh []string
			for i, f := range p.Topics {
				q := min(p.Qoss[i], 1)
				if _, had := s.subs[f]; !had {
					s.order = append(s.order, f)
				}
				s.subs[f] = q
				ack.ReturnCodes = append(ack.ReturnCodes, q)
				fresh = append(fresh, f)
			}
			b.write(conn, ack)
			for _, f := range fresh {
				for _, r := range b.retained {
					if mqtt.Match(f, r.TopicName) {
						b.deliver(s, r, true)
					}
				}
			}
		case *packets.UnsubscribePacket:
			for _, f := range p.Topics {
				delete(s.subs, f)
			}
			ack := packets.NewControlPacket(packets.Unsuback).(*packets.UnsubackPacket)
			ack.MessageID = p.MessageID
			b.write(conn, ack)
		case *packets.PingreqPacket:
			b.write(conn, packets.NewControlPacket(packets.Pingresp))
		case *packets.DisconnectPacket:
			clean = true
			return
		default:
			return // a client must not send it: close the link
		}
	}
}

// waitStall waits while the broker is stalled; it reports whether the
// link is still there to serve.
func (b *Broker) waitStall(ctx *asyncio.Ctx, conn *End) bool {
	for b.stalled {
		b.resume.Clear()
		if b.resume.Wait(ctx) != nil {
			return false
		}
	}
	return !conn.Closed()
}

func (b *Broker) record(ctx *asyncio.Ctx, client string, p packets.ControlPacket) {
	if cp, ok := p.(*packets.ConnectPacket); ok {
		client = cp.ClientIdentifier
	}
	s := p.String()
	if i := bytes.IndexByte([]byte(s), ':'); i > 0 {
		s = s[:i]
	}
	e := Entry{At: ctx.Loop().Time(), Client: client, Type: s, Packet: p}
	if !b.NoLog {
		b.log = append(b.log, e)
	}
	if b.OnPacket != nil {
		b.OnPacket(e)
	}
}

func (b *Broker) forget(l *link) {
	for i, x := range b.links {
		if x == l {
			b.links = append(b.links[:i], b.links[i+1:]...)
			return
		}
	}
}

func (b *Broker) admit(cp *packets.ConnectPacket) byte {
	if b.Refuse != 0 {
		return b.Refuse
	}
	if code := cp.Validate(); code != packets.Accepted {
		return code
	}
	if b.Users != nil {
		pw, ok := b.Users[cp.Username]
		if !ok || !cp.PasswordFlag || pw != string(cp.Password) {
			return packets.ErrRefusedBadUsernameOrPassword
		}
	}
	return packets.Accepted
}

func (b *Broker) open(id string, clean bool) (*session, bool) {
	if b.sessions == nil {
		b.sessions = map[string]*session{}
		b.retained = map[string]*packets.PublishPacket{}
	}
	s := b.sessions[id]
	present := s != nil && !clean
	if s == nil || clean {
		if s != nil && s.link != nil {
			s.link.conn.Abort()
			s.link = nil
		}
		s = &session{id: id, subs: map[string]byte{}, inflight: map[uint16]*packets.PublishPacket{}}
		b.sessions[id] = s
	}
	s.clean = clean
	return s, present
}

func (b *Broker) route(p *packets.PublishPacket) {
	if b.sessions == nil {
		b.sessions = map[string]*session{}
		b.retained = map[string]*packets.PublishPacket{}
	}
	if p.Retain {
		if len(p.Payload) == 0 {
			delete(b.retained, p.TopicName)
		} else {
			r := p.Copy()
			r.Qos = p.Qos
			b.retained[p.TopicName] = r
		}
	}
	for _, s := range b.sessions {
		for _, f := range s.order {
			if q, ok := s.subs[f]; ok && mqtt.Match(f, p.TopicName) {
				out := p.Copy()
				out.Qos = min(p.Qos, q)
				b.deliver(s, out, false)
				break // one copy per client, as mosquitto without overlapping-subscription duplicates
			}
		}
	}
}

// deliver sends p to s, keeping a QoS 1 message until it is acknowledged.
func (b *Broker) deliver(s *session, p *packets.PublishPacket, retained bool) {
	out := p.Copy()
	out.Qos, out.Retain = p.Qos, retained
	if out.Qos > 0 {
		for {
			s.nextID++
			if s.nextID == 0 {
				s.nextID = 1
			}
			if _, used := s.inflight[s.nextID]; !used {
				break
			}
		}
		out.MessageID = s.nextID
		if s.link == nil && s.clean {
			return
		}
		s.inflight[out.MessageID] = out
		s.queue = append(s.queue, out.MessageID)
	}
	if s.link != nil {
		b.write(s.link.conn, out)
		if out.Qos > 0 {
			dup := *out
			dup.Dup = true
			s.inflight[out.MessageID] = &dup
		}
	}
}

func (b *Broker) write(conn *End, p packets.ControlPacket) {
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		conn.Abort()
		return
	}
	if _, err := conn.Write(buf.Bytes()); err != nil {
		conn.Abort()
	}
}

func connack(present bool, code byte) *packets.ConnackPacket {
	ack := packets.NewControlPacket(packets.Connack).(*packets.ConnackPacket)
	ack.SessionPresent, ack.ReturnCode = present, code
	return ack
}

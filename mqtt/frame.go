package mqtt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/goasyncio/asyncio"
)

// Conn is the link to the broker as the client uses it: exact reads, writes
// that never block, and a drain that waits until the written bytes are
// taken. A *stream.Stream is one (Config.Addr dials one); the fake broker of
// package mqtttest gives in-memory ones, so that a client runs on the
// virtual clock.
type Conn interface {
	// ReadExactly returns exactly n bytes, pausing the task until they are
	// there; at the end of the link it returns io.EOF (before the first
	// byte) or an error matching io.ErrUnexpectedEOF.
	ReadExactly(ctx *asyncio.Ctx, n int) ([]byte, error)
	// Write queues p to be sent without blocking; p may be reused after.
	Write(p []byte) (int, error)
	// Drain waits until what was written has been sent.
	Drain(ctx *asyncio.Ctx) error
	// Close sends what waits, then closes; Abort closes at once.
	Close() error
	Abort()
}

// DefaultMaxPacketSize bounds the packets a client accepts from the broker
// (Config.MaxPacketSize): 1 MiB, the fixed header included.
const DefaultMaxPacketSize = 1 << 20

// ReadPacket reads one MQTT 3.1.1 control packet from r with exact reads and
// decodes it with package packets of github.com/eclipse/paho.mqtt.golang. A
// packet of more than maxSize bytes (fixed header included) is refused
// before its body is read, with a *ProtocolError matching ErrTooLarge; one
// that breaks the framing or the encoding of its type gives a
// *ProtocolError matching ErrMalformed. Either way the stream is then out of
// step and the link must be closed. At a clean end of the link (before the
// first byte of a packet) it returns io.EOF.
func ReadPacket(ctx *asyncio.Ctx, r Conn, maxSize int) (packets.ControlPacket, error) {
	head, err := r.ReadExactly(ctx, 2) // every packet has a type byte and a length byte
	if err != nil {
		return nil, err
	}
	typ := head[0] >> 4
	length, n := int(head[1]&0x7f), 1
	for b := head[1]; b&0x80 != 0; n++ {
		if n == 4 {
			return nil, malformed(typ, "remaining length longer than 4 bytes")
		}
		next, err := r.ReadExactly(ctx, 1)
		if err != nil {
			return nil, err
		}
		b = next[0]
		length |= int(b&0x7f) << (7 * n)
		if b == 0 {
			return nil, malformed(typ, "remaining length not minimally encoded")
		}
	}
	if total := 1 + n + length; maxSize > 0 && total > maxSize {
		return nil, &ProtocolError{Kind: ErrTooLarge, Packet: packets.PacketNames[typ],
			Detail: fmt.Sprintf("%d bytes, the limit is %d", total, maxSize)}
	}
	var body []byte
	if length > 0 {
		if body, err = r.ReadExactly(ctx, length); err != nil {
			return nil, err
		}
	}
	return decode(head[0], length, body)
}

// decode checks the packet's framing and decodes it; body is its variable
// header and payload.
func decode(first byte, length int, body []byte) (cp packets.ControlPacket, err error) {
	typ, flags := first>>4, first&0x0f
	fh := packets.FixedHeader{MessageType: typ, Dup: flags&8 != 0, Qos: flags >> 1 & 3, Retain: flags&1 != 0, RemainingLength: length}
	if typ == 0 || typ == 15 {
		return nil, malformed(typ, "reserved packet type %d", typ)
	}
	// Fixed header flags: PUBLISH carries its own; PUBREL, SUBSCRIBE and
	// UNSUBSCRIBE must have 0010, the others 0000 (MQTT 3.1.1, 2.2.2).
	switch typ {
	case packets.Publish:
		if fh.Qos == 3 {
			return nil, malformed(typ, "QoS 3")
		}
	case packets.Pubrel, packets.Subscribe, packets.Unsubscribe:
		if flags != 2 {
			return nil, malformed(typ, "fixed header flags %04b, must be 0010", flags)
		}
	default:
		if flags != 0 {
			return nil, malformed(typ, "fixed header flags %04b, must be 0000", flags)
		}
	}
	// Sizes the library's decoders take on trust.
	switch typ {
	case packets.Pingreq, packets.Pingresp, packets.Disconnect:
		if length != 0 {
			return nil, malformed(typ, "remaining length %d, must be 0", length)
		}
	case packets.Connack, packets.Puback, packets.Pubrec, packets.Pubrel, packets.Pubcomp, packets.Unsuback:
		if length != 2 {
			return nil, malformed(typ, "remaining length %d, must be 2", length)
		}
	case packets.Publish:
		if err := checkPublish(fh, body); err != nil {
			return nil, err
		}
	}
	cp, err = packets.NewControlPacketWithHeader(fh)
	if err != nil {
		return nil, malformed(typ, "%v", err)
	}
	defer func() {
		if r := recover(); r != nil {
			cp, err = nil, malformed(typ, "decoder failed: %v", r)
		}
	}()
	if err := cp.Unpack(bytes.NewBuffer(body)); err != nil {
		return nil, malformed(typ, "%v", err)
	}
	switch typ {
	case packets.Connack:
		if body[0]&^1 != 0 {
			return nil, malformed(typ, "reserved acknowledge flags set")
		}
	case packets.Puback, packets.Pubrec, packets.Pubrel, packets.Pubcomp, packets.Unsuback:
		if cp.Details().MessageID == 0 {
			return nil, malformed(typ, "packet identifier 0")
		}
	case packets.Publish, packets.Pingreq, packets.Pingresp, packets.Disconnect:
	default:
		// The library decodes the variable-length packets (CONNECT,
		// SUBSCRIBE, SUBACK, UNSUBSCRIBE) leniently: encoding the result
		// again must give the same bytes, or the packet was not what its
		// lengths said.
		var again bytes.Buffer
		if err := cp.Write(&again); err != nil {
			return nil, malformed(typ, "%v", err)
		}
		if again.Len() < length || !bytes.Equal(again.Bytes()[again.Len()-length:], body) {
			return nil, malformed(typ, "fields do not add up to the remaining length %d", length)
		}
		if err := checkFields(cp); err != nil {
			return nil, err
		}
	}
	return cp, nil
}

// checkPublish checks a PUBLISH's topic name and packet identifier.
func checkPublish(fh packets.FixedHeader, body []byte) error {
	typ := byte(packets.Publish)
	if len(body) < 2 {
		return malformed(typ, "no topic name")
	}
	tl := int(binary.BigEndian.Uint16(body))
	need := 2 + tl
	if fh.Qos > 0 {
		need += 2
	}
	if need > len(body) {
		return malformed(typ, "topic name and packet identifier need %d bytes, the packet has %d", need, len(body))
	}
	if err := ValidTopic(string(body[2 : 2+tl])); err != nil {
		return malformed(typ, "topic name: %v", err)
	}
	if fh.Qos > 0 && binary.BigEndian.Uint16(body[2+tl:]) == 0 {
		return malformed(typ, "packet identifier 0")
	}
	return nil
}

// checkFields checks what the variable-length packets must hold.
func checkFields(cp packets.ControlPacket) error {
	switch p := cp.(type) {
	case *packets.SubscribePacket:
		if len(p.Topics) == 0 || p.MessageID == 0 {
			return malformed(packets.Subscribe, "no topic filter, or packet identifier 0")
		}
		for i, f := range p.Topics {
			if err := ValidFilter(f); err != nil {
				return malformed(packets.Subscribe, "%v", err)
			}
			if p.Qoss[i] > 2 {
				return malformed(packets.Subscribe, "requested QoS %d", p.Qoss[i])
			}
		}
	case *packets.UnsubscribePacket:
		if len(p.Topics) == 0 || p.MessageID == 0 {
			return malformed(packets.Unsubscribe, "no topic filter, or packet identifier 0")
		}
	case *packets.SubackPacket:
		if len(p.ReturnCodes) == 0 || p.MessageID == 0 {
			return malformed(packets.Suback, "no return code, or packet identifier 0")
		}
	case *packets.ConnectPacket:
		if !utf8.ValidString(p.ClientIdentifier) || !utf8.ValidString(p.Username) {
			return malformed(packets.Connect, "client identifier or user name not UTF-8")
		}
	}
	return nil
}

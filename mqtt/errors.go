package mqtt

import (
	"errors"
	"fmt"

	"github.com/eclipse/paho.mqtt.golang/packets"
)

// Errors of the client. Each is comparable with errors.Is.
var (
	// ErrClosed is returned by the methods of a client after Close, and by
	// the waits that Close ended.
	ErrClosed = errors.New("mqtt: client closed")
	// ErrHandlerSet is returned by Client.Next on a client whose
	// Config.Handler takes the messages.
	ErrHandlerSet = errors.New("mqtt: Next on a client whose messages go to Config.Handler")
	// ErrDeadLink is the reason a link is given up when nothing came from
	// the broker for the keep-alive time (Config.KeepAlive), pings
	// included: the network or the broker is gone without saying so. The
	// client reports it wrapped, with the broker's address ("mqtt: link
	// to host:port: no packet ...").
	ErrDeadLink = errors.New("no packet from the broker within the keep-alive time: link presumed dead")
	// ErrMalformed is matched by the *ProtocolError of a packet that breaks
	// the MQTT 3.1.1 framing or encoding.
	ErrMalformed = errors.New("mqtt: malformed packet")
	// ErrTooLarge is matched by the *ProtocolError of a packet larger than
	// the limit (Config.MaxPacketSize).
	ErrTooLarge = errors.New("mqtt: packet too large")
	// ErrUnexpected is matched by the *ProtocolError of a well-formed
	// packet that the broker must not send at that point.
	ErrUnexpected = errors.New("mqtt: unexpected packet")
	// ErrSubscriptionRefused is returned by Subscribe when the broker
	// refuses a filter (SUBACK return code 0x80).
	ErrSubscriptionRefused = errors.New("mqtt: subscription refused by the broker")
	// ErrQoS is returned for a quality of service the client does not
	// offer: it publishes and subscribes at QoS 0 and 1.
	ErrQoS = errors.New("mqtt: QoS must be 0 or 1")
	// ErrBadTopic is returned for a topic name or filter that MQTT does not
	// allow (empty, wildcards in a topic name, a misplaced wildcard in a
	// filter, more than 65535 bytes, or not UTF-8).
	ErrBadTopic = errors.New("mqtt: invalid topic")
)

// The broker's reasons for refusing a connection (the CONNACK return codes
// of MQTT 3.1.1); a *ConnectError matches the one it carries.
var (
	ErrBadProtocolVersion = errors.New("mqtt: connection refused: unacceptable protocol version")
	ErrIdentifierRejected = errors.New("mqtt: connection refused: client identifier rejected")
	ErrServerUnavailable  = errors.New("mqtt: connection refused: server unavailable")
	ErrBadCredentials     = errors.New("mqtt: connection refused: bad user name or password")
	ErrNotAuthorized      = errors.New("mqtt: connection refused: not authorized")
)

// ConnectError is the error of a connection the broker refused: its
// CONNACK carried a non-zero return code. It matches the Err... variable of
// that code with errors.Is (ErrBadCredentials for 4, and so on).
type ConnectError struct {
	Code byte // the CONNACK return code, 1 to 5 (other values are reserved)
}

func (e *ConnectError) reason() error {
	switch e.Code {
	case packets.ErrRefusedBadProtocolVersion:
		return ErrBadProtocolVersion
	case packets.ErrRefusedIDRejected:
		return ErrIdentifierRejected
	case packets.ErrRefusedServerUnavailable:
		return ErrServerUnavailable
	case packets.ErrRefusedBadUsernameOrPassword:
		return ErrBadCredentials
	case packets.ErrRefusedNotAuthorised:
		return ErrNotAuthorized
	}
	return nil
}

// Error says why the broker refused, with the code.
func (e *ConnectError) Error() string {
	if r := e.reason(); r != nil {
		return fmt.Sprintf("%v (CONNACK return code %d)", r, e.Code)
	}
	return fmt.Sprintf("mqtt: connection refused with reserved CONNACK return code %d", e.Code)
}

// Is reports whether target is the reason of e's code.
func (e *ConnectError) Is(target error) bool {
	r := e.reason()
	return r != nil && r == target
}

// ProtocolError is the error of a packet from the peer that breaks the
// protocol: malformed (ErrMalformed), larger than the limit (ErrTooLarge),
// or not expected (ErrUnexpected). The client closes the link on it, and
// reconnects.
type ProtocolError struct {
	Kind   error  // ErrMalformed, ErrTooLarge or ErrUnexpected
	Packet string // the packet type, e.g. "PUBLISH", or "" if unknown
	Detail string // what is wrong
}

// Error describes the fault.
func (e *ProtocolError) Error() string {
	s := e.Kind.Error()
	if e.Packet != "" {
		s += " (" + e.Packet + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the kind, so that errors.Is(err, ErrMalformed) and the like
// hold.
func (e *ProtocolError) Unwrap() error { return e.Kind }

func malformed(typ byte, format string, args ...any) error {
	return &ProtocolError{Kind: ErrMalformed, Packet: packets.PacketNames[typ], Detail: fmt.Sprintf(format, args...)}
}

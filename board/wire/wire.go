// Package wire is the line protocol between a program's simulated board and
// a viewer that shows it (the web page and terminal views of cmd/board).
//
// A viewer starts the program with the environment variable named by EnvAddr
// set to a TCP address on the loopback interface. The program's first
// simulated board (board.NewSim) connects to it, makes the loop's clock a
// paced virtual clock (asyncio.Pace), and from then on the two exchange
// Messages, one JSON object per line, over that connection:
//
//   - program to viewer: Hello (once), Part (when a part is added or its
//     description changes), Level (each change of a part's level, with the
//     loop's time), Clock (the clock's time, speed and pause, when they
//     change and a few times a second while it runs), Error (a message the
//     program could not obey);
//   - viewer to program: Press and Release (a button), Drive (an input
//     pin's level), Speed, Pause, Resume and Step (the pace of the clock).
//
// What the program prints and reads (its standard output and input) is its
// serial console; it does not go over this connection.
package wire

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// EnvAddr is the environment variable that tells a program's simulated
// board where its viewer listens ("127.0.0.1:port").
const EnvAddr = "ASYNCIO_BOARD_VIEW"

// The clock a viewer starts the program with: EnvSpeed is a positive
// number, 1 for real time; EnvPaused is "1" to start paused.
const (
	EnvSpeed  = "ASYNCIO_BOARD_SPEED"
	EnvPaused = "ASYNCIO_BOARD_PAUSED"
)

// Version is the protocol version a Hello carries.
const Version = 1

// MaxLine is the longest line either side accepts, newline included.
const MaxLine = 64 << 10

// Type is the kind of a Message.
type Type string

// Messages from the program.
const (
	Hello Type = "hello" // Board: the board's name; Value: Version
	Part  Type = "part"  // Name, Kind, Colour, ActiveLow, Output, Width, Value (the level now)
	Level Type = "level" // Name, At, Value
	Clock Type = "clock" // At, Speed, Paused
	Error Type = "error" // Text
)

// Messages from the viewer.
const (
	Press   Type = "press"   // Name: a button
	Release Type = "release" // Name: a button
	Drive   Type = "drive"   // Name: an input pin; Value: 0 or 1
	Speed   Type = "speed"   // Speed: a positive finite number, 1 for real time
	Pause   Type = "pause"
	Resume  Type = "resume"
	Step    Type = "step"
)

// Part kinds, as board files name them.
const (
	KindLED    = "led"
	KindPWMLED = "pwm-led"
	KindButton = "button"
	KindPin    = "pin"
)

// Message is one line of the protocol. Which fields a message carries
// depends on its Type; the others are zero and left out of the JSON.
type Message struct {
	Type      Type    `json:"t"`
	Board     string  `json:"board,omitempty"`
	Name      string  `json:"name,omitempty"`
	Kind      string  `json:"kind,omitempty"`
	Colour    string  `json:"colour,omitempty"`
	ActiveLow bool    `json:"activeLow,omitempty"`
	Output    bool    `json:"output,omitempty"` // a pin configured as an output, which a viewer cannot drive
	Width     int     `json:"width,omitempty"`  // bits of a vector signal (a PWM duty in percent: 7); 0 for one bit
	At        int64   `json:"at,omitempty"`     // the loop's time, in nanoseconds
	Value     int     `json:"value,omitempty"`
	Speed     float64 `json:"speed,omitempty"`
	Paused    bool    `json:"paused,omitempty"`
	Text      string  `json:"text,omitempty"`
}

// Time returns At as a duration.
func (m Message) Time() time.Duration { return time.Duration(m.At) }

// ErrMalformed is matched by every error about a line that is not a valid
// message.
var ErrMalformed = errors.New("wire: malformed message")

// Check reports what is wrong with m, if anything: an unknown type, or a
// field its type needs missing or out of range. The error matches
// ErrMalformed.
func (m Message) Check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %q: %s", ErrMalformed, m.Type, fmt.Sprintf(format, a...))
	}
	switch m.Type {
	case Hello, Error, Pause, Resume, Step:
	case Part:
		if m.Name == "" {
			return bad("no name")
		}
		switch m.Kind {
		case KindLED, KindPWMLED, KindButton, KindPin:
		default:
			return bad("unknown kind %q", m.Kind)
		}
	case Level, Press, Release:
		if m.Name == "" {
			return bad("no name")
		}
	case Drive:
		if m.Name == "" {
			return bad("no name")
		}
		if m.Value != 0 && m.Value != 1 {
			return bad("value %d, want 0 or 1", m.Value)
		}
	case Speed:
		if !(m.Speed > 0) || math.IsInf(m.Speed, 1) {
			return bad("speed %v, want a positive finite number", m.Speed)
		}
	case Clock:
	case "":
		return fmt.Errorf("%w: no type", ErrMalformed)
	default:
		return bad("unknown type")
	}
	return nil
}

// Encoder writes messages, one line each.
type Encoder struct{ w io.Writer }

// NewEncoder returns an encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w} }

// Encode writes m as one line.
func (e *Encoder) Encode(m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = e.w.Write(append(b, '\n'))
	return err
}

// Decoder reads messages, one line each.
type Decoder struct{ sc *bufio.Scanner }

// NewDecoder returns a decoder that reads from r, lines of up to MaxLine
// bytes.
func NewDecoder(r io.Reader) *Decoder {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLine)
	return &Decoder{sc}
}

// Decode reads the next line. It returns io.EOF at the end of input; an
// error matching ErrMalformed for a line that is not a valid message (the
// decoder can go on with the next line); and another error, after which it
// cannot go on, if reading failed or a line is longer than MaxLine.
func (d *Decoder) Decode() (Message, error) {
	for d.sc.Scan() {
		line := d.sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var m Message
		if err := json.Unmarshal(line, &m); err != nil {
			return Message{}, fmt.Errorf("%w: %q: %v", ErrMalformed, truncate(line), err)
		}
		if err := m.Check(); err != nil {
			return Message{}, err
		}
		return m, nil
	}
	if err := d.sc.Err(); err != nil {
		return Message{}, fmt.Errorf("wire: %w", err)
	}
	return Message{}, io.EOF
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

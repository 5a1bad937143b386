// Package wire is the line protocol between a program's simulated board and
// a viewer that shows it (the web page and terminal views of cmd/board). It
// is the module's own: the board, package view and cmd/board speak it.
//
// A viewer starts the program with the environment variable named by EnvAddr
// set to a secret of the run and a TCP address on the loopback interface,
// "secret@127.0.0.1:port" (FormatAddr). The program's first simulated board
// (board.NewSim) makes the loop's clock a paced virtual clock (asyncio.Pace),
// held still until it has connected, connects to that address on a
// goroutine of its own, and from then on the two exchange Messages, one JSON
// object per line, over that connection:
//
//   - program to viewer: Hello (first, carrying the secret as Token; again
//     for a rename), Part (when a part is added or its
//     description changes), Level (each change of a part's level, with the
//     loop's time), Clock (the clock's time, speed and pause, and how many
//     Steps have ended, when they change and a few times a second while it
//     runs), Error (a message the program could not obey), Task (a change
//     of a task's state, when the
//     viewer shows the scheduler: see Task), Frame and Colours (a
//     display's picture, an LED strip's colours);
//   - viewer to program: Press and Release (a button), Drive (an input
//     pin's level), Speed, Pause, Resume and Step (the pace of the clock;
//     a Step runs a paused clock to the next change of a level), Where
//     (each task's await point, answered with a Task per live task).
//
// What the program prints and reads (its standard output and input) is its
// serial console; it does not go over this connection.
//
// # Safe by default
//
// Whoever is at the other end of the connection sees every level and can
// press the board's buttons and stop its clock, so neither side trusts the
// other blindly. The viewer takes a connection only if its first line is a
// Hello with the run's secret, sent within a few seconds; any other
// connection (another local process that found the port) is closed, and a
// new secret is made for each run. The program connects only to a loopback
// address (an IP address, or "localhost"; no name is looked up) unless
// EnvRemote is "1", and refuses a value without a secret, saying so on
// standard error and running without a viewer. Lines are at most MaxLine
// bytes and names at most MaxName; a viewer keeps at most MaxParts parts and
// MaxTasks tasks.
package wire

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"time"

	"github.com/goasyncio/asyncio/internal/partkind"
)

// EnvAddr is the environment variable that tells a program's simulated
// board where its viewer listens and the secret of the run, as FormatAddr
// writes them: "secret@127.0.0.1:port".
const EnvAddr = "ASYNCIO_BOARD_VIEW"

// EnvRemote, set to "1", lets a program connect to a viewer at an address
// that is not on the loopback interface. Without it the board refuses such
// an address: a program's board is shown only on its own machine unless
// someone asked otherwise.
const EnvRemote = "ASYNCIO_BOARD_VIEW_REMOTE"

// MinTokenLen is the length of the shortest secret ParseAddr accepts; a
// NewToken is 32 hexadecimal digits.
const MinTokenLen = 16

// NewToken returns a fresh random secret for a run: 128 bits in hex.
func NewToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand panics on a broken system source)
	return hex.EncodeToString(b)
}

// FormatAddr is the value of EnvAddr for a viewer listening on addr
// ("127.0.0.1:port") whose run's secret is token.
func FormatAddr(token, addr string) string { return token + "@" + addr }

// ParseAddr splits a value of EnvAddr into the secret and the address, and
// checks them: the secret is at least MinTokenLen characters of letters and
// digits, and the address a host:port whose host is an IP address or
// "localhost" (no name is looked up, so connecting does not wait for a
// resolver), on the loopback interface unless remote. Its errors say what
// is wrong.
func ParseAddr(v string, remote bool) (token, addr string, err error) {
	token, addr, ok := strings.Cut(v, "@")
	if !ok {
		return "", "", fmt.Errorf("%q has no secret: want secret@host:port, as the viewer sets it", v)
	}
	if len(token) < MinTokenLen {
		return "", "", fmt.Errorf("the secret is %d characters, want at least %d", len(token), MinTokenLen)
	}
	for _, r := range token {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return "", "", fmt.Errorf("the secret has %q: want letters and digits", r)
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("address %q: %v", addr, err)
	}
	if port == "" || port == "0" {
		return "", "", fmt.Errorf("address %q has no port", addr)
	}
	ip := net.ParseIP(host)
	switch {
	case strings.EqualFold(host, "localhost"):
	case ip == nil:
		return "", "", fmt.Errorf("address %q: the host must be an IP address or localhost", addr)
	case !ip.IsLoopback() && !remote:
		return "", "", fmt.Errorf("address %q is not on the loopback interface (set %s=1 to allow it)", addr, EnvRemote)
	}
	return token, addr, nil
}

// TokenMatches reports whether got is the secret want, in time that does
// not depend on where they differ.
func TokenMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// The clock a viewer starts the program with: EnvSpeed is a positive
// number, 1 for real time; EnvPaused is "1" to start paused.
const (
	EnvSpeed  = "ASYNCIO_BOARD_SPEED"
	EnvPaused = "ASYNCIO_BOARD_PAUSED"
)

// Version is the protocol version a Hello carries.
const Version = 1

// MaxLine is the longest line either side accepts, newline included.
const MaxLine = 8 << 10

// MaxName is the longest name (of a part or a board) a message may carry,
// in bytes.
const MaxName = 256

// MaxParts is how many parts a viewer keeps for one run; it ignores the
// parts a board adds beyond them, and says so.
const MaxParts = 1024

// The speeds a viewer may ask for (Speed); Check refuses others.
const (
	MinSpeed = 1e-3
	MaxSpeed = 1e3
)

// Type is the kind of a Message.
type Type string

// Messages from the program.
const (
	Hello Type = "hello" // Board: the board's name; Value: Version; Token: the run's secret
	Part  Type = "part"  // Name, Kind, Colour, ActiveLow, Output, Width, Value (the level now)
	Level Type = "level" // Name, At, Value
	Clock Type = "clock" // At, Speed, Paused, Steps
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
	Step    Type = "step" // run a paused clock to the next change of a level or a strip's colours (see MaxStepDeadlines)
	// Set sets an analogue input or a sensor's reading: Name; Value (a
	// potentiometer's 0 to 65535, or for a sensor the reading Field names:
	// "temperature" in m°C, "humidity" in hundredths of a percent,
	// "pressure" in Pa).
	Set Type = "set"
	// Where asks for each live task's await point: the board answers with
	// a Task for each, its Where set. Finding them reads every
	// goroutine's stack, so the board does it only when asked.
	Where Type = "where"
)

// Frame is a display's picture, from the program: Name, Width, Height and
// Data, the pixels row by row, eight a byte, the most significant bit
// leftmost, a set bit lit, in standard base64 (EncodePixels, Pixels).
const Frame Type = "frame"

// Colours is an LED strip's colours, from the program: Name, Width (how
// many LEDs) and Data, three bytes per LED, red, green and blue, the first
// LED's first, in standard base64 (EncodePixels, Pixels). At most
// MaxStripLEDs LEDs.
const Colours Type = "colours"

// MaxStripLEDs is the longest strip a Colours message may carry.
const MaxStripLEDs = 1024

// Task is a change of a task's state on the program's loop, from the
// program: ID (the board's number for the task, unique in the run), Name (the
// task's name, sent with every change), At (the loop's time), State (one of
// the Task states below), Text (for a waiting or sleeping task what it waits
// for, its await point: "waiting for an event", "sleeping until 1.000s"), and
// in the change that ends a run (a running task that stops), Wall, how long
// that run took in real time, in nanoseconds: on the board's paced virtual
// clock a run takes no time on the loop's clock, and Wall is what shows a
// task that blocks the loop. In answer to a Where, Where is the task's
// await point: the function and the file:line it paused at.
const Task Type = "task"

// Task states, as a Task carries them.
const (
	TaskNew      = "new"      // created, not started
	TaskReady    = "ready"    // waiting for its turn
	TaskRunning  = "running"  // running
	TaskWaiting  = "waiting"  // waiting for something (Text)
	TaskSleeping = "sleeping" // sleeping (Text says until when)
	TaskDone     = "done"     // finished
)

// Limits of Task messages: a task's Text is at most MaxTaskText bytes, its
// ID below MaxTaskID, its Wall at most MaxTaskWall; a viewer keeps at most
// MaxTasks tasks of a run, forgetting finished ones first.
const (
	MaxTaskText = 512
	MaxTaskID   = 1 << 40
	MaxTaskWall = int64(24 * time.Hour)
	MaxTasks    = 256
)

// MaxFrameSide is the widest and tallest display a Frame may carry.
const MaxFrameSide = 256

// A Step runs a paused clock from deadline to deadline until one at which a
// part's level changes, through at most MaxStepDeadlines deadlines and
// MaxStepSpan of the clock's time.
const (
	MaxStepDeadlines = 1 << 16
	MaxStepSpan      = 10 * time.Second
)

// Message is one line of the protocol. Which fields a message carries
// depends on its Type; the others are zero and left out of the JSON.
type Message struct {
	Type  Type   `json:"t"`
	Board string `json:"board,omitempty"`
	Name  string `json:"name,omitempty"`
	// Kind is a Part's kind, as package internal/partkind names it; Value
	// is an LED's or pin's level, a PWM LED's duty in percent, a
	// potentiometer's reading (0 to 65535, Width 16), a bme280's
	// temperature in m°C; an ssd1306's Width and Height are its size,
	// and a Frame its picture.
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
	Token     string  `json:"token,omitempty"`  // in a Hello: the run's secret (see EnvAddr)
	Height    int     `json:"height,omitempty"` // a display's height (Part, Frame)
	Data      string  `json:"data,omitempty"`   // a Frame's pixels, in base64 (EncodePixels)
	Field     string  `json:"field,omitempty"`  // which reading a Set sets
	ID        int64   `json:"id,omitempty"`     // a Task's task
	State     string  `json:"state,omitempty"`  // a Task's state
	Wall      int64   `json:"wall,omitempty"`   // a Task's run's real duration, in nanoseconds
	Where     string  `json:"where,omitempty"`  // a Task's await point, in answer to a Where
	// Steps, in a Clock, is how many Steps of this connection the program
	// has finished: each has been taken (or did nothing, on a running
	// clock), everything due at the time it stopped at has run, and what
	// the program printed meanwhile was written before this Clock was
	// sent. A viewer that has sent more is waiting for a step.
	Steps int64 `json:"steps,omitempty"`
}

// Time returns At as a duration.
func (m Message) Time() time.Duration { return time.Duration(m.At) }

// EncodePixels encodes a Frame's pixels for Data.
func EncodePixels(p []byte) string { return base64.StdEncoding.EncodeToString(p) }

// Pixels decodes a Frame's Data.
func (m Message) Pixels() ([]byte, error) { return base64.StdEncoding.DecodeString(m.Data) }

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
	if len(m.Name) > MaxName {
		return bad("a name of %d bytes, want at most %d", len(m.Name), MaxName)
	}
	if len(m.Board) > MaxName {
		return bad("a board name of %d bytes, want at most %d", len(m.Board), MaxName)
	}
	switch m.Type {
	case Hello, Error, Pause, Resume, Step, Where:
	case Part:
		if m.Name == "" {
			return bad("no name")
		}
		if !partkind.Valid(m.Kind) {
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
		if !(m.Speed >= MinSpeed && m.Speed <= MaxSpeed) || math.IsInf(m.Speed, 1) {
			return bad("speed %v, want %v to %v", m.Speed, MinSpeed, MaxSpeed)
		}
	case Set:
		if m.Name == "" {
			return bad("no name")
		}
	case Frame:
		if m.Name == "" {
			return bad("no name")
		}
		if m.Width <= 0 || m.Height <= 0 || m.Width > MaxFrameSide || m.Height > MaxFrameSide || m.Width%8 != 0 {
			return bad("a frame of %dx%d, want a width that is a multiple of 8 and sides of 1 to %d", m.Width, m.Height, MaxFrameSide)
		}
		px, err := m.Pixels()
		if err != nil {
			return bad("pixels: %v", err)
		}
		if len(px) != m.Width*m.Height/8 {
			return bad("%d bytes of pixels for %dx%d, want %d", len(px), m.Width, m.Height, m.Width*m.Height/8)
		}
	case Colours:
		if m.Name == "" {
			return bad("no name")
		}
		if m.Width < 1 || m.Width > MaxStripLEDs {
			return bad("a strip of %d LEDs, want 1 to %d", m.Width, MaxStripLEDs)
		}
		px, err := m.Pixels()
		if err != nil {
			return bad("colours: %v", err)
		}
		if len(px) != 3*m.Width {
			return bad("%d bytes of colours for %d LEDs, want %d", len(px), m.Width, 3*m.Width)
		}
	case Task:
		if m.Name == "" {
			return bad("no name")
		}
		if m.ID < 0 || m.ID >= MaxTaskID {
			return bad("task id %d, want 0 to %d", m.ID, int64(MaxTaskID-1))
		}
		switch m.State {
		case TaskNew, TaskReady, TaskRunning, TaskWaiting, TaskSleeping, TaskDone:
		default:
			return bad("unknown task state %q", m.State)
		}
		if len(m.Text) > MaxTaskText {
			return bad("a text of %d bytes, want at most %d", len(m.Text), MaxTaskText)
		}
		if len(m.Where) > MaxTaskText {
			return bad("an await point of %d bytes, want at most %d", len(m.Where), MaxTaskText)
		}
		if m.Wall < 0 || m.Wall > MaxTaskWall {
			return bad("a run of %v, want 0 to %v", time.Duration(m.Wall), time.Duration(MaxTaskWall))
		}
		if m.At < 0 {
			return bad("a time of %v, want 0 or later", time.Duration(m.At))
		}
	case Clock:
		if m.Steps < 0 {
			return bad("%d steps, want 0 or more", m.Steps)
		}
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

package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kind is the kind of a step, its key in the file.
type Kind string

// The kinds of step. Inputs act at once; waits and windows move the clock
// on; expectations look at the board now or over a window.
const (
	Press          Kind = "press"            // press a button
	Release        Kind = "release"          // release a button
	Hold           Kind = "hold"             // press a button, and release it For later
	SetPin         Kind = "set-pin"          // drive an input pin high or low, or float it
	Type           Kind = "type"             // type a line on the serial console
	Delay          Kind = "delay"            // let the clock run For
	WaitPin        Kind = "wait-pin"         // wait until a pin reads Level, at most Timeout
	WaitLED        Kind = "wait-led"         // wait until an LED is lit (or out), at most Timeout
	WaitSerial     Kind = "wait-serial"      // wait for a console line, at most Timeout
	ExpectPin      Kind = "expect-pin"       // a pin reads Level now
	ExpectLED      Kind = "expect-led"       // an LED is lit (or out) now
	ExpectPeriod   Kind = "expect-period"    // a part toggles regularly over a window
	ExpectDuty     Kind = "expect-duty"      // a part is lit (high) a share of a window
	ExpectResponse Kind = "expect-response"  // an LED (pin) reacts to the last input within a time
	ExpectSerial   Kind = "expect-serial"    // a console line was printed since the last serial step
	ExpectNoChange Kind = "expect-no-change" // nothing changes over a window
)

// kinds lists every kind, in the order the reference documents them.
var kinds = []Kind{Press, Release, Hold, SetPin, Type, Delay, WaitPin, WaitLED, WaitSerial,
	ExpectPin, ExpectLED, ExpectPeriod, ExpectDuty, ExpectResponse, ExpectSerial, ExpectNoChange}

// Kinds returns every kind of step.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// Step is one step of a scenario. Which fields it uses depends on its Kind.
type Step struct {
	Kind  Kind
	Name  string // the step's own name, if the file gives one
	Line  int    // its line in the file
	Index int    // its number, from 1

	Part      string         // the button, pin or LED (for the led form, LED is set)
	LED       bool           // the part was named with "led": its light, not its pin's level
	Parts     []string       // expect-no-change: the parts watched; none means all
	Level     int            // 0 or 1; set-pin: -1 floats the pin
	On        bool           // an LED's state
	Text      string         // type: the line; serial steps: the exact line
	Match     *regexp.Regexp // serial steps: a line matching this instead
	For       time.Duration  // hold, delay, window steps: how long
	Timeout   time.Duration  // waits: at most this long
	Within    time.Duration  // expect-response
	Every     time.Duration  // expect-period: between two toggles
	Period    time.Duration  // expect-period: between two rising (lit) edges
	Tolerance time.Duration  // expect-period
	Duty      float64        // expect-duty: percent
	DutyTol   float64        // expect-duty: percent either side
}

// Title is how reports name the step: its own name, or a summary.
func (s Step) Title() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Summary()
}

// Summary describes the step in one line, as the file says it.
func (s Step) Summary() string {
	what := s.Part
	if s.LED {
		what = "LED " + s.Part
	}
	state := func(on bool) string {
		if on {
			return "on"
		}
		return "off"
	}
	serial := func() string {
		if s.Match != nil {
			return "/" + s.Match.String() + "/"
		}
		return strconv.Quote(s.Text)
	}
	switch s.Kind {
	case Press, Release:
		return fmt.Sprintf("%s %s", s.Kind, s.Part)
	case Hold:
		return fmt.Sprintf("hold %s for %v", s.Part, s.For)
	case SetPin:
		lv := strconv.Itoa(s.Level)
		if s.Level < 0 {
			lv = "float"
		}
		return fmt.Sprintf("set pin %s %s", s.Part, lv)
	case Type:
		return fmt.Sprintf("type %q", s.Text)
	case Delay:
		return fmt.Sprintf("delay %v", s.For)
	case WaitPin:
		return fmt.Sprintf("wait for pin %s = %d (timeout %v)", s.Part, s.Level, s.Timeout)
	case WaitLED:
		return fmt.Sprintf("wait for LED %s %s (timeout %v)", s.Part, state(s.On), s.Timeout)
	case WaitSerial:
		return fmt.Sprintf("wait for serial %s (timeout %v)", serial(), s.Timeout)
	case ExpectPin:
		return fmt.Sprintf("expect pin %s = %d", s.Part, s.Level)
	case ExpectLED:
		return fmt.Sprintf("expect LED %s %s", s.Part, state(s.On))
	case ExpectPeriod:
		if s.Every > 0 {
			return fmt.Sprintf("expect %s to toggle every %v ± %v for %v", what, s.Every, s.Tolerance, s.For)
		}
		return fmt.Sprintf("expect %s to have period %v ± %v for %v", what, s.Period, s.Tolerance, s.For)
	case ExpectDuty:
		return fmt.Sprintf("expect %s duty %g%% ± %g for %v", what, s.Duty, s.DutyTol, s.For)
	case ExpectResponse:
		if s.LED {
			return fmt.Sprintf("expect LED %s %s within %v of the last input", s.Part, state(s.On), s.Within)
		}
		return fmt.Sprintf("expect pin %s = %d within %v of the last input", s.Part, s.Level, s.Within)
	case ExpectSerial:
		return fmt.Sprintf("expect serial %s", serial())
	case ExpectNoChange:
		parts := "any part"
		if len(s.Parts) > 0 {
			parts = strings.Join(s.Parts, ", ")
		}
		return fmt.Sprintf("expect no change of %s for %v", parts, s.For)
	}
	return string(s.Kind)
}

// Scenario is a parsed scenario file.
type Scenario struct {
	Name  string // its name; the file's base name if it gives none
	File  string // the file it was read from, if any
	Board string // "lab" (the lecture's board), or a board file, as the file says
	// Program is the program cmd/board test runs when none is named: a
	// built-in lab or a package directory (relative to the file's).
	Program string
	Steps   []Step
}

// BoardFile returns the board file the scenario names, relative to the
// scenario file's directory, or "" for the lab board.
func (sc *Scenario) BoardFile() string {
	if sc.Board == "" || sc.Board == "lab" {
		return ""
	}
	if filepath.IsAbs(sc.Board) || sc.File == "" {
		return sc.Board
	}
	return filepath.Join(filepath.Dir(sc.File), sc.Board)
}

// ReadFile reads and parses the scenario file at path.
func ReadFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc.File = path
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return sc, nil
}

// Parse parses a scenario file's YAML. Its errors name the line, and the
// step for a problem within a step; every problem found is reported.
func Parse(data []byte) (*Scenario, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("scenario: empty file")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("scenario: line %d: want a mapping with name, board and steps", root.Line)
	}
	sc := &Scenario{Board: "lab"}
	var errs []error
	fail := func(n *yaml.Node, format string, a ...any) {
		errs = append(errs, fmt.Errorf("line %d: %s", n.Line, fmt.Sprintf(format, a...)))
	}
	var steps *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			sc.Name = v.Value
		case "board":
			sc.Board = v.Value
		case "program":
			sc.Program = v.Value
		case "steps":
			steps = v
		default:
			fail(k, "unknown field %q (name, board, program or steps)", k.Value)
		}
	}
	switch {
	case steps == nil:
		fail(root, "no steps")
	case steps.Kind != yaml.SequenceNode:
		fail(steps, "steps: want a list")
	default:
		for i, n := range steps.Content {
			st, err := parseStep(n, i+1)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			sc.Steps = append(sc.Steps, st)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return sc, nil
}

// fields is a step's mapping, its keys checked off as they are read.
type fields struct {
	step  *Step
	nodes map[string]*yaml.Node
	keys  map[string]*yaml.Node
	used  map[string]bool
	errs  []error
}

func (f *fields) fail(n *yaml.Node, format string, a ...any) {
	f.errs = append(f.errs, fmt.Errorf("line %d: step %d (%s): %s", n.Line, f.step.Index, f.step.Kind, fmt.Sprintf(format, a...)))
}

func (f *fields) get(name string) *yaml.Node {
	f.used[name] = true
	return f.nodes[name]
}

func (f *fields) str(name string, required bool, at *yaml.Node) string {
	n := f.get(name)
	if n == nil {
		if required {
			f.fail(at, "%s is missing", name)
		}
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		f.fail(n, "%s: want a name or text", name)
	}
	return n.Value
}

func (f *fields) dur(name string, required bool, at *yaml.Node) time.Duration {
	n := f.get(name)
	if n == nil {
		if required {
			f.fail(at, "%s is missing (a time such as 500ms, 1.5s or 2)", name)
		}
		return 0
	}
	d, err := parseDuration(n.Value)
	if err != nil {
		f.fail(n, "%s: %v", name, err)
	}
	return d
}

// parseDuration reads a Go duration ("500ms", "1m30s") or seconds ("1.5").
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		sec, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || sec != sec || sec > 1e9 {
			return 0, fmt.Errorf("%q is not a time (write 500ms, 1.5s or 2 for seconds)", s)
		}
		d = time.Duration(sec * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("negative time %q", s)
	}
	return d, nil
}

func parseLevel(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "1", "high", "true":
		return 1, true
	case "0", "low", "false":
		return 0, true
	}
	return 0, false
}

func parseState(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "on", "lit", "true":
		return true, true
	case "off", "out", "false":
		return false, true
	}
	return false, false
}

func parseStep(n *yaml.Node, index int) (Step, error) {
	st := Step{Index: index, Line: n.Line}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return st, fmt.Errorf("line %d: step %d: want a mapping such as {press: button}", n.Line, index)
	}
	var action, value *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "name" {
			st.Name = v.Value
			continue
		}
		if action != nil {
			return st, fmt.Errorf("line %d: step %d: %q and %q in one step: one action a step", k.Line, index, action.Value, k.Value)
		}
		action, value = k, v
	}
	if action == nil {
		return st, fmt.Errorf("line %d: step %d: no action", n.Line, index)
	}
	st.Kind, st.Line = Kind(action.Value), action.Line
	known := false
	for _, k := range kinds {
		known = known || k == st.Kind
	}
	if !known {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		return st, fmt.Errorf("line %d: step %d: unknown step %q (one of %s)", action.Line, index, action.Value, strings.Join(names, ", "))
	}
	f := &fields{step: &st, nodes: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, used: map[string]bool{}}
	// The short forms: "press: button", "type: hello", "delay: 1s".
	if value.Kind == yaml.ScalarNode {
		short := map[Kind]string{Press: "button", Release: "button", Type: "text", Delay: "for"}
		key, ok := short[st.Kind]
		if !ok {
			return st, fmt.Errorf("line %d: step %d (%s): want a mapping of its fields, e.g. %s", value.Line, index, st.Kind, example(st.Kind))
		}
		f.nodes[key], f.keys[key] = value, value
	} else if value.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(value.Content); i += 2 {
			f.nodes[value.Content[i].Value] = value.Content[i+1]
			f.keys[value.Content[i].Value] = value.Content[i]
		}
	} else {
		return st, fmt.Errorf("line %d: step %d (%s): want a mapping of its fields, e.g. %s", value.Line, index, st.Kind, example(st.Kind))
	}

	// target reads the part: "led" (its light) or "pin" (its level), or
	// "button" for the inputs.
	target := func(allowLED, allowPin bool) {
		led, pin := f.get("led"), f.get("pin")
		switch {
		case led != nil && pin != nil:
			f.fail(led, "led and pin: name one part")
		case led != nil && allowLED:
			st.Part, st.LED = f.str("led", true, value), true
		case pin != nil && allowPin:
			st.Part = f.str("pin", true, value)
		case allowLED && allowPin:
			f.fail(value, "led or pin is missing")
		case allowLED:
			f.fail(value, "led is missing")
		default:
			f.fail(value, "pin is missing")
		}
	}
	level := func(required bool) {
		n := f.get("level")
		if n == nil {
			if required {
				f.fail(value, "level is missing (0 or 1)")
			}
			return
		}
		v, ok := parseLevel(n.Value)
		if !ok {
			f.fail(n, "level %q: want 0, 1, low or high", n.Value)
		}
		st.Level = v
	}
	state := func() {
		n := f.get("state")
		if n == nil {
			f.fail(value, "state is missing (on or off)")
			return
		}
		v, ok := parseState(n.Value)
		if !ok {
			f.fail(n, "state %q: want on or off", n.Value)
		}
		st.On = v
	}
	serial := func() {
		text, match := f.get("text"), f.get("match")
		switch {
		case text != nil && match != nil:
			f.fail(text, "text and match: give one")
		case text != nil:
			st.Text = text.Value
		case match != nil:
			re, err := regexp.Compile(match.Value)
			if err != nil {
				f.fail(match, "match: %v", err)
			}
			st.Match = re
		default:
			f.fail(value, "text or match is missing")
		}
	}
	positive := func(name string, d time.Duration) {
		if d <= 0 && f.nodes[name] != nil {
			f.fail(f.nodes[name], "%s must be more than 0", name)
		}
	}

	switch st.Kind {
	case Press, Release:
		st.Part = f.str("button", true, value)
	case Hold:
		st.Part = f.str("button", true, value)
		st.For = f.dur("for", true, value)
	case SetPin:
		st.Part = f.str("pin", true, value)
		n := f.get("level")
		if n == nil {
			f.fail(value, "level is missing (0, 1 or float)")
		} else if strings.EqualFold(n.Value, "float") {
			st.Level = -1
		} else if v, ok := parseLevel(n.Value); ok {
			st.Level = v
		} else {
			f.fail(n, "level %q: want 0, 1, low, high or float", n.Value)
		}
	case Type:
		n := f.get("text")
		if n == nil {
			f.fail(value, "text is missing")
		} else {
			st.Text = n.Value
		}
	case Delay:
		st.For = f.dur("for", true, value)
	case WaitPin:
		st.Part = f.str("pin", true, value)
		level(true)
		st.Timeout = f.dur("timeout", true, value)
	case WaitLED:
		st.Part, st.LED = f.str("led", true, value), true
		state()
		st.Timeout = f.dur("timeout", true, value)
	case WaitSerial:
		serial()
		st.Timeout = f.dur("timeout", true, value)
	case ExpectPin:
		st.Part = f.str("pin", true, value)
		level(true)
	case ExpectLED:
		st.Part, st.LED = f.str("led", true, value), true
		state()
	case ExpectPeriod:
		target(true, true)
		st.Every = f.dur("every", false, value)
		st.Period = f.dur("period", false, value)
		if (st.Every > 0) == (st.Period > 0) {
			f.fail(value, "give one of every (between toggles) or period (a whole cycle), more than 0")
		}
		st.Tolerance = f.dur("tolerance", true, value)
		st.For = f.dur("for", true, value)
		positive("for", st.For)
	case ExpectDuty:
		target(true, true)
		n := f.get("duty")
		if n == nil {
			f.fail(value, "duty is missing (a percentage, e.g. 50)")
		} else if v, err := strconv.ParseFloat(strings.TrimSuffix(n.Value, "%"), 64); err != nil || v < 0 || v > 100 {
			f.fail(n, "duty %q: want a percentage from 0 to 100", n.Value)
		} else {
			st.Duty = v
		}
		if n := f.get("tolerance"); n == nil {
			f.fail(value, "tolerance is missing (percentage points either side)")
		} else if v, err := strconv.ParseFloat(strings.TrimSuffix(n.Value, "%"), 64); err != nil || v < 0 {
			f.fail(n, "tolerance %q: want percentage points, e.g. 2", n.Value)
		} else {
			st.DutyTol = v
		}
		st.For = f.dur("for", true, value)
		positive("for", st.For)
	case ExpectResponse:
		target(true, true)
		if st.LED {
			state()
		} else {
			level(true)
		}
		st.Within = f.dur("within", true, value)
	case ExpectSerial:
		serial()
	case ExpectNoChange:
		if n := f.get("parts"); n != nil {
			if n.Kind != yaml.SequenceNode {
				f.fail(n, "parts: want a list of part names")
			}
			for _, p := range n.Content {
				st.Parts = append(st.Parts, p.Value)
			}
		}
		if p := f.str("part", false, value); p != "" {
			st.Parts = append(st.Parts, p)
		}
		st.For = f.dur("for", true, value)
		positive("for", st.For)
	}
	var unknown []string
	for k := range f.nodes {
		if !f.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		f.fail(f.keys[k], "unknown field %q; e.g. %s", k, example(st.Kind))
	}
	return st, errors.Join(f.errs...)
}

// example is a step of the kind, as the file writes it.
func example(k Kind) string {
	switch k {
	case Press:
		return "{press: button}"
	case Release:
		return "{release: button}"
	case Hold:
		return "{hold: {button: button, for: 400ms}}"
	case SetPin:
		return "{set-pin: {pin: sensor, level: 1}}"
	case Type:
		return `{type: "led on"}`
	case Delay:
		return "{delay: 500ms}"
	case WaitPin:
		return "{wait-pin: {pin: red, level: 0, timeout: 2s}}"
	case WaitLED:
		return "{wait-led: {led: red, state: on, timeout: 2s}}"
	case WaitSerial:
		return `{wait-serial: {text: "ready", timeout: 1s}}`
	case ExpectPin:
		return "{expect-pin: {pin: red, level: 1}}"
	case ExpectLED:
		return "{expect-led: {led: red, state: off}}"
	case ExpectPeriod:
		return "{expect-period: {led: red, every: 1s, tolerance: 10ms, for: 10s}}"
	case ExpectDuty:
		return "{expect-duty: {led: green, duty: 50, tolerance: 2, for: 2s}}"
	case ExpectResponse:
		return "{expect-response: {led: red, state: on, within: 30ms}}"
	case ExpectSerial:
		return `{expect-serial: {match: "count=\\d+"}}`
	case ExpectNoChange:
		return "{expect-no-change: {parts: [red, green], for: 1ms}}"
	}
	return ""
}

package board

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// Action is what a script step does to a part.
type Action string

// The actions of a script.
const (
	Press   Action = "press"   // press a button
	Release Action = "release" // release a button
	Click   Action = "click"   // press a button, and release it Hold later
	High    Action = "high"    // drive a pin (or a button's pin) high
	Low     Action = "low"     // drive a pin (or a button's pin) low
	Float   Action = "float"   // stop driving a pin (or a button's pin)
)

// DefaultClickHold is how long a click step holds its button when the
// script gives no time.
const DefaultClickHold = 100 * time.Millisecond

// Step is one line of a script: at a time of the loop's clock, an action on
// a part.
type Step struct {
	At     time.Duration // when, on the loop's clock
	Part   string        // the part's name
	Action Action        // what to do
	Hold   time.Duration // for Click: how long the button stays pressed
	Line   int           // the line of the script file, for errors; 0 if none
}

// String formats the step as a script line, e.g. "3.000 button press".
func (s Step) String() string {
	line := fmt.Sprintf("%s %s %s", formatSeconds(s.At), s.Part, s.Action)
	if s.Action == Click {
		line += " " + s.Hold.String()
	}
	return line
}

// Script is scripted input for a simulated board: button presses and pin
// levels at given times, for tests and demos. Its text form has one step a
// line, fields separated by spaces:
//
//	# the lecture's button, pressed at 3 s for 400 ms
//	3.000    button  press
//	3.400    button  release
//	+1.5     button  click 200ms   # 1.5 s after the previous step
//	6s       dial-a  low
//	6.002    dial-a  float
//
// A time is seconds ("3", "3.400", up to nine decimals) or a Go duration
// ("3400ms"); with a leading '+' it counts from the previous step. The
// actions are press, release and click (buttons; click takes an optional
// hold time, DefaultClickHold if none) and high, low and float (pins, and
// the pins of buttons). '#' starts a comment. Steps need not be in time
// order; at equal times they happen in script order.
type Script []Step

// ParseScript reads a script in its text form. It returns an error naming
// the line for a malformed time, an unknown action, a missing part or extra
// fields; parts are checked when the script is played.
func ParseScript(r io.Reader) (Script, error) {
	var sc Script
	var prev time.Duration
	lines := bufio.NewScanner(r)
	for n := 1; lines.Scan(); n++ {
		text, _, _ := strings.Cut(lines.Text(), "#")
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("board: script line %d: %s", n, fmt.Sprintf(format, args...))
		}
		if len(f) < 3 {
			return nil, fail("want a time, a part and an action, got %q", strings.TrimSpace(text))
		}
		at, err := parseTime(strings.TrimPrefix(f[0], "+"))
		if err != nil {
			return nil, fail("%v", err)
		}
		if strings.HasPrefix(f[0], "+") {
			at += prev
		}
		st := Step{At: at, Part: f[1], Action: Action(f[2]), Line: n}
		extra := f[3:]
		switch st.Action {
		case Click:
			st.Hold = DefaultClickHold
			if len(extra) > 0 {
				if st.Hold, err = parseTime(extra[0]); err != nil {
					return nil, fail("click hold: %v", err)
				}
				extra = extra[1:]
			}
		case Press, Release, High, Low, Float:
		default:
			return nil, fail("unknown action %q (press, release, click, high, low or float)", f[2])
		}
		if len(extra) > 0 {
			return nil, fail("unexpected %q after the action", strings.Join(extra, " "))
		}
		sc = append(sc, st)
		prev = at
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	return sc, nil
}

// ReadScriptFile reads and parses the script file at path.
func ReadScriptFile(path string) (Script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc, err := ParseScript(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// String returns the script in its text form, one step a line.
func (sc Script) String() string {
	var b strings.Builder
	for _, s := range sc {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// parseTime parses seconds with up to nine decimals, exactly, or a Go
// duration.
func parseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty time")
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, fmt.Errorf("negative time %q", s)
		}
		return d, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 9 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("bad time %q (seconds like 3.400 or a duration like 3400ms)", s)
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if whole == "" {
		sec, err = 0, nil
	}
	ns := int64(0)
	if frac != "" {
		ns, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	if err != nil || sec > int64(time.Duration(1<<63-1)/time.Second)-1 {
		return 0, fmt.Errorf("bad time %q (seconds like 3.400 or a duration like 3400ms)", s)
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), nil
}

// formatSeconds formats d as seconds with three decimals, or more if
// needed to be exact.
func formatSeconds(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	if d%time.Millisecond != 0 {
		s = strconv.FormatInt(int64(d/time.Second), 10) + "." + fmt.Sprintf("%09d", int64(d%time.Second))
	}
	return s
}

// Play schedules the script's steps on the board's loop (as PressAt and
// DriveAt do) and returns their handles in script order, two for a click;
// cancel them to call the steps off. A step whose time has passed happens at the loop's
// next turn. Play first checks every step, and schedules nothing if a part
// is missing or an action does not fit its part (press, release and click
// need a button).
func (s *Sim) Play(sc Script) ([]*asyncio.Handle, error) {
	var errs []error
	for _, st := range sc {
		where := st.Part
		if st.Line > 0 {
			where = fmt.Sprintf("line %d: %s", st.Line, st.Part)
		}
		switch st.Action {
		case Press, Release, Click:
			if s.SimButton(st.Part) == nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, s.missing(st.Part, "button")))
			}
		case High, Low, Float:
			if s.SimPin(st.Part) == nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, s.missing(st.Part, "pin or button")))
			}
		default:
			errs = append(errs, fmt.Errorf("%s: unknown action %q", where, st.Action))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("board: script: %w", err)
	}
	var hs []*asyncio.Handle
	for _, st := range sc {
		switch st.Action {
		case Press:
			hs = append(hs, s.SimButton(st.Part).PressAt(st.At))
		case Release:
			hs = append(hs, s.SimButton(st.Part).ReleaseAt(st.At))
		case Click:
			b := s.SimButton(st.Part)
			hs = append(hs, b.PressAt(st.At), b.ReleaseAt(st.At+st.Hold))
		case High, Low:
			hs = append(hs, s.SimPin(st.Part).DriveAt(st.At, st.Action == High))
		case Float:
			hs = append(hs, s.SimPin(st.Part).FloatAt(st.At))
		}
	}
	return hs, nil
}

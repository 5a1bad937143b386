// Package wave holds a record of digital signals over time, a waveform, and
// writes it as a Value Change Dump (VCD, IEEE 1364), the format logic
// analysers and simulators exchange and GTKWave shows, or as WaveDrom JSON,
// which the wavedrom-cli tool renders to an SVG timing diagram.
//
// The simulated board (package board) records every level change of its
// parts here with the loop's time, so a run on the virtual clock gives the
// same waveform every time.
//
// The package uses only the standard library.
package wave

import (
	"fmt"
	"slices"
	"time"
)

// Kind is the kind of a signal.
type Kind uint8

const (
	// Bit is a one-bit signal: a pin's level, 0 low and 1 high.
	Bit Kind = iota
	// Vector is a number: a PWM duty cycle, a counter. Its Width says
	// how many bits a VCD spends on it.
	Vector
	// Text is a string of text, such as a bus's transfers as a protocol
	// decoder prints them: value v is the signal's Labels[v], Unknown none.
	// A VCD declares it a string variable, whose values GTKWave shows as
	// text; WaveDrom labels it, as a Vector with Labels.
	Text
)

// String returns "bit", "vector" or "text".
func (k Kind) String() string {
	switch k {
	case Vector:
		return "vector"
	case Text:
		return "text"
	}
	return "bit"
}

// Unknown is the value of a signal that is neither 0 nor 1 (VCD's x and z).
const Unknown = -1

// Signal describes one signal of a waveform.
type Signal struct {
	Name  string // unique within the waveform
	Kind  Kind   // Bit, Vector or Text
	Width int    // bits of a Vector in a VCD; 0 means 32. Ignored for a Bit.
	Unit  string // appended to a Vector's values in WaveDrom labels, e.g. "%"
	Init  int    // the value from time 0 until the first change
	// Labels, if set, name a Vector's values in WaveDrom: value v is
	// labelled Labels[v] (a state lane: "waiting", "ready", "running").
	Labels []string
}

func (s Signal) width() int {
	if s.Kind == Bit || s.Kind == Text {
		return 1
	}
	if s.Width <= 0 {
		return 32
	}
	return s.Width
}

// Change is one change of a signal's value.
type Change struct {
	At     time.Duration // when, on the recording's clock
	Signal string        // the signal's name
	Value  int           // the new value; Unknown for x or z
}

// String formats the change as "0.250 green 0": seconds with three
// decimals, the signal's name and the value.
func (c Change) String() string {
	return fmt.Sprintf("%.3f %s %d", c.At.Seconds(), c.Signal, c.Value)
}

// Waveform is a recording: its signals and their changes, in time order.
// Changes with equal times keep their order: the last one is the value from
// then on (a zero-width pulse shows in neither format).
type Waveform struct {
	Scope   string        // the name of the recorded thing, e.g. the board's; "top" if empty
	Signals []Signal      // in the order they are shown
	Changes []Change      // in time order
	End     time.Duration // when the recording ended; at least the last change's time
}

// Signal returns the signal with the given name.
func (w *Waveform) Signal(name string) (Signal, bool) {
	for _, s := range w.Signals {
		if s.Name == name {
			return s, true
		}
	}
	return Signal{}, false
}

// ValueAt returns the value of the named signal at time t, after every
// change at t, and false if there is no such signal.
func (w *Waveform) ValueAt(name string, t time.Duration) (int, bool) {
	s, ok := w.Signal(name)
	if !ok {
		return 0, false
	}
	v := s.Init
	for _, c := range w.Changes {
		if c.At > t {
			break
		}
		if c.Signal == name {
			v = c.Value
		}
	}
	return v, true
}

// Of returns the changes of the named signal, in time order.
func (w *Waveform) Of(name string) []Change {
	var out []Change
	for _, c := range w.Changes {
		if c.Signal == name {
			out = append(out, c)
		}
	}
	return out
}

// end returns the recording's end: End, or the last change if later.
func (w *Waveform) end() time.Duration {
	e := w.End
	if n := len(w.Changes); n > 0 && w.Changes[n-1].At > e {
		e = w.Changes[n-1].At
	}
	return e
}

// check reports a waveform that cannot be written: duplicate or unknown
// signal names, changes out of time order, negative times.
func (w *Waveform) check() error {
	seen := map[string]bool{}
	kinds := map[string]Signal{}
	for _, s := range w.Signals {
		kinds[s.Name] = s
		if s.Name == "" {
			return fmt.Errorf("wave: a signal has no name")
		}
		if seen[s.Name] {
			return fmt.Errorf("wave: duplicate signal %q", s.Name)
		}
		seen[s.Name] = true
		if s.Kind != Bit && s.Kind != Vector && s.Kind != Text {
			return fmt.Errorf("wave: signal %q: unknown kind %d", s.Name, s.Kind)
		}
	}
	var last time.Duration
	for i, c := range w.Changes {
		if !seen[c.Signal] {
			return fmt.Errorf("wave: change %d: unknown signal %q", i, c.Signal)
		}
		if c.At < 0 || c.At < last {
			return fmt.Errorf("wave: change %d (%v) is out of time order", i, c)
		}
		if s := kinds[c.Signal]; s.Kind == Text && c.Value != Unknown && (c.Value < 0 || c.Value >= len(s.Labels)) {
			return fmt.Errorf("wave: change %d (%v): text signal %q has no label %d", i, c, s.Name, c.Value)
		}
		last = c.At
	}
	return nil
}

// Sorted returns a copy of w whose changes are in time order (a stable
// sort), for waveforms assembled by hand.
func (w *Waveform) Sorted() *Waveform {
	c := *w
	c.Signals = slices.Clone(w.Signals)
	c.Changes = slices.Clone(w.Changes)
	slices.SortStableFunc(c.Changes, func(a, b Change) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	return &c
}

// Package vcd reads a Value Change Dump back into a wave.Waveform: the
// tests of the board's waveforms check what they write, and what GTKWave
// writes, with it.
package vcd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio/board/wave"
)

// Read reads a Value Change Dump: the variables of every scope (named by
// their reference, without scope; a vector variable becomes a wave.Vector
// signal), their initial values and changes, with times converted from the
// file's timescale. Values x and z read as wave.Unknown, as does a vector
// with x or z in it; real values are truncated to integers. The waveform's
// Scope is the first scope's name and its End the last time stamp. Read
// returns an error for a malformed file: an unknown identifier code, a time
// going backwards, a missing $enddefinitions.
func Read(r io.Reader) (*wave.Waveform, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	sc.Split(bufio.ScanWords)
	next := func() (string, bool) {
		if sc.Scan() {
			return sc.Text(), true
		}
		return "", false
	}
	// body returns the words up to $end.
	body := func(cmd string) ([]string, error) {
		var words []string
		for {
			t, ok := next()
			if !ok {
				return nil, fmt.Errorf("vcd: VCD ends inside %s", cmd)
			}
			if t == "$end" {
				return words, nil
			}
			words = append(words, t)
		}
	}
	w := &wave.Waveform{}
	unit := time.Nanosecond
	byID := map[string][]int{} // identifier code → signal indexes
	defined := false
	for !defined {
		t, ok := next()
		if !ok {
			if err := sc.Err(); err != nil {
				return nil, err
			}
			return nil, errors.New("vcd: VCD has no $enddefinitions")
		}
		switch t {
		case "$enddefinitions":
			if _, err := body(t); err != nil {
				return nil, err
			}
			defined = true
		case "$timescale":
			words, err := body(t)
			if err != nil {
				return nil, err
			}
			if unit, err = parseTimescale(strings.Join(words, "")); err != nil {
				return nil, err
			}
		case "$scope":
			words, err := body(t)
			if err != nil {
				return nil, err
			}
			if w.Scope == "" && len(words) >= 2 {
				w.Scope = words[1]
			}
		case "$var":
			words, err := body(t)
			if err != nil {
				return nil, err
			}
			if len(words) < 4 {
				return nil, fmt.Errorf("vcd: malformed $var %q", strings.Join(words, " "))
			}
			width, err := strconv.Atoi(words[1])
			if err != nil || width < 1 && !(width == 0 && words[0] == "string") { // GTKWave gives a string no width
				return nil, fmt.Errorf("vcd: $var %s: bad width %q", words[3], words[1])
			}
			s := wave.Signal{Name: words[3], Init: wave.Unknown}
			switch {
			case words[0] == "string":
				s.Kind = wave.Text
			case width > 1 || words[0] == "real" || words[0] == "integer":
				s.Kind, s.Width = wave.Vector, width
			}
			byID[words[2]] = append(byID[words[2]], len(w.Signals))
			w.Signals = append(w.Signals, s)
		default:
			if strings.HasPrefix(t, "$") {
				if _, err := body(t); err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("vcd: unexpected %q in the VCD header", t)
		}
	}
	// Values under $dumpvars at the first time stamp (or before any) are
	// the initial values; every other value is a change.
	now, stamped, dumping := time.Duration(0), false, false
	set := func(id string, v int) error {
		idx, ok := byID[id]
		if !ok {
			return fmt.Errorf("vcd: unknown identifier code %q", id)
		}
		for _, i := range idx {
			if !stamped || (dumping && now == 0) {
				w.Signals[i].Init = v
				continue
			}
			w.Changes = append(w.Changes, wave.Change{At: now, Signal: w.Signals[i].Name, Value: v})
		}
		return nil
	}
	for {
		t, ok := next()
		if !ok {
			break
		}
		switch {
		case t == "$dumpvars":
			dumping = true
		case t == "$end":
			dumping = false
		case t == "$dumpall", t == "$dumpon", t == "$dumpoff":
			// Value changes follow as usual.
		case strings.HasPrefix(t, "$"):
			if _, err := body(t); err != nil {
				return nil, err
			}
		case t[0] == '#':
			n, err := strconv.ParseInt(t[1:], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("vcd: bad time %q", t)
			}
			at := time.Duration(n) * unit
			if at < now {
				return nil, fmt.Errorf("vcd: time %q goes backwards", t)
			}
			stamped, now = true, at
			if at > w.End {
				w.End = at
			}
		case t[0] == 's' || t[0] == 'S':
			id, ok := next()
			if !ok {
				return nil, fmt.Errorf("vcd: VCD ends after %q", t)
			}
			idx, known := byID[id]
			if !known {
				return nil, fmt.Errorf("vcd: unknown identifier code %q", id)
			}
			// Each signal of the code numbers its texts as they come.
			for _, i := range idx {
				v := wave.Unknown
				if text := t[1:]; text != "x" {
					s := &w.Signals[i]
					if v = slices.Index(s.Labels, text); v < 0 {
						v = len(s.Labels)
						s.Labels = append(s.Labels, text)
					}
				}
				if !stamped || (dumping && now == 0) {
					w.Signals[i].Init = v
				} else {
					w.Changes = append(w.Changes, wave.Change{At: now, Signal: w.Signals[i].Name, Value: v})
				}
			}
		case t[0] == 'b' || t[0] == 'B' || t[0] == 'r' || t[0] == 'R':
			id, ok := next()
			if !ok {
				return nil, fmt.Errorf("vcd: VCD ends after %q", t)
			}
			if err := set(id, parseVector(t)); err != nil {
				return nil, err
			}
		default:
			v := wave.Unknown
			switch t[0] {
			case '0':
				v = 0
			case '1':
				v = 1
			case 'x', 'X', 'z', 'Z':
			default:
				return nil, fmt.Errorf("vcd: unexpected %q in the value changes", t)
			}
			if len(t) < 2 {
				return nil, fmt.Errorf("vcd: value %q has no identifier code", t)
			}
			if err := set(t[1:], v); err != nil {
				return nil, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return w, nil
}

func parseVector(t string) int {
	if t[0] == 'r' || t[0] == 'R' {
		f, err := strconv.ParseFloat(t[1:], 64)
		if err != nil {
			return wave.Unknown
		}
		return int(f)
	}
	v, err := strconv.ParseUint(t[1:], 2, 63)
	if err != nil {
		return wave.Unknown
	}
	return int(v)
}

// parseTimescale parses "1ns", "10us", "100 ps" (spaces already removed).
func parseTimescale(s string) (time.Duration, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, fmt.Errorf("vcd: bad timescale %q", s)
	}
	n, _ := strconv.Atoi(s[:i])
	units := map[string]time.Duration{"s": time.Second, "ms": time.Millisecond, "us": time.Microsecond, "ns": time.Nanosecond}
	u, ok := units[s[i:]]
	if !ok || (n != 1 && n != 10 && n != 100) {
		return 0, fmt.Errorf("vcd: unsupported timescale %q (1, 10 or 100 of s, ms, us or ns)", s)
	}
	return time.Duration(n) * u, nil
}

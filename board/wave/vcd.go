package wave

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VCDTimescale is the time unit of the VCDs WriteVCD writes: one
// nanosecond, the resolution of the loop's clock, so no time is rounded.
const VCDTimescale = time.Nanosecond

// WriteVCD writes the waveform to out as a Value Change Dump (IEEE 1364
// §18) with a timescale of 1 ns: a header declaring each signal as a wire
// (a Text signal as a string, its values as VCDText writes them) in one
// module scope, the initial values under $dumpvars at #0, then each
// time at which something changed with the new values, and a last time
// stamp at End. Signal names have every character other than letters,
// digits, '_' and '-' replaced by '_'. The output is the same for the same
// waveform (no date is written). WriteVCD returns an error, having written
// nothing, if the waveform is inconsistent (see Waveform), or the first
// error from out.
func (w *Waveform) WriteVCD(out io.Writer) error {
	if err := w.check(); err != nil {
		return err
	}
	b := bufio.NewWriter(out)
	scope := VCDName(w.Scope)
	if w.Scope == "" {
		scope = "top"
	}
	fmt.Fprintf(b, "$version goasyncio board/wave $end\n")
	fmt.Fprintf(b, "$timescale 1ns $end\n")
	fmt.Fprintf(b, "$scope module %s $end\n", scope)
	ids := make(map[string]string, len(w.Signals))
	kinds := make(map[string]Signal, len(w.Signals))
	for i, s := range w.Signals {
		id := vcdID(i)
		ids[s.Name], kinds[s.Name] = id, s
		typ := "wire"
		if s.Kind == Text {
			typ = "string"
		}
		fmt.Fprintf(b, "$var %s %d %s %s $end\n", typ, s.width(), id, VCDName(s.Name))
	}
	fmt.Fprintf(b, "$upscope $end\n$enddefinitions $end\n")
	fmt.Fprintf(b, "#0\n$dumpvars\n")
	for _, s := range w.Signals {
		writeValue(b, s, s.Init, ids[s.Name])
	}
	fmt.Fprintf(b, "$end\n")
	var now time.Duration
	for _, c := range w.Changes {
		if c.At != now {
			now = c.At
			fmt.Fprintf(b, "#%d\n", int64(now))
		}
		writeValue(b, kinds[c.Signal], c.Value, ids[c.Signal])
	}
	if end := w.end(); end > now {
		fmt.Fprintf(b, "#%d\n", int64(end))
	}
	return b.Flush()
}

func writeValue(b *bufio.Writer, s Signal, v int, id string) {
	if s.Kind == Text {
		text := "x"
		if v >= 0 && v < len(s.Labels) {
			text = VCDText(s.Labels[v])
		}
		fmt.Fprintf(b, "s%s %s\n", text, id)
		return
	}
	if s.Kind == Bit {
		c := byte('x')
		switch v {
		case 0:
			c = '0'
		case 1:
			c = '1'
		}
		b.WriteByte(c)
		b.WriteString(id)
		b.WriteByte('\n')
		return
	}
	if v < 0 {
		fmt.Fprintf(b, "bx %s\n", id)
		return
	}
	fmt.Fprintf(b, "b%s %s\n", strconv.FormatUint(uint64(v), 2), id)
}

// vcdID returns the identifier code of the i-th signal: printable ASCII
// from '!' to '~', in base 94.
func vcdID(i int) string {
	var id []byte
	for {
		id = append(id, byte('!'+i%94))
		i /= 94
		if i == 0 {
			return string(id)
		}
		i--
	}
}

// VCDText returns a text signal's value as WriteVCD writes it: a VCD
// value is one word of printable ASCII, so each white space is replaced by
// '_', an ellipsis by "...", any other character beyond ASCII by '?', and
// an empty text is "_".
func VCDText(text string) string {
	if text == "" {
		return "_"
	}
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '…':
			b.WriteString("...")
		case r <= ' ':
			b.WriteByte('_')
		case r > '~':
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// VCDName returns name as WriteVCD writes it: every character other than
// an ASCII letter, a digit, '_' or '-' becomes '_'.
func VCDName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
}

// ReadVCD reads a Value Change Dump: the variables of every scope (named by
// their reference, without scope; a vector variable becomes a Vector
// signal), their initial values and changes, with times converted from the
// file's timescale. Values x and z read as Unknown, as does a vector with x
// or z in it; real values are truncated to integers. The waveform's Scope is
// the first scope's name and its End the last time stamp. ReadVCD returns an
// error for a malformed file: an unknown identifier code, a time going
// backwards, a missing $enddefinitions.
func ReadVCD(r io.Reader) (*Waveform, error) {
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
				return nil, fmt.Errorf("wave: VCD ends inside %s", cmd)
			}
			if t == "$end" {
				return words, nil
			}
			words = append(words, t)
		}
	}
	w := &Waveform{}
	unit := time.Nanosecond
	byID := map[string][]int{} // identifier code → signal indexes
	defined := false
	for !defined {
		t, ok := next()
		if !ok {
			if err := sc.Err(); err != nil {
				return nil, err
			}
			return nil, errors.New("wave: VCD has no $enddefinitions")
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
				return nil, fmt.Errorf("wave: malformed $var %q", strings.Join(words, " "))
			}
			width, err := strconv.Atoi(words[1])
			if err != nil || width < 1 && !(width == 0 && words[0] == "string") { // GTKWave gives a string no width
				return nil, fmt.Errorf("wave: $var %s: bad width %q", words[3], words[1])
			}
			s := Signal{Name: words[3], Init: Unknown}
			switch {
			case words[0] == "string":
				s.Kind = Text
			case width > 1 || words[0] == "real" || words[0] == "integer":
				s.Kind, s.Width = Vector, width
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
			return nil, fmt.Errorf("wave: unexpected %q in the VCD header", t)
		}
	}
	// Values under $dumpvars at the first time stamp (or before any) are
	// the initial values; every other value is a change.
	now, stamped, dumping := time.Duration(0), false, false
	set := func(id string, v int) error {
		idx, ok := byID[id]
		if !ok {
			return fmt.Errorf("wave: unknown identifier code %q", id)
		}
		for _, i := range idx {
			if !stamped || (dumping && now == 0) {
				w.Signals[i].Init = v
				continue
			}
			w.Changes = append(w.Changes, Change{At: now, Signal: w.Signals[i].Name, Value: v})
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
				return nil, fmt.Errorf("wave: bad time %q", t)
			}
			at := time.Duration(n) * unit
			if at < now {
				return nil, fmt.Errorf("wave: time %q goes backwards", t)
			}
			stamped, now = true, at
			if at > w.End {
				w.End = at
			}
		case t[0] == 's' || t[0] == 'S':
			id, ok := next()
			if !ok {
				return nil, fmt.Errorf("wave: VCD ends after %q", t)
			}
			idx, known := byID[id]
			if !known {
				return nil, fmt.Errorf("wave: unknown identifier code %q", id)
			}
			// Each signal of the code numbers its texts as they come.
			for _, i := range idx {
				v := Unknown
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
					w.Changes = append(w.Changes, Change{At: now, Signal: w.Signals[i].Name, Value: v})
				}
			}
		case t[0] == 'b' || t[0] == 'B' || t[0] == 'r' || t[0] == 'R':
			id, ok := next()
			if !ok {
				return nil, fmt.Errorf("wave: VCD ends after %q", t)
			}
			if err := set(id, parseVector(t)); err != nil {
				return nil, err
			}
		default:
			v := Unknown
			switch t[0] {
			case '0':
				v = 0
			case '1':
				v = 1
			case 'x', 'X', 'z', 'Z':
			default:
				return nil, fmt.Errorf("wave: unexpected %q in the value changes", t)
			}
			if len(t) < 2 {
				return nil, fmt.Errorf("wave: value %q has no identifier code", t)
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
			return Unknown
		}
		return int(f)
	}
	v, err := strconv.ParseUint(t[1:], 2, 63)
	if err != nil {
		return Unknown
	}
	return int(v)
}

// parseTimescale parses "1ns", "10us", "100 ps" (spaces already removed).
func parseTimescale(s string) (time.Duration, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, fmt.Errorf("wave: bad timescale %q", s)
	}
	n, _ := strconv.Atoi(s[:i])
	units := map[string]time.Duration{"s": time.Second, "ms": time.Millisecond, "us": time.Microsecond, "ns": time.Nanosecond}
	u, ok := units[s[i:]]
	if !ok || (n != 1 && n != 10 && n != 100) {
		return 0, fmt.Errorf("wave: unsupported timescale %q (1, 10 or 100 of s, ms, us or ns)", s)
	}
	return time.Duration(n) * u, nil
}

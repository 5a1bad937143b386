package wave

import (
	"bufio"
	"fmt"
	"io"
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

package wave

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// WaveDromOptions says how WriteWaveDrom draws a waveform.
type WaveDromOptions struct {
	// Step is the time one character of a lane stands for. Zero chooses
	// the largest step that puts every change on a step boundary, if that
	// gives at most MaxSteps steps, and otherwise a round step (1, 2 or 5
	// times a power of ten) that gives at most MaxSteps.
	Step time.Duration
	// MaxSteps bounds the steps a zero Step may choose; zero means 200.
	MaxSteps int
	// From and To are the times shown; a zero To means the waveform's end.
	From, To time.Duration
	// Signals lists the signals shown, in order; nil shows them all.
	Signals []string
	// Title is shown above the diagram; empty shows none.
	Title string
	// HScale widens each step (WaveDrom's config.hscale); zero means 1.
	HScale int
	// Ticks numbers the steps above the diagram (WaveDrom's head.tick),
	// counting from From/Step: with a step of a second, the numbers are
	// seconds.
	Ticks bool
}

// wavedromLane is one signal of a WaveDrom diagram.
type wavedromLane struct {
	Name string   `json:"name"`
	Wave string   `json:"wave"`
	Data []string `json:"data,omitempty"`
}

type wavedromText struct {
	Text string `json:"text,omitempty"`
	Tick *int   `json:"tick,omitempty"`
}

type wavedromDoc struct {
	Signal []wavedromLane `json:"signal"`
	Head   *wavedromText  `json:"head,omitempty"`
	Foot   *wavedromText  `json:"foot"`
	Config struct {
		HScale int `json:"hscale"`
	} `json:"config"`
}

// WriteWaveDrom writes the waveform to out as WaveDrom JSON (the input of
// wavedrom-cli and of the WaveDrom editor). Each signal is a lane sampled at
// the start of each step, after the changes at that very time: a Bit as 0
// and 1, a Vector as data boxes labelled with its value and Unit, an
// Unknown value as x. A pulse shorter than a step between two samples does
// not show; a VCD keeps everything. The footer says how long a step is.
// WriteWaveDrom returns an error for an inconsistent waveform, an unknown
// signal in opts.Signals, a range with To before From, or out's error.
func (w *Waveform) WriteWaveDrom(out io.Writer, opts WaveDromOptions) error {
	if err := w.check(); err != nil {
		return err
	}
	to := opts.To
	if to == 0 {
		to = w.end()
	}
	if to < opts.From {
		return fmt.Errorf("wave: WaveDrom range ends (%v) before it starts (%v)", to, opts.From)
	}
	step := opts.Step
	if step <= 0 {
		step = w.chooseStep(opts.From, to, opts.MaxSteps)
	}
	n := int((to - opts.From + step - 1) / step)
	if n == 0 {
		n = 1
	}
	names := opts.Signals
	if names == nil {
		for _, s := range w.Signals {
			names = append(names, s.Name)
		}
	}
	doc := wavedromDoc{}
	doc.Config.HScale = max(opts.HScale, 1)
	if opts.Title != "" || opts.Ticks {
		doc.Head = &wavedromText{Text: opts.Title}
	}
	if opts.Ticks {
		first := int(opts.From / step)
		doc.Head.Tick = &first
	}
	doc.Foot = &wavedromText{Text: "one step = " + step.String()}
	for _, name := range names {
		s, ok := w.Signal(name)
		if !ok {
			return fmt.Errorf("wave: WaveDrom: no signal %q", name)
		}
		doc.Signal = append(doc.Signal, w.lane(s, opts.From, step, n))
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// lane samples signal s at from, from+step, ... (n samples).
func (w *Waveform) lane(s Signal, from, step time.Duration, n int) wavedromLane {
	l := wavedromLane{Name: s.Name}
	wave := make([]byte, 0, n)
	v, j := s.Init, 0
	changes := w.Of(s.Name)
	prev, first := 0, true
	for i := range n {
		t := from + time.Duration(i)*step
		for j < len(changes) && changes[j].At <= t {
			v = changes[j].Value
			j++
		}
		if !first && v == prev {
			wave = append(wave, '.')
			continue
		}
		first, prev = false, v
		switch {
		case v == Unknown:
			wave = append(wave, 'x')
		case s.Kind == Bit && v == 0:
			wave = append(wave, '0')
		case s.Kind == Bit:
			wave = append(wave, '1')
		default:
			wave = append(wave, '=')
			if v < len(s.Labels) {
				l.Data = append(l.Data, s.Labels[v])
			} else {
				l.Data = append(l.Data, strconv.Itoa(v)+s.Unit)
			}
		}
	}
	l.Wave = string(wave)
	return l
}

// chooseStep returns the greatest common divisor of the change times
// (relative to from) within the range if it gives at most maxSteps steps,
// and otherwise the smallest round step that does.
func (w *Waveform) chooseStep(from, to time.Duration, maxSteps int) time.Duration {
	if maxSteps <= 0 {
		maxSteps = 200
	}
	span := to - from
	var g time.Duration
	for _, c := range w.Changes {
		if c.At > from && c.At <= to {
			g = gcd(g, c.At-from)
		}
	}
	if span > 0 {
		g = gcd(g, span)
	}
	if g > 0 && (span+g-1)/g <= time.Duration(maxSteps) {
		return g
	}
	steps := []time.Duration{}
	for p := time.Duration(1); p <= time.Hour && p > 0; p *= 10 {
		steps = append(steps, p, 2*p, 5*p)
	}
	i := slices.IndexFunc(steps, func(s time.Duration) bool { return (span+s-1)/s <= time.Duration(maxSteps) })
	if i < 0 {
		return time.Hour
	}
	return steps[i]
}

func gcd(a, b time.Duration) time.Duration {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

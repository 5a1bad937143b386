package tui

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/view"
)

// Glyphs of the view.
const (
	litGlyph   = "●"
	unlitGlyph = "○"
	highGlyph  = '▔'
	lowGlyph   = '▁'
	glitch     = '┃' // a level that changed and changed back within a column
	vecFill    = '─'
	vecEdge    = '│'
	tickGlyph  = "╵"
)

var (
	dimStyle    = lipgloss.NewStyle().Faint(true)
	boldStyle   = lipgloss.NewStyle().Bold(true)
	errStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("#ff5f5f")).Bold(true)
	inStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("#5fd7ff"))
	systemStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("#8a8a8a")).Italic(true)
	keyStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffd75f")).Bold(true)
	pausedStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffaf00")).Bold(true)
	runStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("#5fd75f")).Bold(true)
	offColour   = lipgloss.Color("#5f5f5f")
)

// namedColours are the LED colours a board file may name.
var namedColours = map[string]string{
	"red":    "#ff2020",
	"green":  "#20e020",
	"blue":   "#3070ff",
	"yellow": "#ffe020",
	"amber":  "#ffbf00",
	"orange": "#ff8c1a",
	"white":  "#f4f4f4",
	"cyan":   "#20e0e0",
	"purple": "#b040ff",
	"violet": "#b040ff",
	"pink":   "#ff60c0",
}

// ledColour returns the colour of an LED lit at brightness percent: its
// named or #rrggbb colour, darker the dimmer it is.
func ledColour(name string, brightness int) color.Color {
	hex, ok := namedColours[strings.ToLower(name)]
	if !ok {
		hex = name
		if !strings.HasPrefix(hex, "#") || (len(hex) != 7 && len(hex) != 4) {
			hex = namedColours["yellow"]
		}
	}
	c := lipgloss.Color(hex)
	if brightness >= 100 {
		return c
	}
	// Keep a dim LED visible: 30% of the colour at the least.
	f := 0.3 + 0.7*float64(max(brightness, 0))/100
	r, g, b, _ := c.RGBA()
	scale := func(v uint32) uint8 { return uint8(math.Round(float64(v>>8) * f)) }
	return color.RGBA{scale(r), scale(g), scale(b), 0xff}
}

// View draws the board.
func (m *model) View() tea.View {
	content, cursor := m.render()
	v := tea.NewView(content)
	v.AltScreen = true
	v.Cursor = cursor
	if !m.momentary {
		// Ask for key releases: where the terminal reports them, a button
		// is down exactly while its key is.
		v.KeyboardEnhancements.ReportEventTypes = true
	}
	return v
}

// render returns the screen's text and, while typing, where the cursor is.
func (m *model) render() (string, *tea.Cursor) {
	w, h := m.width, m.height
	now := m.s.Now()
	var lines []string

	lines = append(lines, m.header(now))

	scale := scales[m.scale]
	lines = append(lines, rule(fmt.Sprintf("timing, %s a column ", formatDuration(scale)), w))

	const fixedRows = 7 // header, two rules, axis, input, status, help
	partRows := len(m.st.Parts)
	if partRows == 0 {
		partRows = 1
	}
	partRows = max(min(partRows, h-fixedRows-3), 0)
	// The live tasks, if the board sends them: a lane each under the
	// parts, and a line each in a list of their own, room permitting.
	tasks := m.liveTasks(max((h-fixedRows-partRows-4)/2, 0))
	taskRows := 0
	if len(tasks) > 0 {
		taskRows = 2*len(tasks) + 1
	}
	consoleRows := max(h-fixedRows-partRows-taskRows, 0)

	nameWidth := 4
	for _, p := range m.st.Parts {
		nameWidth = max(nameWidth, ansi.StringWidth(p.Name))
	}
	for _, t := range tasks {
		nameWidth = max(nameWidth, ansi.StringWidth(t.Name))
	}
	nameWidth = min(nameWidth, 16)
	labelWidth := 4 + nameWidth + 1 + 4 + 1
	waveWidth := max(w-labelWidth, 0)

	// The diagram fills from the left until it is full, then scrolls.
	end := max(diagramEnd(now, scale), time.Duration(waveWidth)*scale)
	if len(m.st.Parts) == 0 && partRows > 0 {
		lines = append(lines, dimStyle.Render("  (no parts yet)"))
	}
	for i, p := range m.st.Parts {
		if i >= partRows {
			break
		}
		lines = append(lines, m.label(p, nameWidth)+" "+m.wave(p, end, now, scale, waveWidth))
	}
	for _, t := range tasks {
		lines = append(lines, taskLabel(t, nameWidth, labelWidth)+m.taskWave(t, end, now, scale, waveWidth))
	}
	lines = append(lines, strings.Repeat(" ", min(labelWidth, w))+dimStyle.Render(axis(end, scale, waveWidth)))
	if len(tasks) > 0 {
		lines = append(lines, rule("tasks (w: where each is paused) ", w))
		for _, t := range tasks {
			lines = append(lines, taskLine(t, nameWidth, w))
		}
	}

	disp := m.displayLines(w, consoleRows)
	lines = append(lines, disp...)
	consoleRows -= len(disp)

	lines = append(lines, rule("console ", w))
	con := m.st.Console
	if len(con) > consoleRows {
		con = con[len(con)-consoleRows:]
	}
	for _, l := range con {
		lines = append(lines, consoleLine(l, w))
	}
	for range consoleRows - len(con) {
		lines = append(lines, "")
	}

	var cursor *tea.Cursor
	if m.typing {
		text := string(m.input)
		room := max(w-3, 1)
		for ansi.StringWidth(text) > room {
			_, size := firstRune(text)
			text = text[size:]
		}
		cursor = tea.NewCursor(2+ansi.StringWidth(text), len(lines))
		lines = append(lines, inStyle.Render("> ")+text)
	} else {
		lines = append(lines, dimStyle.Render("  i or Tab: type a line to the program"))
	}
	switch {
	case m.isErr:
		lines = append(lines, errStyle.Render(m.status))
	case m.status != "":
		lines = append(lines, m.status)
	default:
		lines = append(lines, "")
	}
	lines = append(lines, m.help(w))

	if len(lines) > h {
		lines = lines[:h]
		if cursor != nil && cursor.Y >= h {
			cursor = nil
		}
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(lines, "\n"), cursor
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// header is the first line: the board, the run, the clock and its state.
func (m *model) header(now time.Duration) string {
	board := m.st.Board
	if board == "" {
		board = "…"
	}
	var state string
	switch {
	case m.st.Running && m.st.Paused && m.st.Stepping:
		state = pausedStyle.Render("⏸ paused, stepping…") // until the board has finished the step
	case m.st.Running && m.st.Paused:
		state = pausedStyle.Render("⏸ paused")
	case m.st.Running:
		state = runStyle.Render("▶ running")
	case m.st.Exit != "":
		state = errStyle.Render("■ " + m.st.Exit)
	default:
		state = dimStyle.Render("starting")
	}
	return fmt.Sprintf("%s %s  run %d  │ %s  │ speed %s  │ %s",
		boldStyle.Render("board"), board, m.st.Run,
		boldStyle.Render(formatClock(now)), formatSpeed(m.st.Speed), state)
}

// help is the last line: the keys, shorter on a narrow screen.
func (m *model) help(w int) string {
	long := [][2]string{
		{"1-9", "button"}, {"space", "pause"}, {".", "step"}, {"+/-", "speed"},
		{"[ ]", "zoom"}, {"r", "restart"}, {"i", "type"}, {"q", "quit"},
	}
	long = m.withArrowKeys(long, w)
	if m.typing {
		long = [][2]string{{"Enter", "send"}, {"Esc", "back to keys"}, {"Ctrl-U", "clear"}, {"Ctrl-C", "quit"}}
	}
	for _, sep := range []string{"  ", " "} {
		var b strings.Builder
		width := 0
		for i, k := range long {
			if i > 0 {
				b.WriteString(sep)
				width += len(sep)
			}
			b.WriteString(keyStyle.Render(k[0]) + " " + dimStyle.Render(k[1]))
			width += ansi.StringWidth(k[0]) + 1 + ansi.StringWidth(k[1])
		}
		if width <= w || sep == " " {
			return b.String()
		}
	}
	return ""
}

// rule is a section's title line.
func rule(title string, w int) string {
	s := "── " + title
	return dimStyle.Render(s + strings.Repeat("─", max(w-ansi.StringWidth(s), 0)))
}

// label is the left of a part's row: its lamp or key, name and value.
func (m *model) label(p view.PartState, nameWidth int) string {
	var lamp, value string
	switch p.Kind {
	case partkind.LED, partkind.PWMLED:
		if p.Lit() {
			lamp = lipgloss.NewStyle().Foreground(ledColour(p.Colour, p.Brightness)).Render(litGlyph)
		} else {
			lamp = lipgloss.NewStyle().Foreground(offColour).Render(unlitGlyph)
		}
		lamp = " " + lamp + "  "
		if p.Kind == partkind.PWMLED {
			value = strconv.Itoa(p.Brightness) + "%"
		} else if p.Lit() {
			value = "on"
		} else {
			value = "off"
		}
	case partkind.Button:
		lamp = m.keyLabel(p.Name)
		value = "up"
		if p.Pressed {
			value = "down"
		}
	default:
		lamp = m.keyLabel(p.Name)
		value = strconv.Itoa(p.Level)
		if v, ok := sensorValue(p); ok {
			value = v
		}
		if a := m.arrowLabel(p); a != "" {
			lamp = a
		}
	}
	name := ansi.Truncate(p.Name, nameWidth, "…")
	name += strings.Repeat(" ", nameWidth-ansi.StringWidth(name))
	return fmt.Sprintf("%s%s %-4s", lamp, name, value)
}

// keyLabel is "[n] " for the input on key n, or blanks.
func (m *model) keyLabel(name string) string {
	if n := m.keyOf(name); n > 0 {
		return keyStyle.Render(fmt.Sprintf("[%d]", n)) + " "
	}
	return "    "
}

// alignUp rounds t up to a multiple of step, so that the columns of the
// diagram stay put while it scrolls.
func alignUp(t, step time.Duration) time.Duration {
	if t <= 0 {
		return 0
	}
	return (t + step - 1) / step * step
}

// diagramEnd is where the timing diagram ends: the end of the column that
// holds now, columns being scale long from time 0.
func diagramEnd(now, scale time.Duration) time.Duration {
	return max(now, 0)/scale*scale + scale
}

// column returns the times of column i of a diagram width columns wide that
// ends at end: it covers [lo, hi), and shows the level just before hi, or
// at now for the column that holds now.
func column(i, width int, end, now, scale time.Duration) (lo, at time.Duration) {
	lo = end - time.Duration(width-i)*scale
	return lo, min(lo+scale-1, now)
}

// wave draws a part's level over the width columns that end at end, each
// scale long; the last column holds now.
func (m *model) wave(p view.PartState, end, now, scale time.Duration, width int) string {
	if p.Kind == partkind.WS2812 {
		return stripRow(p, width)
	}
	if signalless(p) {
		return strings.Repeat(" ", width)
	}
	changes, base := m.changes[p.Name], m.st.Base
	vec := make([]rune, 0, width)
	prev, started := 0, false
	for i := range width {
		lo, at := column(i, width, end, now, scale)
		v, known := levelAt(changes, p, base, at)
		if lo < 0 || at < lo || !known {
			vec = append(vec, ' ')
			started = false
			continue
		}
		if p.Width > 0 {
			if !started || v != prev {
				vec = append(vec, vecEdge)
			} else {
				vec = append(vec, vecFill)
			}
			prev, started = v, true
			continue
		}
		n := changesIn(changes, lo-1, at)
		before, _ := levelAt(changes, p, base, lo-1)
		switch {
		case n >= 2 && before == v:
			vec = append(vec, glitch)
		case v != 0:
			vec = append(vec, highGlyph)
		default:
			vec = append(vec, lowGlyph)
		}
	}
	if p.Width > 0 {
		labelVectors(vec, changes, p, base, end, now, scale)
	}
	s := string(vec)
	if p.Kind == partkind.LED || p.Kind == partkind.PWMLED {
		return lipgloss.NewStyle().Foreground(ledColour(p.Colour, 100)).Render(s)
	}
	return s
}

// labelVectors writes each value of a vector signal after the edge that
// starts it, as far as its stretch has room.
func labelVectors(vec []rune, changes []view.Change, p view.PartState, base map[string]int, end, now, scale time.Duration) {
	width := len(vec)
	for i := 0; i < width; i++ {
		if vec[i] != vecEdge {
			continue
		}
		j := i + 1
		for j < width && vec[j] == vecFill {
			j++
		}
		_, at := column(i, len(vec), end, now, scale)
		v, _ := levelAt(changes, p, base, at)
		text := []rune(strconv.Itoa(v))
		if len(text) <= j-i-1 {
			copy(vec[i+1:], text)
		}
		i = j - 1
	}
}

// levelAt returns a part's level at t, and whether it is known: the value
// of the last change at or before t, or, before the first change the
// history holds, the level the history starts from (base), or failing
// that the other level of a one-bit signal.
func levelAt(changes []view.Change, p view.PartState, base map[string]int, t time.Duration) (int, bool) {
	if len(changes) == 0 {
		return p.Level, true
	}
	i := sort.Search(len(changes), func(i int) bool { return changes[i].At > t })
	if i > 0 {
		return changes[i-1].Value, true
	}
	if b, ok := base[p.Name]; ok {
		return b, true
	}
	if p.Width == 0 {
		return 1 - changes[0].Value, true
	}
	return 0, false
}

// changesIn counts the changes in (lo, hi].
func changesIn(changes []view.Change, lo, hi time.Duration) int {
	i := sort.Search(len(changes), func(i int) bool { return changes[i].At > lo })
	j := sort.Search(len(changes), func(i int) bool { return changes[i].At > hi })
	return j - i
}

// axis is the time axis under the diagram: a label at each tick, ticks at
// round times at least ten columns apart.
func axis(end, scale time.Duration, width int) string {
	tick := scale * 10
	row := []rune(strings.Repeat(" ", width))
	start := end - time.Duration(width)*scale
	first := alignUp(max(start, 0), tick)
	for t := first; t <= end; t += tick {
		col := int((t - start) / scale)
		label := []rune(tickGlyph + formatSeconds(t))
		if col+len(label) > width {
			break
		}
		copy(row[col:], label)
	}
	return string(row)
}

// consoleLine is one line of the console, marked by its stream.
func consoleLine(l view.ConsoleLine, w int) string {
	text := strings.ReplaceAll(l.Text, "\t", "    ")
	text = ansi.Strip(text)
	text = ansi.Truncate(text, max(w-2, 0), "…")
	switch l.Stream {
	case view.Stderr:
		return errStyle.Render("! ") + lipgloss.NewStyle().Foreground(lipgloss.Color("#ff8787")).Render(text)
	case view.Stdin:
		return inStyle.Render("> " + text)
	case view.System:
		return systemStyle.Render("# " + text)
	default:
		return "  " + text
	}
}

// formatClock shows the clock in seconds with three decimals, as the
// labs' traces do.
func formatClock(d time.Duration) string {
	return fmt.Sprintf("%.3f s", d.Seconds())
}

// formatSeconds shows a round time for the axis: 0.25s, 1s, 1.5s.
func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// formatDuration shows a column's time: 50 ms, 1 s.
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// formatSpeed shows a speed as ×1, ×0.25.
func formatSpeed(s float64) string {
	if s <= 0 {
		s = 1
	}
	return "×" + strconv.FormatFloat(s, 'f', -1, 64)
}

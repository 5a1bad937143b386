package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
)

// Glyphs of the task lanes: a column in which the task ran, was ready
// (waiting for its turn) or waited.
const (
	runGlyph   = '█'
	readyGlyph = '─'
	waitGlyph  = '▁'
)

var (
	runStyleLane   = lipgloss.NewStyle().Foreground(lipgloss.Color("#5fafff"))
	readyStyleLane = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffd75f"))
)

// taskRun is one run of a task as a lane draws it: from its start to its
// end on the clock, or as long as it took in real time at the clock's speed
// if longer (on the board's clock a run takes no time).
type taskRun struct{ from, to time.Duration }

// taskLane is what the lanes know of a task: its changes and its runs.
type taskLane struct {
	changes []view.TaskChange
	runs    []taskRun
}

// indexTasks sorts the history of the tasks by task; refresh calls it.
func (m *model) indexTasks() {
	m.lanes = make(map[int64]*taskLane, len(m.st.Tasks))
	speed := m.st.Speed
	if speed <= 0 {
		speed = 1
	}
	running := map[int64]time.Duration{}
	for _, c := range m.st.TaskChanges {
		l := m.lanes[c.ID]
		if l == nil {
			l = &taskLane{}
			m.lanes[c.ID] = l
		}
		l.changes = append(l.changes, c)
		if from, ok := running[c.ID]; ok && c.State != wire.TaskRunning {
			delete(running, c.ID)
			l.runs = append(l.runs, taskRun{from, max(c.At, from+time.Duration(float64(c.Wall)*speed))})
		}
		if c.State == wire.TaskRunning {
			running[c.ID] = c.At
		}
	}
	for id, from := range running {
		l := m.lanes[id]
		l.runs = append(l.runs, taskRun{from, from})
	}
}

// liveTasks returns the tasks that have not finished, at most n.
func (m *model) liveTasks(n int) []view.TaskState {
	var out []view.TaskState
	for _, t := range m.st.Tasks {
		if len(out) >= n {
			break
		}
		if t.State != wire.TaskDone {
			out = append(out, t)
		}
	}
	return out
}

// taskLabel is the left of a task's lane: a mark of its state and its name.
func taskLabel(t view.TaskState, nameWidth, labelWidth int) string {
	mark := "  "
	switch t.Lane() {
	case "running":
		mark = runStyleLane.Render("▶") + " "
	case "ready":
		mark = readyStyleLane.Render("·") + " "
	}
	name := ansi.Truncate(t.Name, nameWidth, "…")
	s := "  " + mark + name
	return s + strings.Repeat(" ", max(labelWidth-ansi.StringWidth(s), 0))
}

// taskWave draws a task's lane over the width columns that end at end: a
// column in which it ran is a block, whatever the scale; otherwise its
// state at the column's time.
func (m *model) taskWave(t view.TaskState, end, now, scale time.Duration, width int) string {
	l := m.lanes[t.ID]
	if l == nil {
		return strings.Repeat(" ", width)
	}
	var b strings.Builder
	for i := range width {
		lo, at := column(i, width, end, now, scale)
		if lo < 0 || at < lo {
			b.WriteByte(' ')
			continue
		}
		// A run that overlaps the column.
		k := sort.Search(len(l.runs), func(k int) bool { return l.runs[k].to >= lo })
		if k < len(l.runs) && l.runs[k].from <= at {
			b.WriteString(runStyleLane.Render(string(runGlyph)))
			continue
		}
		j := sort.Search(len(l.changes), func(j int) bool { return l.changes[j].At > at })
		if j == 0 {
			b.WriteByte(' ')
			continue
		}
		switch view.Lane(l.changes[j-1].State) {
		case "ready", "running":
			b.WriteString(readyStyleLane.Render(string(readyGlyph)))
		case "waiting":
			b.WriteString(dimStyle.Render(string(waitGlyph)))
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// taskLine is a task's line in the tasks list: its name, state and what
// it waits for, how often it ran and its longest run in real time.
func taskLine(t view.TaskState, nameWidth, w int) string {
	name := ansi.Truncate(t.Name, nameWidth, "…")
	name += strings.Repeat(" ", nameWidth-ansi.StringWidth(name))
	state := fmt.Sprintf("%-8s", t.State)
	switch t.Lane() {
	case "running":
		state = runStyleLane.Render(state)
	case "ready":
		state = readyStyleLane.Render(state)
	}
	longest := ""
	if t.Longest > 0 {
		longest = fmt.Sprintf("  longest run %v", t.Longest.Round(time.Microsecond))
	}
	where := ""
	if t.Where != "" {
		where = "  at " + t.Where
	}
	s := fmt.Sprintf("  %s %s %s", name, state, t.Text) + dimStyle.Render(fmt.Sprintf("  %d runs%s%s", t.Runs, longest, where))
	return ansi.Truncate(s, w, "…")
}

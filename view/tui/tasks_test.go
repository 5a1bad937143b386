package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// tasksState is labState with the blink lab's tasks, and a task that
// blocked the loop for 0.4 s of real time at 0.
func tasksState() view.State {
	ms := time.Millisecond
	st := labState()
	st.Tasks = []view.TaskState{
		{ID: 0, Name: "main", State: wire.TaskSleeping, Text: "sleeping until 10.000s", Runs: 1},
		{ID: 1, Name: "blink green", State: wire.TaskSleeping, Text: "sleeping until 1.250s", Runs: 5, Longest: 20 * time.Microsecond},
		{ID: 2, Name: "sensor", State: wire.TaskSleeping, Text: "sleeping until 1.400s", Runs: 1, Longest: 400 * ms},
		{ID: 3, Name: "gone", State: wire.TaskDone, Runs: 1},
	}
	add := func(at time.Duration, id int64, state string, wall time.Duration) {
		st.TaskChanges = append(st.TaskChanges, view.TaskChange{At: at, ID: id, State: state, Wall: wall})
	}
	add(0, 0, wire.TaskRunning, 0)
	add(0, 0, wire.TaskSleeping, 10*time.Microsecond)
	add(0, 2, wire.TaskRunning, 0)
	add(0, 2, wire.TaskSleeping, 400*ms)
	for at := time.Duration(0); at <= time.Second; at += 250 * ms {
		if at > 0 {
			add(at, 1, wire.TaskReady, 0)
		}
		add(at, 1, wire.TaskRunning, 0)
		add(at, 1, wire.TaskSleeping, 20*time.Microsecond)
	}
	add(0, 3, wire.TaskRunning, 0)
	add(0, 3, wire.TaskDone, 0)
	return st
}

// laneOf returns the lane drawn after the task's name on its row.
func laneOf(t *testing.T, lines []string, name string) string {
	t.Helper()
	for _, l := range lines {
		if i := strings.Index(l, name+" "); i >= 0 && strings.ContainsAny(l, "█▁─") && !strings.Contains(l, "sleeping") {
			return strings.TrimSpace(l[i+len(name):])
		}
	}
	t.Fatalf("no lane of %q on the screen:\n%s", name, strings.Join(lines, "\n"))
	return ""
}

// TestTaskLanesAndList: the live tasks get a lane each under the parts (a
// block in each column they ran in, a run that blocked the loop as long as
// it took) and a line each in the tasks list; finished ones neither.
func TestTaskLanesAndList(t *testing.T) {
	m := newTestModel(t, newFake(tasksState()), 80, 24)
	lines := screen(m)
	if len(lines) != 24 {
		t.Errorf("%d lines, want 24:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	// 50 ms a column: green runs every fifth column; the sensor's 0.4 s
	// run fills the columns up to 0.4 s.
	if got, want := laneOf(t, lines, "blink green"), "█▁▁▁▁█▁▁▁▁█▁▁▁▁█▁▁▁▁█▁▁▁▁▁"; got != want {
		t.Errorf("green's lane is %q, want %q", got, want)
	}
	if got, want := laneOf(t, lines, "sensor"), "█████████▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁"; got != want {
		t.Errorf("the sensor's lane is %q, want %q", got, want)
	}
	line(t, lines, "── tasks (w: where each is paused) ")
	for _, want := range []string{
		"main        sleeping sleeping until 10.000s  1 runs",
		"blink green sleeping sleeping until 1.250s  5 runs  longest run 20µs",
		"sensor      sleeping sleeping until 1.400s  1 runs  longest run 400ms",
	} {
		line(t, lines, want)
	}
	for _, l := range lines {
		if strings.Contains(l, "gone") {
			t.Errorf("a finished task is shown: %q", l)
		}
	}
	// The lanes sit between the parts and the axis, in the diagram.
	axis := line(t, lines, "╵0s")
	if i, j := strings.Index(strings.Join(lines, "\n"), "█▁▁▁▁█"), strings.Index(strings.Join(lines, "\n"), axis); i < 0 || i > j {
		t.Error("the lanes are not above the axis")
	}
	// On a short screen the tasks give way to the board and the console.
	short := screen(newTestModel(t, newFake(tasksState()), 80, 16))
	if len(short) != 16 {
		t.Errorf("%d lines on a 16-line screen", len(short))
	}
	for _, l := range short {
		if strings.Contains(l, "tasks ") {
			t.Errorf("a 16-line screen lists the tasks: %q", l)
		}
	}
}

// TestBlinkLabsTasksInTheTerminal: the terminal view of a real Session
// lists the blink lab's tasks as they run.
func TestBlinkLabsTasksInTheTerminal(t *testing.T) {
	bin := testenv.BuildProgram(t, "github.com/goasyncio/asyncio/examples/blink")
	s, err := view.Start(view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	viewtest.WaitState(t, s, "the blink tasks", func(st view.State) bool { return len(st.Tasks) == 3 })
	m := newModel(s, config{width: 100, height: 30})
	defer m.unsubscribe()
	typeKeys(m, ".", ".")
	viewtest.WaitState(t, s, "green's third run", func(st view.State) bool {
		for _, tk := range st.Tasks {
			if tk.Name == "blink green" {
				return tk.Runs == 3 && tk.State == wire.TaskSleeping
			}
		}
		return false
	})
	// w asks where each task paused: the file and line of its await.
	typeKeys(m, "w")
	viewtest.WaitState(t, s, "the await points", func(st view.State) bool {
		for _, tk := range st.Tasks {
			if tk.Name == "blink green" {
				return tk.Where != ""
			}
		}
		return false
	})
	catchUp(m)
	lines := screen(m)
	if l := line(t, lines, "blink green sleeping sleeping until 0.750s"); !strings.Contains(l, "at main.blink") {
		t.Errorf("green's line lacks its await point: %q", l)
	}
	line(t, lines, "blink red   sleeping sleeping until 1.000s")
	if got := laneOf(t, lines, "blink green"); !strings.HasPrefix(got, "█▁▁▁▁█▁▁▁▁█") {
		t.Errorf("green's lane is %q", got)
	}
}

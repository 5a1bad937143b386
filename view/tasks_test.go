package view_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

func task(st view.State, name string) (view.TaskState, bool) {
	for _, t := range st.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return view.TaskState{}, false
}

// TestBlinkLabsTasks: the Session lists the blink lab's tasks with what
// each waits for, and keeps their history for the task lanes: the two
// blink tasks run in turn at the lab's times.
func TestBlinkLabsTasks(t *testing.T) {
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, blinkPkg), "-virtual"}, Paused: true})
	st := viewtest.WaitState(t, s, "blink's tasks at 0", func(st view.State) bool {
		r, ok1 := task(st, "blink red")
		g, ok2 := task(st, "blink green")
		return ok1 && ok2 && r.State == wire.TaskSleeping && g.State == wire.TaskSleeping
	})
	if g, _ := task(st, "blink green"); g.Text != "sleeping until 0.250s" || g.Runs != 1 || g.Lane() != "waiting" {
		t.Errorf("blink green at 0: %+v", g)
	}
	for range 4 {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	st = viewtest.WaitState(t, s, "green's fifth run at 1s", func(st view.State) bool {
		g, _ := task(st, "blink green")
		r, _ := task(st, "blink red")
		return g.Runs == 5 && r.Runs == 2 && g.State == wire.TaskSleeping
	})
	if g, _ := task(st, "blink green"); g.Text != "sleeping until 1.250s" || g.Since != time.Second {
		t.Errorf("blink green at 1s: %+v", g)
	}
	// The lanes: each run of a blink task, at its time.
	ids := map[int64]string{}
	for _, t := range st.Tasks {
		ids[t.ID] = t.Name
	}
	var runs []string
	for _, c := range st.TaskChanges {
		if c.State == wire.TaskRunning && strings.HasPrefix(ids[c.ID], "blink") {
			runs = append(runs, fmt.Sprintf("%s %v", ids[c.ID], c.At))
		}
	}
	want := "blink red 0s, blink green 0s, blink green 250ms, blink green 500ms, blink green 750ms, blink red 1s, blink green 1s"
	if got := strings.Join(runs, ", "); got != want {
		t.Errorf("the blink tasks' runs:\n got %s\nwant %s", got, want)
	}
	// Asked, the board tells where each task paused.
	if err := s.Where(); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "green's await point", func(st view.State) bool {
		g, _ := task(st, "blink green")
		return g.Where != ""
	})
	if g, _ := task(st, "blink green"); !strings.Contains(g.Where, "examples/blink/main.go:") || g.State != wire.TaskSleeping {
		t.Errorf("blink green's await point: %+v", g)
	}
	if n := len(s.State().TaskChanges); n != len(st.TaskChanges) {
		t.Errorf("the answer added %d task changes", n-len(st.TaskChanges))
	}
	// A restart starts the list afresh.
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "the second run's tasks", func(st view.State) bool {
		g, ok := task(st, "blink green")
		return st.Run == 2 && ok && g.Runs == 1
	})
	if len(st.TaskChanges) > 20 {
		t.Errorf("the second run at 0 has %d task changes; the first run's were kept?", len(st.TaskChanges))
	}
}

const fakeBoardPkg = "github.com/goasyncio/asyncio/view/testdata/fakeboard"

// TestTasksAreBounded: the Session lists at most wire.MaxTasks tasks,
// forgetting finished ones first and saying once that it leaves others
// out; it keeps at most Config.TaskHistory changes; and it refuses a
// malformed task change with a clear message.
func TestTasksAreBounded(t *testing.T) {
	var b strings.Builder
	enc := wire.NewEncoder(&b)
	msg := func(id int, state string) {
		enc.Encode(wire.Message{Type: wire.Task, ID: int64(id), Name: fmt.Sprint("t", id), At: int64(id) * 1e6, State: state, Text: "waiting for an event"})
	}
	for id := range wire.MaxTasks + 44 {
		msg(id, wire.TaskWaiting)
	}
	b.WriteString(`{"t":"task","name":"x","id":1,"state":"dancing"}` + "\n")
	b.WriteString(`{"t":"task","name":"x","id":1,"state":"ready","text":"` + strings.Repeat("y", wire.MaxTaskText+1) + `"}` + "\n")
	for id := range 10 {
		msg(id, wire.TaskDone)
	}
	for id := 1000; id < 1010; id++ {
		msg(id, wire.TaskSleeping)
	}
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, fakeBoardPkg), file}, TaskHistory: 100})
	st := viewtest.WaitState(t, s, "the last task", func(st view.State) bool {
		_, ok := task(st, "t1009")
		return ok
	})
	if len(st.Tasks) != wire.MaxTasks {
		t.Errorf("%d tasks listed, want %d", len(st.Tasks), wire.MaxTasks)
	}
	for _, name := range []string{"t0", "t9", "t256", "t299"} {
		if _, ok := task(st, name); ok {
			t.Errorf("%s is listed: a finished task, or one beyond the limit", name)
		}
	}
	for _, name := range []string{"t10", "t255", "t1000"} {
		if tk, ok := task(st, name); !ok || tk.Text != "waiting for an event" {
			t.Errorf("%s: %+v, %v", name, tk, ok)
		}
	}
	if n := len(st.TaskChanges); n > 100 || n < 75 {
		t.Errorf("%d task changes kept, want 75 to 100", n)
	}
	if last := st.TaskChanges[len(st.TaskChanges)-1]; last.ID != 1009 || last.State != wire.TaskSleeping {
		t.Errorf("the last change kept: %+v", last)
	}
	console := consoleText(st)
	for _, want := range []string{
		fmt.Sprintf("more than %d tasks; the others are not listed", wire.MaxTasks),
		`unknown task state "dancing"`,
		"a text of 513 bytes, want at most 512",
	} {
		if !strings.Contains(console, want) {
			t.Errorf("the console lacks %q:\n%s", want, console)
		}
	}
	if n := strings.Count(console, "the others are not listed"); n != 1 {
		t.Errorf("the limit is told %d times, want once", n)
	}
}

// Package view runs a program on the virtual board and keeps what its
// viewers show: the parts and their levels, the clock, the console, the
// history of every level for a timing diagram. The web page (package
// view/web) and the terminal view (package view/tui) both show a Session;
// cmd/board puts them together.
//
// A Session starts the program as a child process with the environment
// variable wire.EnvAddr pointing at a listener of its own. The program's
// simulated board (package board) connects back, and from then on the
// Session hears every level change and steers the board: buttons, input
// pins, and the pace of its virtual clock (asyncio.Pace). The program's
// standard output and error are the console; a line typed into the console
// goes to its standard input.
//
// The program's first simulated board connects back with the run's secret,
// which the Session puts in the variable and makes afresh for each run; the
// Session takes no other connection (see package internal/wire). Stopping a
// run (Restart, Close) kills the program's process group: what it started
// goes too. A line for its input that the program does not take within two
// seconds is dropped with ErrInputFull.
//
// The board switches the program's loop to the paced clock when it
// connects. A program on the real clock has run for a few milliseconds by
// then, and its times carry them (0.252 where the lab says 0.250); a
// program started on the virtual clock (the labs' -virtual flag) keeps its
// own times exactly, and runs in real time, or as fast or as slowly as the
// viewer asks, all the same.
package view

import (
	"errors"
	"time"

	"github.com/goasyncio/asyncio/internal/wire"
)

// Config is what Start runs and how.
type Config struct {
	// Program is the program's path and arguments. It is normally a built
	// Go program that uses package board.
	Program []string
	Dir     string   // its working directory; "" for the current one
	Env     []string // added to the current environment
	Speed   float64  // the clock's speed at the start, 0 for real time (1)
	Paused  bool     // start with the clock paused
	// History is how many level changes the Session keeps for the timing
	// diagram, the oldest dropped first; 0 means 20000.
	History int
	// ConsoleLines is how many console lines it keeps; 0 means 1000.
	ConsoleLines int
	// WaitForViewer makes Start wait to start the program until Begin (or
	// Restart) is called, so that a viewer that connects later sees the
	// run from its start: the web page calls Begin when it opens. Until
	// then the State's Run is 0 and Running false.
	WaitForViewer bool
	// TaskHistory is how many changes of the tasks' states the Session
	// keeps for the task lanes, the oldest dropped first; 0 means 5000.
	TaskHistory int
}

// PartState is a part of the board as a viewer draws it.
type PartState struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"` // the kind of part, as board files name it: "led", "pwm-led", "button", "pin", ...
	Colour    string `json:"colour,omitempty"`
	ActiveLow bool   `json:"activeLow,omitempty"`
	Output    bool   `json:"output,omitempty"` // a pin the program drives: not an input
	Width     int    `json:"width,omitempty"`  // 0 for one bit; 7 for a PWM duty in percent
	Level     int    `json:"level"`            // the pin's level, or a PWM LED pin's duty in percent
	// Brightness is how lit an LED is, 0 to 100 (0 or 100 for a plain
	// LED), its polarity taken into account; 0 for other parts.
	Brightness int  `json:"brightness"`
	Pressed    bool `json:"pressed,omitempty"` // a button held down
	// Height and Pixels are a display's size (with Width) and picture:
	// rows of pixels, eight a byte, the most significant bit leftmost, in
	// standard base64 (wire.Frame).
	Height int    `json:"height,omitempty"`
	Pixels string `json:"pixels,omitempty"`
	// Colours are an LED strip's colours (partkind.WS2812, Width LEDs),
	// the first LED's first, each "#rrggbb"; an LED that is out is
	// "#000000".
	Colours []string `json:"colours,omitempty"`
}

// Lit reports whether an LED is lit at all.
func (p PartState) Lit() bool { return p.Brightness > 0 }

// Change is one change of a part's level at a time of the program's clock.
type Change struct {
	At    time.Duration `json:"at"` // nanoseconds in JSON
	Name  string        `json:"name"`
	Value int           `json:"value"`
}

// TaskState is a task of the program's loop as a viewer lists it (the
// board sends its changes when a viewer is attached: see wire.Task).
type TaskState struct {
	ID    int64         `json:"id"`             // the board's number for it, unique in the run
	Name  string        `json:"name"`           // its name
	State string        `json:"state"`          // wire.TaskNew, TaskReady, TaskRunning, TaskWaiting, TaskSleeping or TaskDone
	Text  string        `json:"text,omitempty"` // what a waiting or sleeping task waits for
	Since time.Duration `json:"since"`          // when it came to State, on the program's clock
	Runs  int           `json:"runs"`           // how many times it has run
	// Longest is its longest run in real time: on the board's clock a run
	// takes no time, and a task that blocks the loop shows here.
	Longest time.Duration `json:"longest"`
	// Where is its await point, the function and file:line it paused at,
	// once Session.Where has asked for it; it is cleared when the task
	// runs again.
	Where string `json:"where,omitempty"`
}

// Lane returns the task's lane in a timing diagram: "running", "ready"
// (ready or new) or "waiting" (waiting or sleeping); "" once it is done.
func (t TaskState) Lane() string { return Lane(t.State) }

// Lane returns the lane of a task state (see TaskState.Lane).
func Lane(state string) string {
	switch state {
	case wire.TaskRunning:
		return "running"
	case wire.TaskReady, wire.TaskNew:
		return "ready"
	case wire.TaskWaiting, wire.TaskSleeping:
		return "waiting"
	}
	return ""
}

// TaskChange is one change of a task's state at a time of the program's
// clock, for the task lanes of a timing diagram.
type TaskChange struct {
	At    time.Duration `json:"at"` // nanoseconds in JSON
	ID    int64         `json:"id"`
	State string        `json:"state"`
	Text  string        `json:"text,omitempty"` // what it waits for from now on: its await point
	// Wall is the real duration of the run this change ends (a change
	// from running), in nanoseconds in JSON. On the board's paced clock a
	// run takes no time: a viewer draws it Wall times the clock's speed
	// wide, or a least width, so that a task that blocks the loop shows as
	// a long bar.
	Wall time.Duration `json:"wall,omitempty"`
}

// Console streams.
const (
	Stdout = "out"    // what the program wrote to standard output
	Stderr = "err"    // to standard error
	Stdin  = "in"     // a line typed in, sent to its standard input
	System = "system" // a note from the Session: started, exited, an error
)

// ConsoleLine is one line of the console.
type ConsoleLine struct {
	Stream string `json:"stream"` // Stdout, Stderr, Stdin or System
	Text   string `json:"text"`   // without the newline
}

// State is a copy of everything a viewer shows.
type State struct {
	Board   string        `json:"board"`   // the board's name
	Run     int           `json:"run"`     // 1 for the first run, bumped by Restart
	Parts   []PartState   `json:"parts"`   // in the order the program added them
	Time    time.Duration `json:"time"`    // the program's clock as last heard
	Speed   float64       `json:"speed"`   // the clock's speed, 1 for real time
	Paused  bool          `json:"paused"`  // whether the clock is paused
	Running bool          `json:"running"` // whether the program is running
	// Steps is how many Steps of this run the board has finished: it took
	// them, ran everything due at the time they stopped at, and (on Unix)
	// what they printed is in Console. Stepping says a Step asked for is
	// not finished yet; it is false once the run has ended.
	Steps    int64         `json:"steps"`
	Stepping bool          `json:"stepping"`
	Exit     string        `json:"exit"`    // how the last run ended, "" while running
	Console  []ConsoleLine `json:"console"` // oldest first
	Changes  []Change      `json:"changes"` // level history, oldest first
	// Base is each part's level before the oldest change in Changes: its
	// level when it was added, until older changes are dropped.
	Base map[string]int `json:"base"`
	// Tasks are the program's tasks, in the order the board first told of
	// them: at most wire.MaxTasks, finished ones forgotten first (the
	// board sends tasks only to a viewer).
	Tasks []TaskState `json:"tasks"`
	// TaskChanges is the tasks' history, oldest first, at most
	// Config.TaskHistory changes (the oldest are dropped a quarter at a
	// time).
	TaskChanges []TaskChange `json:"taskChanges"`
	// Seq is the Seq of the last update this State includes: a subscriber
	// that reads the State skips the updates numbered up to it.
	Seq uint64 `json:"seq"`
}

// Update kinds.
const (
	UpdateReset   = "reset"   // start again from State: a new run, or updates were dropped
	UpdatePart    = "part"    // Part was added or changed (its description or state)
	UpdateLevel   = "level"   // Change happened; Part is the part's new state
	UpdateClock   = "clock"   // Time, Speed, Paused, Steps, Stepping
	UpdateConsole = "console" // Console was added
	UpdateExit    = "exit"    // the program ended; Text says how
	UpdateTask    = "task"    // TaskChange happened, or (TaskChange nil) Task's await point came; Task is the task's new state
)

// Update is one thing that changed, as Subscribe delivers it.
type Update struct {
	Type string `json:"type"`
	// Seq numbers the Session's updates from 1, in the order they
	// happened (State.Seq).
	Seq    uint64        `json:"seq"`
	Run    int           `json:"run"`
	Part   PartState     `json:"part"`
	Change Change        `json:"change"`
	Time   time.Duration `json:"time"`
	Speed  float64       `json:"speed"`
	Paused bool          `json:"paused"`
	// Steps and Stepping are the State's, in an UpdateClock.
	Steps    int64       `json:"steps"`
	Stepping bool        `json:"stepping"`
	Console  ConsoleLine `json:"console"`
	Text     string      `json:"text,omitempty"`
	// Task and TaskChange are set in an UpdateTask.
	Task       *TaskState  `json:"task,omitempty"`
	TaskChange *TaskChange `json:"taskChange,omitempty"`
}

// Errors of the Session's commands; each returned error matches one with
// errors.Is and names what was wrong.
var (
	ErrNoPart     = errors.New("view: no such part")
	ErrNotInput   = errors.New("view: part is not an input")
	ErrNotRunning = errors.New("view: the program is not running")
	ErrClosed     = errors.New("view: session closed")
	ErrInputFull  = errors.New("view: the program does not take its input")
)

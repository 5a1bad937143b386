package wire_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goasyncio/asyncio/internal/wire"
)

// A viewer reads what a board sends, one message a line; a malformed line
// is an error it can report and go on from.
func ExampleDecoder() {
	in := `{"t":"hello","board":"lab","value":1}
{"t":"level","name":"green","at":250000000,"value":1}
{"t":"level"}
{"t":"clock","at":250000000,"speed":1,"paused":true}
`
	dec := wire.NewDecoder(strings.NewReader(in))
	for {
		m, err := dec.Decode()
		if errors.Is(err, wire.ErrMalformed) {
			fmt.Println("skipped:", err)
			continue
		}
		if err != nil {
			break // io.EOF
		}
		fmt.Println(m.Type, m.Board, m.Name, m.Time(), m.Value)
	}
	// Output:
	// hello lab  0s 1
	// level  green 250ms 1
	// skipped: wire: malformed message: "level": no name
	// clock   250ms 0
}

// A board with a viewer sends each change of a task's state: here blink's
// green task runs at 0.25 s and stops in Sleep, its run having taken 20 µs
// of real time. A viewer refuses a task change it cannot show.
func ExampleMessage_Check_task() {
	in := `{"t":"task","id":2,"name":"blink green","at":250000000,"state":"running"}
{"t":"task","id":2,"name":"blink green","at":250000000,"state":"sleeping","text":"sleeping until 0.500s","wall":20000}
{"t":"task","id":2,"name":"blink green","state":"asleep"}
`
	dec := wire.NewDecoder(strings.NewReader(in))
	for {
		m, err := dec.Decode()
		if errors.Is(err, wire.ErrMalformed) {
			fmt.Println("refused:", err)
			continue
		}
		if err != nil {
			break // io.EOF
		}
		fmt.Printf("%v %s %s %q (run of %v)\n", m.Time(), m.Name, m.State, m.Text, time.Duration(m.Wall))
	}
	// Output:
	// 250ms blink green running "" (run of 0s)
	// 250ms blink green sleeping "sleeping until 0.500s" (run of 20µs)
	// refused: wire: malformed message: "task": unknown task state "asleep"
}

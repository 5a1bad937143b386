package wire_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goasyncio/asyncio/board/wire"
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

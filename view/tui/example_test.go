package tui_test

import (
	"context"
	"log"

	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/tui"
)

// ExampleRun shows the blink lab, built as ./blink, in the terminal, with
// its clock paused at the start: press . to step it, space to let it run,
// q to quit.
func ExampleRun() {
	s, err := view.Start(view.Config{Program: []string{"./blink", "-virtual"}, Paused: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := tui.Run(context.Background(), s); err != nil {
		log.Fatal(err)
	}
}

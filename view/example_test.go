package view_test

import (
	"fmt"
	"log"

	"github.com/goasyncio/asyncio/view"
)

// Start runs a program on the virtual board, here a built blink lab on its
// virtual clock, paused; Step runs it to its next deadline.
func ExampleStart() {
	s, err := view.Start(view.Config{Program: []string{"./blink", "-virtual"}, Paused: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	updates, cancel := s.Subscribe(64)
	defer cancel()
	s.Step()
	for u := range updates {
		if u.Type == view.UpdateLevel {
			fmt.Println(u.Change.At, u.Part.Name, u.Part.Lit())
		}
	}
}

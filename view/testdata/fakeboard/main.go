// Command fakeboard plays a program's board to a view.Session without a
// loop: it connects as package board does, says hello with the run's
// secret, sends the lines of the file named by its argument as they are,
// prints "sent", and waits for its input to end.
package main

import (
	"fmt"
	"io"
	"net"
	"os"

	"github.com/goasyncio/asyncio/internal/wire"
)

func main() {
	token, addr, err := wire.ParseAddr(os.Getenv(wire.EnvAddr), false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	lines, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer conn.Close()
	if err := wire.NewEncoder(conn).Encode(wire.Message{Type: wire.Hello, Board: "fake", Value: wire.Version, Token: token}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := conn.Write(lines); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("sent")
	io.Copy(io.Discard, os.Stdin)
}

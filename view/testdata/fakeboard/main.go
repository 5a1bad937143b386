// Command fakeboard plays a program's board to a view.Session without a
// loop: it connects as package board does, says hello with the run's
// secret, sends the lines of the file named by its argument as they are,
// in order, except that it prints a line beginning "print " to its
// standard output, without that word; then it prints "sent" and waits for
// its input to end or bring the line "exit".
package main

import (
	"bufio"
	"bytes"
	"fmt"
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
	for line := range bytes.Lines(lines) {
		if text, ok := bytes.CutPrefix(line, []byte("print ")); ok {
			os.Stdout.Write(text)
			continue
		}
		if _, err := conn.Write(line); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println("sent")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() && in.Text() != "exit" {
	}
}

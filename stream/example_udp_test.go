package stream_test

import (
	"fmt"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// A UDP echo server and a client in one loop: the server answers each
// datagram to its sender's address; the client, connected to the server,
// sends and receives without naming it.
func ExampleOpenDatagramEndpoint() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := stream.OpenDatagramEndpoint(ctx, "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		defer srv.Close()
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			buf := make([]byte, stream.MaxDatagram)
			for {
				n, from, err := srv.RecvFrom(ctx, buf)
				if err != nil {
					return err
				}
				srv.SendTo(ctx, append([]byte("echo: "), buf[:n]...), from)
			}
		})
		cl, err := stream.OpenDatagramEndpoint(ctx, "", srv.LocalAddr().String())
		if err != nil {
			return err
		}
		defer cl.Close()
		cl.Send(ctx, []byte("hello"))
		buf := make([]byte, 100)
		n, err := cl.Recv(ctx, buf)
		if err != nil {
			return err
		}
		fmt.Println(string(buf[:n]))
		return nil
	})
	// Output: echo: hello
}

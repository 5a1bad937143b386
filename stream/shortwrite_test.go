package stream_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// takesNothing is a transport whose Write takes nothing and says nothing,
// against io.Writer's contract.
type takesNothing struct{ io.Reader }

func (takesNothing) Write(p []byte) (int, error) { return 0, nil }

// A write that the transport does not take, without an error, is not lost
// silently: Drain reports io.ErrShortWrite.
func TestShortWriteFails(t *testing.T) {
	run(t, func(ctx *asyncio.Ctx) error {
		s := stream.New(ctx.Loop(), takesNothing{strings.NewReader("")})
		defer s.Close()
		if n, err := s.WriteString("abc"); n != 3 || err != nil {
			t.Errorf("WriteString = %d, %v", n, err)
		}
		if err := s.Drain(ctx); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("Drain = %v, want io.ErrShortWrite", err)
		}
		return nil
	})
}

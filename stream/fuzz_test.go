package stream_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// chunked is a transport that delivers data in the chunk sizes chunks gives
// (cycled; a 0 is a read that returns nothing), then io.EOF: it stands for
// every way a network may cut a byte stream.
type chunked struct {
	data   []byte
	chunks []byte
	i      int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.chunks) > 0 {
		n = int(c.chunks[c.i%len(c.chunks)])
		c.i++
		if n == 0 && c.i%2 == 0 {
			n = 1 // empty reads, but not forever
		}
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func (c *chunked) Write(p []byte) (int, error) { return len(p), nil }
func (c *chunked) Close() error                { return nil }

// fuzzRun runs body on a stream over data cut into chunks, with a small read
// limit so that flow control pauses the reader goroutine often.
func fuzzRun(t *testing.T, data, chunks []byte, body func(ctx *asyncio.Ctx, s *stream.Stream), opts ...stream.Option) {
	t.Helper()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		rw := &chunked{data: bytes.Clone(data), chunks: bytes.Clone(chunks)}
		s := stream.New(ctx.Loop(), rw, append([]stream.Option{stream.WithReadLimit(7)}, opts...)...)
		body(ctx, s)
		return s.WaitClosed(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type lineResult struct {
	line    string
	tooLong bool
}

// wantLines is the model of ReadLine: the lines of data, each with its
// '\n'; a line longer than max (its '\n' counted) gives its first max bytes
// and ErrLineTooLong, and the rest of it is skipped.
func wantLines(data []byte, max int) []lineResult {
	var want []lineResult
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		line := data[:n]
		data = data[n:]
		if len(line) > max {
			want = append(want, lineResult{string(line[:max]), true})
		} else {
			want = append(want, lineResult{string(line), false})
		}
	}
	return want
}

func FuzzReadLine(f *testing.F) {
	f.Add([]byte("hello\nworld\n"), []byte{1}, uint8(8))
	f.Add([]byte("a very long line indeed\nshort\n"), []byte{3, 1, 4}, uint8(5))
	f.Add([]byte("no newline at the end"), []byte{0, 2}, uint8(30))
	f.Fuzz(func(t *testing.T, data, chunks []byte, maxLine uint8) {
		max := int(maxLine)%64 + 1
		want := wantLines(data, max)
		var got []lineResult
		fuzzRun(t, data, chunks, func(ctx *asyncio.Ctx, s *stream.Stream) {
			for {
				line, err := s.ReadLine(ctx)
				if err == io.EOF {
					if line != nil {
						t.Errorf("ReadLine at EOF returned %q", line)
					}
					return
				}
				tooLong := errors.Is(err, stream.ErrLineTooLong)
				if err != nil && !tooLong {
					t.Fatalf("ReadLine: %v", err)
				}
				got = append(got, lineResult{string(line), tooLong})
				if len(got) > len(data)+1 {
					t.Fatalf("more lines than bytes")
				}
			}
		}, stream.WithMaxLine(max))
		if len(got) != len(want) {
			t.Fatalf("max %d: got %d lines %+v; want %d %+v", max, len(got), got, len(want), want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("max %d: line %d = %+v; want %+v", max, i, got[i], want[i])
			}
		}
	})
}

func FuzzReadExactly(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), []byte{1}, []byte{4, 4, 4, 4})
	f.Add([]byte("0123456789"), []byte{3, 7}, []byte{6, 6})
	f.Add([]byte("xy"), []byte{}, []byte{0, 5})
	f.Add([]byte("frame"), []byte{2}, []byte{5, 1})
	f.Fuzz(func(t *testing.T, data, chunks, sizes []byte) {
		if len(sizes) == 0 {
			sizes = []byte{1}
		}
		fuzzRun(t, data, chunks, func(ctx *asyncio.Ctx, s *stream.Stream) {
			rest := data
			for i := 0; ; i++ {
				n := int(sizes[i%len(sizes)]) % 40
				p, err := s.ReadExactly(ctx, n)
				switch {
				case len(rest) >= n:
					if err != nil || !bytes.Equal(p, rest[:n]) {
						t.Fatalf("ReadExactly(%d) = %q, %v; want %q", n, p, err, rest[:n])
					}
					rest = rest[n:]
				case len(rest) == 0:
					if err != io.EOF || p != nil {
						t.Fatalf("ReadExactly(%d) at EOF = %q, %v; want io.EOF", n, p, err)
					}
					return
				default:
					var short *stream.ShortReadError
					if !errors.As(err, &short) || !errors.Is(err, io.ErrUnexpectedEOF) ||
						!bytes.Equal(short.Got, rest) || !bytes.Equal(p, rest) || short.Want != n {
						t.Fatalf("ReadExactly(%d) of %q = %q, %v; want a ShortReadError", n, rest, p, err)
					}
					rest = nil
				}
				if i > (len(data)+1)*len(sizes) {
					return // sizes of 0 only
				}
			}
		})
	})
}

// FuzzFraming mixes ReadLine, ReadExactly and Read on one stream, checking
// each against a model that includes the skipping of an over-long line's
// rest by whichever read comes next.
func FuzzFraming(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.0\r\nHost: x\r\n\r\nbody"), []byte{5, 1}, []byte{0, 0, 0, 0, 7, 2}, uint8(20))
	f.Add([]byte("toolongline\nab\ncd"), []byte{2}, []byte{0, 1, 2, 0}, uint8(4))
	f.Add([]byte("skip this to the end"), []byte{1}, []byte{0, 2}, uint8(3))
	f.Fuzz(func(t *testing.T, data, chunks, ops []byte, maxLine uint8) {
		if len(ops) == 0 {
			return
		}
		max := int(maxLine)%32 + 1
		fuzzRun(t, data, chunks, func(ctx *asyncio.Ctx, s *stream.Stream) {
			rest, skip := data, false
			for i := 0; ; i++ {
				op, k := ops[i%len(ops)]%3, int(ops[i%len(ops)]/3)%20+1
				// The model: first skip the rest of a long line.
				atEOF := false
				if skip {
					if j := bytes.IndexByte(rest, '\n'); j >= 0 {
						rest, skip = rest[j+1:], false
					} else {
						rest, atEOF = nil, true
					}
				}
				if len(rest) == 0 {
					atEOF = true
				}
				var p []byte
				var err error
				var want string
				var wantErr error
				switch op {
				case 0:
					p, err = s.ReadLine(ctx)
					n := bytes.IndexByte(rest, '\n') + 1
					if n == 0 {
						n = len(rest)
					}
					switch {
					case atEOF:
						wantErr = io.EOF
					case n > max:
						want, wantErr, skip = string(rest[:max]), stream.ErrLineTooLong, true
						rest = rest[max:]
					default:
						want, rest = string(rest[:n]), rest[n:]
					}
				case 1:
					p, err = s.ReadExactly(ctx, k)
					switch {
					case atEOF:
						wantErr = io.EOF
					case len(rest) < k:
						want, wantErr, rest = string(rest), io.ErrUnexpectedEOF, nil
					default:
						want, rest = string(rest[:k]), rest[k:]
					}
				case 2:
					p, err = s.Read(ctx, k)
					if atEOF {
						wantErr = io.EOF
					} else {
						// Any part of what is there, at least a byte.
						n := min(k, len(rest))
						if len(p) >= 1 && len(p) <= n {
							n = len(p)
						}
						want, rest = string(rest[:n]), rest[n:]
					}
				}
				if string(p) != want || !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
					t.Fatalf("op %d (%d, k=%d, max=%d): %q, %v; want %q, %v", i, op, k, max, p, err, want, wantErr)
				}
				if errors.Is(err, io.EOF) {
					return
				}
			}
		}, stream.WithMaxLine(max))
	})
}

//go:build !tinygo

package board_test

import (
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/wire"
)

// TestAttachViewerClosedLoop: AttachViewer on a board whose loop is
// closed returns nil, as if the board were shown, though nothing can be:
// newViewer dials the viewer, SetPace and KeepAlive a closed loop, and
// OnClose runs v.close at once. It also takes the process's one viewer, so
// a board on a live loop is then refused. It should fail (ErrLoopClosed)
// before takeViewer.
func TestAttachViewerClosedLoop(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("no TCP listener")
	}
	board.ResetViewer()
	defer board.ResetViewer()
	t.Setenv(wire.EnvAddr, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	link := wire.FormatAddr(wire.NewToken(), ln.Addr().String())

	closed := asyncio.NewLoop(asyncio.VirtualClock())
	sim := board.NewSim(closed)
	closed.Close()
	if err := sim.AttachViewer(link); err == nil {
		t.Error("AttachViewer on a board whose loop is closed returned nil")
	}
	live := asyncio.NewLoop(asyncio.VirtualClock())
	defer live.Close()
	if err := board.NewSim(live).AttachViewer(link); err != nil {
		t.Errorf("a board on a live loop cannot attach after the closed one's attempt: %v", err)
	}
	// let the dial goroutines end before goleak looks
	time.Sleep(50 * time.Millisecond)
}

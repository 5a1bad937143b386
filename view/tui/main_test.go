package tui

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// TestMain checks that no test leaves a goroutine behind: the view's
// subscription, the Bubble Tea program and the Session all end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

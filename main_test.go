package asyncio_test

import (
	"testing"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// TestMain runs every test in debug mode (every loop checks that its
// methods are called from the right goroutine) and checks that no test
// leaves a goroutine behind: every loop a test runs must have ended its
// tasks' coroutines.
func TestMain(m *testing.M) { testenv.DebugMain(m) }

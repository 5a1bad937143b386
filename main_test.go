package asyncio_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// TestMain checks that no test leaves a goroutine behind: every loop a test
// runs must have ended its tasks' coroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

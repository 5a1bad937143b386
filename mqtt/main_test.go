package mqtt_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// TestMain checks that no test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

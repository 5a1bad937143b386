//go:build !linux || tinygo

package asyncio

import "time"

// Elsewhere the loop's default idle wait is a runtime timer and a channel
// (see Loop.wait).

type idleWait struct{}

func (l *Loop) sleepIdle(time.Duration) bool { return false }
func (l *Loop) wakeIdle() bool               { return false }
func (l *Loop) endIdle()                     {}

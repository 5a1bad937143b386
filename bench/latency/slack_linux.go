//go:build linux

package main

import (
	"syscall"
	"time"
)

// setSlack sets this thread's timer slack (prctl PR_SET_TIMERSLACK).
func setSlack(ns uintptr) { syscall.RawSyscall(syscall.SYS_PRCTL, 29, ns, 0) }

const haveSlack = true

// floorPeriodic: one locked thread (at 1 ns slack, see runChild) in
// nanosleep to each deadline: the OS's own precision, no scheduler.
func floorPeriodic(dur time.Duration) []int64 {
	var lat []int64
	start := time.Now()
	for k := 1; time.Duration(k)*period <= dur; k++ {
		next := start.Add(time.Duration(k) * period)
		if d := time.Until(next); d > 0 {
			ts := syscall.NsecToTimespec(int64(d))
			for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
			}
		}
		lat = append(lat, int64(time.Since(next)))
	}
	return lat
}

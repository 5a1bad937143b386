//go:build linux

package main

import (
	"syscall"
	"time"
	"unsafe"
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
			// Raw: not even the Go scheduler's system-call bookkeeping.
			for {
				_, _, e := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), uintptr(unsafe.Pointer(&ts)), 0)
				if e != syscall.EINTR {
					break
				}
			}
		}
		lat = append(lat, int64(time.Since(next)))
	}
	return lat
}

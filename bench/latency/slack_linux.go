//go:build linux

package main

import "syscall"

// setSlack sets this thread's timer slack (prctl PR_SET_TIMERSLACK).
func setSlack(ns uintptr) { syscall.RawSyscall(syscall.SYS_PRCTL, 29, ns, 0) }

const haveSlack = true

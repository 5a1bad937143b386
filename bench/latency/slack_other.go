//go:build !linux

package main

import "time"

func setSlack(uintptr) {}

const haveSlack = false

func floorPeriodic(time.Duration) []int64 { return nil }

//go:build !linux

package main

func setSlack(uintptr) {}

const haveSlack = false

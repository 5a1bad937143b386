//go:build !linux

package main

import (
	"errors"
	"io"
)

// onGPIO is only for Linux.
func onGPIO(io.Writer, config) error {
	return errors.New("-gpio needs Linux's GPIO character device")
}

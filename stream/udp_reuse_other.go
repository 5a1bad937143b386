//go:build unix && !linux

package stream

// soReusePort: SO_REUSEADDR alone lets endpoints share a port for
// broadcasts here.
const soReusePort = 0

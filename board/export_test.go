package board

import "sync"

// ResetViewer lets the next simulated board attach to a viewer again, as
// the first board of a process does.
func ResetViewer() { viewerOnce = sync.Once{} }

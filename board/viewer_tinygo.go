//go:build tinygo

package board

import "github.com/goasyncio/asyncio/board/wave"

// viewer is not available on microcontrollers: there is no viewer to
// connect to.
type viewer struct{}

func (s *Sim) attachViewer()         {}
func (v *viewer) hello()             {}
func (v *viewer) part(string)        {}
func (v *viewer) level(wave.Change)  {}
func (v *viewer) frame(*SimSSD1306)  {}
func (v *viewer) colours(*SimWS2812) {}

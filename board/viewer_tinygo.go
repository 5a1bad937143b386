//go:build tinygo

package board

import (
	"errors"

	"github.com/goasyncio/asyncio/board/wave"
)

// AttachViewer returns an error: a microcontroller has no viewer to show
// the board on.
func (s *Sim) AttachViewer(link string) error {
	return errors.New("board: AttachViewer: no viewer on a microcontroller")
}

// viewer is not available on microcontrollers: there is no viewer to
// connect to.
type viewer struct{}

func (s *Sim) attachEnvViewer()      {}
func (v *viewer) hello()             {}
func (v *viewer) part(string)        {}
func (v *viewer) level(wave.Change)  {}
func (v *viewer) frame(*SimSSD1306)  {}
func (v *viewer) colours(*SimWS2812) {}

package board

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goasyncio/asyncio/board/wave"
)

// SaveWaveform writes the board's waveform (see Sim.Waveform) to the file
// at path: a VCD if its name ends in ".vcd", WaveDrom JSON drawn with opts
// if it ends in ".json". It returns an error for another extension, or the
// error of writing the file.
func (s *Sim) SaveWaveform(path string, opts wave.WaveDromOptions) error {
	w := s.Waveform()
	ext := filepath.Ext(path)
	if ext != ".vcd" && ext != ".json" {
		return fmt.Errorf("board: SaveWaveform %s: want a .vcd or .json file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if ext == ".vcd" {
		err = w.WriteVCD(f)
	} else {
		err = w.WriteWaveDrom(f, opts)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

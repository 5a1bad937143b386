package wave_test

import (
	"fmt"
	"os"
	"time"

	"github.com/goasyncio/asyncio/board/wave"
)

// A waveform drawn as WaveDrom JSON: one character per 250 ms step.
func ExampleWaveform_WriteWaveDrom() {
	w := &wave.Waveform{
		Signals: []wave.Signal{
			{Name: "red", Init: 1},
			{Name: "lamp", Kind: wave.Vector, Width: 7, Unit: "%"},
		},
		Changes: []wave.Change{
			{At: 250 * time.Millisecond, Signal: "red", Value: 0},
			{At: 500 * time.Millisecond, Signal: "lamp", Value: 40},
			{At: 750 * time.Millisecond, Signal: "red", Value: 1},
		},
		End: time.Second,
	}
	if err := w.WriteWaveDrom(os.Stdout, wave.WaveDromOptions{Title: "demo"}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {
	//   "signal": [
	//     {
	//       "name": "red",
	//       "wave": "10.1"
	//     },
	//     {
	//       "name": "lamp",
	//       "wave": "=.=.",
	//       "data": [
	//         "0%",
	//         "40%"
	//       ]
	//     }
	//   ],
	//   "head": {
	//     "text": "demo"
	//   },
	//   "foot": {
	//     "text": "one step = 250ms"
	//   },
	//   "config": {
	//     "hscale": 1
	//   }
	// }
}

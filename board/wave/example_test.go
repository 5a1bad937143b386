package wave_test

import (
	"fmt"
	"os"
	"strings"
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

// Reading a VCD back, here one with a 1 µs timescale.
func ExampleReadVCD() {
	w, err := wave.ReadVCD(strings.NewReader(`
$timescale 1us $end
$scope module board $end
$var wire 1 ! led $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
$end
#1500
1!
#2000
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Scope, w.Signals[0].Name, w.Changes, w.End)
	// Output:
	// board led [0.002 led 1] 2ms
}

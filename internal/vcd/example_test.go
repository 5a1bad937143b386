package vcd_test

import (
	"fmt"
	"strings"

	"github.com/goasyncio/asyncio/internal/vcd"
)

// Reading a VCD back, here one with a 1 µs timescale.
func ExampleRead() {
	w, err := vcd.Read(strings.NewReader(`
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

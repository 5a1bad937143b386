package asyncio_test

import (
	"slices"
	"testing"

	"github.com/goasyncio/asyncio"
)

func TestCallSoonRunsInOrder(t *testing.T) {
	var got []int
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		for i := range 3 {
			ctx.Loop().CallSoon(func() { got = append(got, i) })
		}
		return asyncio.Sleep(ctx, 0)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("got %v", got)
	}
}

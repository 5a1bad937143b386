//go:build !race

package testenv

// RaceEnabled reports whether the tests were built with -race, under which
// allocation counts are not meaningful.
const RaceEnabled = false

// Package viewtest helps tests that run programs on the virtual board
// through a view.Session.
package viewtest

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio/view"
)

// Bound is how long WaitState waits before it fails the test: a bound on a
// broken run, not a timing assertion.
const Bound = time.Minute

// WaitState waits until ok holds for the Session's state, and returns that
// state. It looks again after each update, and fails the test, naming what
// it waited for and showing the state, if Bound passes first.
func WaitState(t testing.TB, s *view.Session, what string, ok func(view.State) bool) view.State {
	t.Helper()
	updates, cancel := s.Subscribe(64)
	defer cancel()
	deadline := time.After(Bound)
	for {
		if st := s.State(); ok(st) {
			return st
		}
		select {
		case <-updates:
		case <-deadline:
			t.Fatalf("waiting for %s; state: %+v", what, s.State())
		}
	}
}

// Part returns the part of st named name, or the zero PartState.
func Part(st view.State, name string) view.PartState {
	for _, p := range st.Parts {
		if p.Name == name {
			return p
		}
	}
	return view.PartState{}
}

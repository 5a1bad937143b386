// Package simhook lets the module's tools attach to a program's simulated
// board from a package's init, as the scenario runner of cmd/board test does
// (package board/scenario/attach): board.NewSim calls the functions added
// here with each board it makes.
package simhook

// hooks are called with each new simulated board.
var hooks []func(sim any)

// Add makes fn be called with each *board.Sim that board.NewSim makes from
// now on, right after it is made and before its parts are added (they are
// there by the loop's next turn). Call it before the program makes its
// board, from a package's init.
func Add(fn func(sim any)) { hooks = append(hooks, fn) }

// Run calls the functions added with sim, in the order they were added;
// board.NewSim calls it.
func Run(sim any) {
	for _, fn := range hooks {
		fn(sim)
	}
}

package board

// simHooks are called with each new simulated board (see OnNewSim).
var simHooks []func(*Sim)

// OnNewSim makes fn be called with each simulated board NewSim makes from
// now on, right after it is made and before its parts are added (they are
// there by the loop's next turn). It is meant for tools that attach to a
// program's board from a package's init, as the scenario runner of
// cmd/board test does; call it before the program makes its board.
func OnNewSim(fn func(*Sim)) { simHooks = append(simHooks, fn) }

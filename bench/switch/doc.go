// Package switchbench measures candidate task-switch mechanisms for a
// cooperative scheduler. Every benchmark has the same shape: a hub resumes N
// tasks in turn and each task yields straight back, for N = 2 and N = 1000.
// One benchmark operation is one switch: a resume and the yield that answers
// it.
//
// The mechanisms are
//
//   - IterPull: each task is an iter.Pull coroutine; the hub calls its next.
//   - Chan: each task is a goroutine with its own channel; the hub sends the
//     baton on it and receives it back on a shared channel.
//   - Cond: each task is a goroutine with its own sync.Cond, which the hub and
//     the task signal in turn.
//   - Gosched: with GOMAXPROCS=1, the hub and the tasks poll a shared turn
//     number and call runtime.Gosched until it is theirs. Every task that is
//     not resumed still spins, so a switch costs a pass over all N goroutines:
//     it shows why polling does not scale, not a usable design.
//   - Library: the asyncio package itself, N tasks looping Sleep(ctx, 0).
//
// Run them with
//
//	go test -bench . -benchmem ./bench/switch
//
// The package's tests check that each mechanism hands the baton to the right
// task the right number of times; they run in well under a second and pass
// under -race.
package switchbench

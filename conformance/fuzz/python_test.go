package fuzz

import (
	"fmt"
	"strings"
)

// This file emits a program as MicroPython source. The same text runs under
// CPython 3.11 once sleep_ms and wait_for_ms are shimmed (cpython_test.go).

// pyPrelude is the part every program shares: how exceptions and results are
// printed, the two exception handlers, and the final report, which the
// runner calls once no task can run any more.
const pyPrelude = `
def en(e):
    if isinstance(e, ValueError):
        return "ValueError:" + str(e.args[0])
    if isinstance(e, RuntimeError):
        return "RuntimeError:" + str(e)
    return type(e).__name__


def res(r):
    return [en(x) if isinstance(x, BaseException) else x for x in r]


def hA(loop, ctx):
    print("handler A:", ctx["message"], en(ctx["exception"]))


def hB(loop, ctx):
    print("handler B:", ctx["message"], en(ctx["exception"]))


def _fin():
    pending = ["t%d" % j for j in range(len(T)) if T[j] is not None and not T[j].done()]
    print("end:", pending, [e.is_set() for e in E], [l.locked() for l in L])
`

// python returns the program as MicroPython source, ending with
// asyncio.run(main()) as the npm build's command line wants.
func (p *program) python() string {
	var w pyWriter
	w.line(0, "import asyncio")
	w.b.WriteString(pyPrelude)
	w.line(0, "")
	w.line(0, "T = [None] * %d", len(p.tasks))
	w.line(0, "E = [asyncio.Event() for _ in range(%d)]", p.events)
	w.line(0, "L = [asyncio.Lock() for _ in range(%d)]", p.locks)
	for j, ss := range p.tasks {
		w.line(0, "")
		w.line(0, "")
		w.line(0, "async def t%d():", j)
		if j == 0 {
			w.line(1, "T[0] = asyncio.current_task()")
			w.line(1, "asyncio.get_event_loop().set_exception_handler(hA)")
		}
		w.line(1, "print(%q)", fmt.Sprintf("t%d start", j))
		w.line(1, "try:")
		w.steps(2, ss)
		w.line(1, "except BaseException as e:")
		w.line(2, "print(%q, en(e))", fmt.Sprintf("t%d exits", j))
		w.line(2, "raise")
		w.line(1, "print(%q)", fmt.Sprintf("t%d end", j))
		w.line(1, "return %d", j)
	}
	w.line(0, "")
	w.line(0, "")
	w.line(0, "main = t0")
	w.line(0, "asyncio.run(main())")
	return w.b.String()
}

type pyWriter struct{ b strings.Builder }

func (w *pyWriter) line(indent int, format string, args ...any) {
	if format == "" {
		w.b.WriteString("\n")
		return
	}
	w.b.WriteString(strings.Repeat("    ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\n")
}

func (w *pyWriter) steps(in int, ss []step) {
	if len(ss) == 0 {
		w.line(in, "pass")
	}
	for i := range ss {
		w.step(in, &ss[i])
	}
}

// say prints the step's label and a text, then the Python expressions in
// extra (", r" or empty).
func (w *pyWriter) say(in int, s *step, extra string, format string, args ...any) {
	text := s.label + " " + fmt.Sprintf(format, args...)
	w.line(in, "print(%q%s)", text, extra)
}

// guarded writes an awaiting statement that assigns r, then prints r; with
// s.catch it catches Exception and prints it instead.
func (w *pyWriter) guarded(in int, s *step, stmt, what, result string) {
	if s.catch {
		w.line(in, "try:")
		in++
	}
	w.line(in, "%s", stmt)
	w.say(in, s, ", "+result, "%s ->", what)
	if s.catch {
		w.line(in-1, "except Exception as e:")
		w.say(in, s, ", en(e)", "%s !", what)
	}
}

func (w *pyWriter) step(in int, s *step) {
	switch s.kind {
	case kSleep0:
		w.line(in, "await asyncio.sleep(0)")
		w.say(in, s, "", "sleep0")
	case kSleepMs:
		w.line(in, "await asyncio.sleep_ms(%d)", s.n)
		w.say(in, s, "", "slept %d", s.n)
	case kCreate:
		w.line(in, "T[%d] = asyncio.create_task(t%d())", s.task, s.task)
		w.say(in, s, "", "create t%d", s.task)
	case kAwait:
		what := fmt.Sprintf("await t%d", s.task)
		w.line(in, "if T[%d] is None:", s.task)
		w.say(in+1, s, "", "%s: none", what)
		w.line(in, "else:")
		w.guarded(in+1, s, fmt.Sprintf("r = await T[%d]", s.task), what, "r")
	case kCancel:
		w.line(in, "if T[%d] is None:", s.task)
		w.say(in+1, s, "", "cancel t%d: none", s.task)
		w.line(in, "else:")
		w.line(in+1, "try:")
		w.say(in+2, s, fmt.Sprintf(", T[%d].cancel()", s.task), "cancel t%d", s.task)
		w.line(in+1, "except RuntimeError as e:")
		w.say(in+2, s, ", en(e)", "cancel t%d", s.task)
	case kWaitFor:
		what := fmt.Sprintf("wait_for t%d", s.task)
		aw := fmt.Sprintf("T[%d]", s.task)
		if s.coro {
			what = fmt.Sprintf("wait_for t%d()", s.task)
			aw = fmt.Sprintf("t%d()", s.task)
		}
		call := fmt.Sprintf("asyncio.wait_for(%s, %s)", aw, seconds(s.n))
		if s.ms {
			call = fmt.Sprintf("asyncio.wait_for_ms(%s, %d)", aw, s.n)
		}
		if s.coro {
			w.guarded(in, s, "r = await "+call, what, "r")
			return
		}
		w.line(in, "if T[%d] is None:", s.task)
		w.say(in+1, s, "", "%s: none", what)
		w.line(in, "else:")
		w.guarded(in+1, s, "r = await "+call, what, "r")
	case kGather:
		var args, names, none []string
		for i, j := range s.tasks {
			if s.coros[i] {
				args = append(args, fmt.Sprintf("t%d()", j))
				names = append(names, fmt.Sprintf("t%d()", j))
			} else {
				args = append(args, fmt.Sprintf("T[%d]", j))
				names = append(names, fmt.Sprintf("t%d", j))
				none = append(none, fmt.Sprintf("T[%d] is None", j))
			}
		}
		what := "gather " + strings.Join(names, " ")
		call := fmt.Sprintf("r = await asyncio.gather(%s)", strings.Join(args, ", "))
		if s.ret {
			call = fmt.Sprintf("r = await asyncio.gather(%s, return_exceptions=True)", strings.Join(args, ", "))
		}
		if len(none) == 0 {
			w.guarded(in, s, call, what, "res(r)")
			return
		}
		w.line(in, "if %s:", strings.Join(none, " or "))
		w.say(in+1, s, "", "%s: none", what)
		w.line(in, "else:")
		w.guarded(in+1, s, call, what, "res(r)")
	case kEventSet:
		w.line(in, "E[%d].set()", s.k)
		w.say(in, s, "", "set e%d", s.k)
	case kEventClear:
		w.line(in, "E[%d].clear()", s.k)
		w.say(in, s, "", "clear e%d", s.k)
	case kEventWait:
		w.line(in, "r = await E[%d].wait()", s.k)
		w.say(in, s, ", r", "waited e%d", s.k)
	case kLockAcquire:
		w.line(in, "r = await L[%d].acquire()", s.k)
		w.say(in, s, ", r", "acquired l%d", s.k)
	case kLockRelease:
		w.line(in, "try:")
		w.line(in+1, "L[%d].release()", s.k)
		w.say(in+1, s, fmt.Sprintf(", L[%d].locked()", s.k), "released l%d", s.k)
		w.line(in, "except RuntimeError as e:")
		w.say(in+1, s, ", en(e)", "release l%d", s.k)
	case kRaise:
		w.say(in, s, "", "raise")
		w.line(in, "raise ValueError(%q)", s.label)
	case kTry:
		w.line(in, "try:")
		w.steps(in+1, s.body)
		switch s.tryCatch {
		case catchCancelled:
			w.line(in, "except asyncio.CancelledError:")
			w.say(in+1, s, "", "caught CancelledError")
		case catchException:
			w.line(in, "except Exception as e:")
			w.say(in+1, s, ", en(e)", "caught")
		}
		if s.tryCatch != catchNone && s.reraise {
			w.line(in+1, "raise")
		}
		w.line(in, "finally:")
		w.say(in+1, s, "", "finally")
		w.steps(in+1, s.final)
	case kHandler:
		h := [...]string{"None", "hA", "hB"}[s.n]
		w.line(in, "asyncio.get_event_loop().set_exception_handler(%s)", h)
		w.say(in, s, "", "handler %s", h)
	default:
		panic(fmt.Sprintf("python: step kind %v", s.kind))
	}
}

// seconds writes n milliseconds as Python seconds; int(t * 1000) gives n
// back for every timeout the generator draws.
func seconds(ms int) string {
	if ms == 0 {
		return "0"
	}
	return fmt.Sprintf("%g", float64(ms)/1000)
}

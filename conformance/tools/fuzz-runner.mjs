// Runs many MicroPython asyncio programs in one MicroPython interpreter, on a
// virtual clock, for the differential fuzzer in ../fuzz.
//
//   node conformance/tools/fuzz-runner.mjs
//
// It reads one JSON object a line on stdin, {"src": "..."}, and answers each
// with one line on stdout, {"out": "...", "stderr": "...", "err": "..."}: what
// the program printed on stdout and stderr (where MicroPython's default
// exception handler writes), and what went wrong beside it (a Python
// exception outside a task, a runaway program). Each program must end with `asyncio.run(main())`, as
// for MicroPython's own command line: that call runs main as a task, and the
// runner then lets every task run until none can run any more (MicroPython's
// asyncio.run would return as soon as main returns; here the other tasks go
// on, as they do on a board whose loop keeps running). Then it calls the
// program's _fin() for its last line.
//
// Time is virtual: @sinonjs/fake-timers replaces the timers, Date and
// performance before MicroPython is loaded, so its ticks_ms() reads the fake
// clock, and the clock jumps to the next timer whenever the interpreter waits.
// Every program then runs the same way every time, at once.
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const conformance = path.join(here, "..");
const require = createRequire(path.join(conformance, "package.json"));
const FakeTimers = require("@sinonjs/fake-timers");

const clock = FakeTimers.install({
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"],
  loopLimit: 100000,
});
const realImmediate = setImmediate;
const { loadMicroPython } = await import(
  path.join(conformance, "node_modules", "@micropython", "micropython-webassembly-pyscript", "micropython.mjs")
);

// A fresh interpreter every so many programs, and after any failure, so that
// one program's leftovers cannot pile up.
const programsPerInterpreter = 2000;

let stdout = [];
let stderr = [];
let mp = null;
let programs = 0;

async function load() {
  mp = await loadMicroPython({
    heapsize: 16 * 1024 * 1024,
    linebuffer: false,
    stdout: (b) => stdout.push(...b),
    stderr: (b) => stderr.push(...b),
  });
  // asyncio.run(main()) runs main as a task awaited by another task, as
  // MicroPython's own run does: main's exception is retrieved, so it does not
  // go to the exception handler (the npm build's command line awaits main from
  // JavaScript, which does not count as retrieving it).
  mp.runPython(`
import asyncio

async def _fuzz_top(t):
    try:
        await t
    except BaseException:
        pass

def _fuzz_run(coro):
    asyncio.create_task(_fuzz_top(asyncio.create_task(coro)))

asyncio.run = _fuzz_run
`);
  programs = 0;
}

const decode = (bytes) => new TextDecoder().decode(new Uint8Array(bytes));

async function runOne(src) {
  if (mp === null || programs >= programsPerInterpreter) await load();
  programs++;
  stdout = [];
  stderr = [];
  let err = "";
  try {
    mp.runPython(src);
    // Run until no timer is left: the interpreter schedules every task step
    // with setTimeout, so then no task can run any more.
    for (let rounds = 0; ; rounds++) {
      await clock.runAllAsync();
      await new Promise((resolve) => realImmediate(resolve));
      if (clock.countTimers() === 0) break;
      if (rounds > 1000) throw new Error("still running after 1000 rounds");
    }
    mp.runPython("_fin()");
  } catch (e) {
    err = String(e && e.message ? e.message : e);
    mp = null;
    clock.reset();
  }
  return { out: decode(stdout), stderr: decode(stderr), err };
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
  if (line.trim() === "") continue;
  const { src } = JSON.parse(line);
  const reply = await runOne(src);
  process.stdout.write(JSON.stringify(reply) + "\n");
}

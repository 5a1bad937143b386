// Runs a scenario in MicroPython with MicroPython's own asyncio package (the
// one boards use, which has asyncio.run, the loop API and ThreadSafeFlag)
// instead of the WebAssembly build's, and prints its output. This is how the
// scenarios/NAME.exp files are made; see ../README.md.
//
//   node conformance/tools/board-asyncio.mjs MICROPYTHON/extmod/asyncio conformance/scenarios/NAME.py
//
// MICROPYTHON is a checkout of the MicroPython repository at the tag of the
// pinned npm build (v1.27.0). Its asyncio sources are read from there at run
// time; none of them are part of this repository.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [asyncioDir, scenario] = process.argv.slice(2);
if (!asyncioDir || !scenario) {
  console.error("usage: node board-asyncio.mjs MICROPYTHON/extmod/asyncio SCENARIO.py");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const mjs = path.join(here, "..", "node_modules", "@micropython", "micropython-webassembly-pyscript", "micropython.mjs");
const { loadMicroPython } = await import(mjs);
const mp = await loadMicroPython({
  heapsize: 8 * 1024 * 1024,
  stdout: (data) => process.stdout.write(data),
  linebuffer: false,
});

// A package named asyncio in the interpreter's root directory comes before
// the frozen one on sys.path once "/" is put first.
mp.FS.mkdir("/asyncio");
for (const f of fs.readdirSync(asyncioDir)) {
  if (f.endsWith(".py")) mp.FS.writeFile("/asyncio/" + f, fs.readFileSync(path.join(asyncioDir, f)));
}
const src = fs.readFileSync(scenario, "utf8");
try {
  mp.runPython("import sys\nsys.path.insert(0, '/')\n" + src);
} catch (e) {
  if (e.name !== "PythonError") throw e;
  if (e.type !== "SystemExit") {
    console.error(e.message);
    process.exitCode = 1;
  }
}

// The board page: it keeps a copy of the Session's state, fed by the server's
// event stream (/events), draws the board, the console and the timing
// diagram from it, and sends what the user does as POSTs to api/<command>.
"use strict";

(function () {
  const NS = 1e9; // nanoseconds in a second: times arrive in nanoseconds
  const SPEEDS = [0.1, 0.5, 1, 2, 10, 100];
  const SPANS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]; // seconds
  const MAX_CONSOLE = 1000; // lines kept on the page
  const MAX_CHANGES = 20000; // level changes kept per part

  // LED colours by name; any other CSS colour is used as it is.
  const COLOURS = {
    red: "#ff3b30", green: "#30d158", blue: "#0a84ff", yellow: "#ffd60a",
    amber: "#ffb000", orange: "#ff9f0a", white: "#f2f2f7", purple: "#bf5af2",
    pink: "#ff5fa2", cyan: "#64d2ff",
  };

  const $ = (sel) => document.querySelector(sel);

  // What the page knows of the Session.
  let run = 0;
  let boardName = "";
  let parts = [];            // PartState, in the program's order
  let byName = new Map();    // name -> PartState
  let history = new Map();   // name -> [{at, value}], oldest first
  let base = new Map();      // name -> the level before its oldest change
  const clock = {
    time: 0,        // the program's clock as last heard (ns)
    speed: 1,
    paused: false,
    running: false,
    exit: "",
    steps: 0,         // the Steps of this run the board has finished
    stepping: false,  // a Step asked for is not finished yet
    anchor: 0,      // the clock (ns) at anchorReal, while it runs
    anchorReal: 0,  // performance.now() when anchor was taken
    shown: 0,       // the time last shown while running: it never goes back
  };
  let connected = false;
  let dirty = true; // the diagram needs drawing

  // The program's tasks (the board sends them while a viewer is attached):
  // the list, and the history of their states for the task lanes.
  const MAX_TASK_CHANGES = 5000; // as the Session keeps by default
  const MAX_LANES = 12;          // task lanes drawn under the pins
  let tasks = [];                // TaskState, in the Session's order
  let taskChanges = [];          // [{at, id, state, text, wall}], oldest first
  let tasksDirty = true;         // the tasks panel needs drawing

  // ---- commands ---------------------------------------------------------

  // Commands go out one at a time, in order, so that a release never
  // overtakes its press.
  let queue = Promise.resolve();

  // post sends a command; body is an object, or a string sent as it is. It
  // resolves to whether the server accepted it, and shows its error if not.
  function post(command, body) {
    const text = typeof body === "string" ? body : JSON.stringify(body || {});
    const p = queue.then(async () => {
      let res;
      try {
        res = await fetch("api/" + command, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: text,
        });
      } catch (err) {
        showError(command + ": " + err.message);
        return false;
      }
      if (res.ok) return true;
      let msg = command + ": " + res.status + " " + res.statusText;
      try {
        const j = await res.json();
        if (j && j.error) msg = j.error;
      } catch (_) { /* not JSON: keep the status */ }
      showError(msg);
      return false;
    });
    queue = p;
    return p;
  }

  let errorTimer = 0;
  let errorCount = 0;
  function showError(msg) {
    const box = $("#error");
    errorCount++;
    box.textContent = msg;
    box.dataset.count = String(errorCount);
    box.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  // Buttons held down by the page: name -> set of what holds them (the
  // pointer, a key). The press goes out when the first holder comes, the
  // release when the last one goes.
  const holds = new Map();
  function hold(name, by) {
    let set = holds.get(name);
    if (!set) holds.set(name, (set = new Set()));
    if (set.has(by)) return;
    set.add(by);
    if (set.size === 1) {
      post("press", { name });
      updatePart(byName.get(name));
    }
  }
  function unhold(name, by) {
    const set = holds.get(name);
    if (!set || !set.delete(by)) return;
    if (set.size === 0) {
      holds.delete(name);
      post("release", { name });
      updatePart(byName.get(name));
    }
  }
  function unholdAll() {
    for (const [name, set] of [...holds]) for (const by of [...set]) unhold(name, by);
  }

  function setSpeed(s) { post("speed", { speed: s }); }
  function faster(dir) {
    let i = SPEEDS.findIndex((s) => s >= clock.speed - 1e-9);
    if (i < 0) i = SPEEDS.length - 1;
    if (SPEEDS[i] > clock.speed + 1e-9 && dir < 0) i--; // between two: go to the lower one
    i = Math.max(0, Math.min(SPEEDS.length - 1, i + dir));
    setSpeed(SPEEDS[i]);
  }
  function togglePause() { post(clock.paused ? "resume" : "pause"); }

  // ---- the event stream ---------------------------------------------------

  let source = null;
  function connect() {
    source = new EventSource("events");
    source.addEventListener("state", (e) => receive(e, onState));
    source.addEventListener("update", (e) => receive(e, onUpdate));
    source.addEventListener("now", (e) => receive(e, onNow));
    source.addEventListener("end", () => {
      // The session is over; try again later, in case it comes back.
      source.close();
      connected = false;
      showStatus();
      setTimeout(connect, 3000);
    });
    source.onopen = () => { connected = true; };
    source.onerror = () => { connected = false; showStatus(); };
  }

  // A page left for another one stops listening (the browser may keep it,
  // frozen, to come back to), and starts again when it comes back.
  window.addEventListener("pagehide", () => {
    if (source) source.close();
    unholdAll();
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) connect();
  });

  function receive(e, handle) {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch (err) {
      showError("bad message from the board: " + err.message);
      return;
    }
    try {
      handle(msg);
    } catch (err) {
      showError("could not show a message from the board: " + err.message);
    }
  }

  // onState replaces everything the page knows: the first event of every
  // connection, and after a restart.
  function onState(msg) {
    const st = msg.state;
    connected = true;
    run = st.run;
    boardName = st.board || "board";
    parts = st.parts || [];
    byName = new Map(parts.map((p) => [p.name, p]));
    history = new Map();
    base = new Map(Object.entries(st.base || {}));
    for (const c of st.changes || []) addChange(c);
    tasks = st.tasks || [];
    taskChanges = (st.taskChanges || []).slice();
    tasksDirty = true;
    laneClicked = null;
    $("#lane-info").hidden = true;
    clock.time = st.time;
    clock.speed = st.speed || 1;
    clock.paused = st.paused;
    clock.running = st.running;
    clock.exit = st.exit || "";
    clock.steps = st.steps || 0;
    clock.stepping = !!st.stepping;
    clock.anchor = msg.now != null ? msg.now : st.time;
    clock.anchorReal = performance.now();
    clock.shown = clock.anchor;
    const box = $("#console");
    box.textContent = "";
    for (const line of st.console || []) addConsole(line);
    document.title = boardName + " – board";
    $("#board-name").textContent = boardName;
    $("#run").textContent = String(run);
    renderParts();
    showClock();
    showStatus();
    dirty = true;
  }

  function onUpdate(u) {
    if (u.run && run && u.run !== run) return; // a stale update of another run
    switch (u.type) {
      case "part": {
        const old = byName.get(u.part.name);
        setPart(u.part);
        if (!old || old.kind !== u.part.kind || old.colour !== u.part.colour || old.activeLow !== u.part.activeLow ||
            old.width !== u.part.width || old.output !== u.part.output) {
          renderParts();
        } else {
          updatePart(u.part);
        }
        break;
      }
      case "level":
        setPart(u.part);
        addChange(u.change);
        updatePart(u.part);
        if (u.change.at > clock.time) clock.time = u.change.at;
        break;
      case "clock":
        if (!clock.paused && clock.running) {
          // Keep the shown time where it is across a change of speed.
          clock.anchor = displayTime();
          clock.anchorReal = performance.now();
        }
        if (clock.paused && !u.paused) {
          clock.anchor = u.time;
          clock.anchorReal = performance.now();
        }
        clock.time = u.time;
        clock.speed = u.speed || clock.speed;
        clock.paused = u.paused;
        clock.steps = u.steps || 0;
        clock.stepping = !!u.stepping;
        showClock();
        showStatus();
        break;
      case "console":
        addConsole(u.console);
        break;
      case "task":
        onTask(u.task, u.taskChange);
        break;
      case "exit":
        clock.running = false;
        clock.exit = u.text || "exited";
        if (u.time > clock.time) clock.time = u.time;
        unholdAll();
        showClock();
        showStatus();
        break;
    }
    dirty = true;
  }

  function onTask(t, c) {
    const i = tasks.findIndex((q) => q.id === t.id);
    if (i >= 0) tasks[i] = t;
    else {
      if (tasks.length >= 256) {
        // As the Session does: forget a finished task first.
        const k = tasks.findIndex((q) => q.state === "done");
        if (k < 0) return;
        tasks.splice(k, 1);
      }
      tasks.push(t);
    }
    if (c) {
      taskChanges.push(c);
      if (taskChanges.length > MAX_TASK_CHANGES) taskChanges.splice(0, taskChanges.length - MAX_TASK_CHANGES);
      if (c.at > clock.time) clock.time = c.at;
    }
    tasksDirty = true;
    if (laneClicked && laneClicked.id === t.id) showLaneInfo();
  }

  // The task lane's bar last clicked: {id, text, open}; for a task's
  // latest bar, its await point is asked for and shown when it comes.
  let laneClicked = null;
  function showLaneInfo() {
    const box = $("#lane-info");
    let text = laneClicked.text;
    const t = tasks.find((q) => q.id === laneClicked.id);
    if (laneClicked.open && t && t.where) text += " at " + t.where;
    box.textContent = text;
    box.hidden = false;
  }

  // laneOf is the lane a task state is drawn in.
  function laneOf(state) {
    switch (state) {
      case "running": return "running";
      case "ready": case "new": return "ready";
      case "waiting": case "sleeping": return "waiting";
    }
    return "";
  }

  // renderTasks fills the tasks panel: each task, its state and what it
  // waits for, how often it ran and its longest run in real time.
  function renderTasks() {
    const body = $("#tasks tbody");
    if (!body) return;
    const rows = [];
    for (const t of tasks) {
      if (t.state === "done") continue;
      const tr = document.createElement("tr");
      tr.className = "task";
      tr.dataset.id = String(t.id);
      tr.dataset.state = t.state;
      tr.dataset.lane = laneOf(t.state);
      const cells = [t.name, t.state, t.text || "", String(t.runs), fmtWall(t.longest), t.where || ""];
      for (const [i, text] of cells.entries()) {
        const td = document.createElement("td");
        td.textContent = text;
        td.className = ["name", "state", "waits", "runs", "longest", "where"][i];
        if (i === 5) td.title = text;
        if (i === 0) td.title = t.name;
        tr.append(td);
      }
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    const done = tasks.length - rows.length;
    $("#tasks-note").textContent = tasks.length === 0 ? "no tasks yet" :
      rows.length + " live" + (done > 0 ? ", " + done + " finished" : "");
  }

  function fmtWall(ns) {
    if (!ns) return "–";
    if (ns < 1e6) return (ns / 1e3).toFixed(0) + " µs";
    return (ns / 1e6).toFixed(ns < 1e8 ? 1 : 0) + " ms";
  }

  // taskBars turns the tasks' history into the bars of their lanes, up to
  // the time last: per task, [{from, to, lane, text, at, wall}]. On the
  // board's clock a run takes no time, so a run is drawn as wide as it took
  // in real time at the clock's speed, and at least minRun: the runs of one
  // instant one after another, those after a long run pushed past it, as
  // the loop ran them.
  function taskBars(last, minRun) {
    const bars = new Map();
    const open = new Map(); // id -> {from, lane, text, at}
    let cursor = -Infinity; // when the last run drawn ended
    const put = (id, bar) => {
      let list = bars.get(id);
      if (!list) bars.set(id, (list = []));
      list.push(bar);
    };
    for (const c of taskChanges) {
      if (c.at > last) break;
      const o = open.get(c.id);
      let from;
      if (c.state === "running") {
        from = Math.max(c.at, cursor);
        if (o) put(c.id, { from: o.from, to: from, lane: o.lane, text: o.text, at: o.at });
      } else if (o && o.lane === "running") {
        from = Math.max(c.at, cursor, o.from + minRun, o.from + (c.wall || 0) * clock.speed);
        put(c.id, { from: o.from, to: from, lane: "running", text: c.text || c.state, at: o.at, wall: c.wall || 0 });
        cursor = from;
      } else {
        from = Math.max(c.at, o ? o.from : c.at);
        if (o) put(c.id, { from: o.from, to: from, lane: o.lane, text: o.text, at: o.at });
      }
      const lane = laneOf(c.state);
      if (lane) open.set(c.id, { from, lane, text: c.text || "", at: c.at });
      else open.delete(c.id);
    }
    for (const [id, o] of open) {
      put(id, { from: o.from, to: Math.max(last, o.from + (o.lane === "running" ? minRun : 0)), lane: o.lane, text: o.text, at: o.at, open: true });
    }
    return bars;
  }

  // laneTasks are the tasks with a lane: the live ones, and finished ones
  // with bars in the window, at most MAX_LANES.
  function laneTasks(bars, start) {
    const out = [];
    for (const t of tasks) {
      if (out.length >= MAX_LANES) break;
      const list = bars.get(t.id);
      if (t.state !== "done" || (list && list.length && list[list.length - 1].to >= start)) out.push(t);
    }
    return out;
  }

  function onNow(msg) {
    clock.anchor = msg.now;
    clock.anchorReal = performance.now();
  }

  function setPart(p) {
    if (byName.has(p.name)) {
      const i = parts.findIndex((q) => q.name === p.name);
      parts[i] = p;
    } else {
      parts.push(p);
      // A part added late is drawn as if it had been there.
      if (!base.has(p.name)) base.set(p.name, p.level);
    }
    byName.set(p.name, p);
  }

  function addChange(c) {
    let list = history.get(c.name);
    if (!list) history.set(c.name, (list = []));
    list.push({ at: c.at, value: c.value });
    if (list.length > MAX_CHANGES) {
      const dropped = list.splice(0, list.length - MAX_CHANGES);
      base.set(c.name, dropped[dropped.length - 1].value);
    }
  }

  function addConsole(line) {
    const box = $("#console");
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    const div = document.createElement("div");
    div.className = "line " + (line.stream || "out");
    div.textContent = line.text;
    box.append(div);
    while (box.childElementCount > MAX_CONSOLE) box.firstElementChild.remove();
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  // ---- the clock ------------------------------------------------------------

  // displayTime is the program's clock to show: moving with the speed in
  // between the server's readings while it runs; never going back while
  // the program runs (as the Session's Now): when the clock pauses behind
  // what was shown, the time shown stands until the clock passes it;
  // exact once the program has ended.
  function displayTime() {
    if (!clock.running) return clock.time;
    let t = clock.time;
    if (!clock.paused) {
      t = clock.anchor + (performance.now() - clock.anchorReal) * 1e6 * clock.speed;
      // If the readings stop coming, do not run away: at most 1 s past the last.
      t = Math.max(Math.min(t, clock.anchor + 1e9 * clock.speed), clock.time);
    }
    t = Math.max(t, clock.shown);
    clock.shown = t;
    return t;
  }

  function fmtTime(ns) { return (ns / NS).toFixed(3) + " s"; }
  function fmtSpeed(s) { return (Math.round(s * 1000) / 1000).toString() + "×"; }

  function showClock() {
    $("#speed").textContent = fmtSpeed(clock.speed);
    for (const b of document.querySelectorAll("button.speed")) {
      b.classList.toggle("active", Math.abs(Number(b.dataset.speed) - clock.speed) < 1e-9);
    }
    const pause = $("#pause");
    pause.textContent = clock.paused ? "Resume" : "Pause";
    pause.classList.toggle("paused", clock.paused);
    const step = $("#step");
    step.disabled = !(clock.paused && clock.running);
    step.classList.toggle("stepping", clock.stepping);
  }

  function showStatus() {
    const s = $("#status");
    let state, text;
    if (!connected) { state = "connecting"; text = "connecting…"; }
    else if (!clock.running) { state = "exited"; text = clock.exit ? "ended: " + clock.exit : "not running"; }
    else if (clock.paused) { state = "paused"; text = "paused"; }
    else { state = "running"; text = "running"; }
    s.dataset.state = state;
    s.textContent = text;
  }

  // ---- the board --------------------------------------------------------------

  function colourOf(p) {
    const c = (p.colour || "").trim();
    if (!c) return COLOURS.red;
    return COLOURS[c.toLowerCase()] || c;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, parent) {
    const el = document.createElementNS(SVG, tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (parent) parent.append(el);
    return el;
  }

  function renderParts() {
    const box = $("#parts");
    box.textContent = "";
    let key = 0;
    for (const p of parts) {
      const el = document.createElement("div");
      el.className = "part";
      el.dataset.name = p.name;
      el.dataset.kind = p.kind;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = p.name;
      name.title = p.name;
      if (p.kind === "led" || p.kind === "pwm-led") {
        el.classList.add("led");
        const s = svg("svg", { viewBox: "0 0 40 62", role: "img", "aria-label": "LED " + p.name });
        svg("line", { class: "leg", x1: 15, y1: 44, x2: 15, y2: 62 }, s);
        svg("line", { class: "leg", x1: 25, y1: 44, x2: 25, y2: 58 }, s);
        svg("path", { class: "base", d: "M6 44 V20 A14 14 0 0 1 34 20 V44 Z", fill: "#2a2424" }, s);
        svg("path", { class: "dome", d: "M6 44 V20 A14 14 0 0 1 34 20 V44 Z", fill: colourOf(p) }, s);
        svg("rect", { class: "rim", x: 3, y: 40, width: 34, height: 5, rx: 1.5, fill: colourOf(p), opacity: 0.55 }, s);
        svg("path", { class: "shine", d: "M11 30 V21 A9 9 0 0 1 17 12.5 L18.5 15 A7 7 0 0 0 14 21 V30 Z" }, s);
        el.append(s, name);
        const detail = document.createElement("span");
        detail.className = "detail";
        el.append(detail);
      } else if (p.kind === "button") {
        key++;
        el.classList.add("btn-part");
        el.dataset.key = String(key);
        const cap = document.createElement("button");
        cap.type = "button";
        cap.className = "cap-wrap";
        cap.setAttribute("aria-label", "button " + p.name + (key <= 9 ? " (key " + key + ")" : ""));
        cap.innerHTML = '<span class="cap"></span>';
        const n = p.name;
        cap.addEventListener("pointerdown", (e) => {
          if (e.pointerType === "mouse" && e.button !== 0) return;
          e.preventDefault();
          hold(n, "pointer");
        });
        for (const ev of ["pointerup", "pointercancel", "pointerleave"]) {
          cap.addEventListener(ev, () => unhold(n, "pointer"));
        }
        cap.addEventListener("contextmenu", (e) => e.preventDefault());
        cap.addEventListener("keydown", (e) => {
          if (e.key === "Enter" && !e.repeat) { e.preventDefault(); hold(n, "enter"); }
        });
        cap.addEventListener("keyup", (e) => { if (e.key === "Enter") unhold(n, "enter"); });
        cap.addEventListener("blur", () => unhold(n, "enter"));
        el.append(cap, name);
        const detail = document.createElement("span");
        detail.className = "detail";
        if (key <= 9) detail.innerHTML = "<kbd>" + key + "</kbd>";
        el.append(detail);
      } else if (p.kind === "ssd1306") {
        el.classList.add("display-part");
        const c = document.createElement("canvas");
        c.className = "oled";
        c.width = p.width || 128;
        c.height = p.height || 64;
        c.setAttribute("role", "img");
        c.setAttribute("aria-label", "display " + p.name);
        el.append(c, name);
      } else if (p.kind === "potentiometer") {
        el.classList.add("knob-part");
        const r = document.createElement("input");
        r.type = "range";
        r.className = "knob";
        r.min = "0";
        r.max = "65535";
        r.value = String(p.level);
        r.setAttribute("aria-label", "potentiometer " + p.name);
        const n = p.name;
        r.addEventListener("input", () => post("set", { name: n, value: Number(r.value) }));
        const detail = document.createElement("span");
        detail.className = "detail";
        el.append(r, name, detail);
      } else if (p.kind === "bme280") {
        el.classList.add("sensor-part");
        const t = document.createElement("input");
        t.type = "number";
        t.className = "temperature";
        t.min = "-40";
        t.max = "85";
        t.step = "0.5";
        t.value = (p.level / 1000).toFixed(1);
        t.setAttribute("aria-label", "temperature of " + p.name + " in °C");
        const n = p.name;
        t.addEventListener("change", () => post("set", { name: n, field: "temperature", value: Math.round(Number(t.value) * 1000) }));
        const detail = document.createElement("span");
        detail.className = "detail";
        detail.textContent = "°C";
        el.append(t, name, detail);
      } else if (p.kind === "i2c" || p.kind === "spi") {
        el.classList.add("bus-part");
        const detail = document.createElement("span");
        detail.className = "detail";
        detail.textContent = p.kind === "spi" ? "SPI bus" : "I2C bus";
        el.append(name, detail);
      } else if (p.kind === "ws2812") {
        el.classList.add("strip-part");
        const strip = document.createElement("div");
        strip.className = "strip";
        strip.setAttribute("role", "img");
        strip.setAttribute("aria-label", "LED strip " + p.name);
        for (let i = 0; i < (p.width || 0); i++) {
          const led = document.createElement("span");
          led.className = "pixel";
          strip.append(led);
        }
        const detail = document.createElement("span");
        detail.className = "detail";
        detail.textContent = (p.width || 0) + " × WS2812";
        el.append(strip, name, detail);
      } else {
        el.classList.add("pin-part");
        const level = document.createElement("div");
        level.className = "level";
        el.append(level, name);
        const detail = document.createElement("span");
        detail.className = "detail";
        if (p.output) {
          detail.textContent = "output";
          el.append(detail);
          box.append(el);
          updatePart(p);
          continue;
        }
        const drive = document.createElement("button");
        drive.type = "button";
        drive.className = "drive";
        drive.textContent = "toggle";
        drive.title = "drive this input pin to the other level";
        const n = p.name;
        drive.addEventListener("click", () => {
          const q = byName.get(n);
          post("drive", { name: n, value: q && q.level ? 0 : 1 });
        });
        el.append(drive);
      }
      box.append(el);
      updatePart(p);
    }
    if (parts.length === 0) {
      const empty = document.createElement("p");
      empty.className = "hint";
      empty.textContent = clock.running ? "Waiting for the program's board…" : "No board.";
      box.append(empty);
    }
    dirty = true;
  }

  // drawDisplay draws a display's picture (base64, rows of pixels, eight a
  // byte, the most significant bit leftmost) on its canvas, lit pixels in
  // the OLED's blue-white.
  function drawDisplay(c, p) {
    if (!c) return;
    const w = c.width, h = c.height;
    const g = c.getContext("2d");
    const img = g.createImageData(w, h);
    let bytes = null;
    try { bytes = p.pixels ? atob(p.pixels) : null; } catch (e) { bytes = null; }
    for (let i = 0; i < w * h; i++) {
      const on = bytes && i / 8 < bytes.length && (bytes.charCodeAt(i >> 3) & (0x80 >> (i & 7))) !== 0;
      img.data[4 * i] = on ? 0xd8 : 0x08;
      img.data[4 * i + 1] = on ? 0xf0 : 0x0a;
      img.data[4 * i + 2] = on ? 0xff : 0x10;
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    c.dataset.lit = String(bytes ? Array.from(bytes).reduce((n, ch) => n + popcount(ch.charCodeAt(0)), 0) : 0);
  }

  // drawStrip lights an LED strip's LEDs in their colours ("#rrggbb"
  // each), an LED that is out dark grey, a lit one with a glow; each LED's
  // colour is in its data-colour, for tests.
  function drawStrip(el, p) {
    const cs = p.colours || [];
    el.querySelectorAll(".pixel").forEach((led, i) => {
      const c = /^#[0-9a-f]{6}$/.test(cs[i] || "") ? cs[i] : "#000000";
      led.dataset.colour = c;
      const lit = c !== "#000000";
      led.style.background = lit ? c : "";
      led.style.boxShadow = lit ? "0 0 6px 1px " + c : "";
    });
  }

  function popcount(b) { let n = 0; for (; b; b &= b - 1) n++; return n; }

  function partElement(name) {
    for (const el of document.querySelectorAll("#parts .part")) if (el.dataset.name === name) return el;
    return null;
  }

  function updatePart(p) {
    if (!p) return;
    const el = partElement(p.name);
    if (!el) return;
    el.dataset.level = String(p.level);
    if (p.kind === "led" || p.kind === "pwm-led") {
      const b = Math.max(0, Math.min(100, p.brightness || 0));
      el.dataset.lit = String(b > 0);
      el.dataset.brightness = String(b);
      const dome = el.querySelector(".dome");
      dome.setAttribute("opacity", String(0.18 + 0.82 * (b / 100)));
      const svgEl = el.querySelector("svg");
      svgEl.style.filter = b > 0 ? "drop-shadow(0 0 " + (3 + 12 * b / 100).toFixed(1) + "px " + colourOf(p) + ")" : "none";
      const detail = el.querySelector(".detail");
      detail.textContent = p.kind === "pwm-led" ? b + "%" : (b > 0 ? "on" : "off");
    } else if (p.kind === "button") {
      const pressed = !!p.pressed || holds.has(p.name);
      el.dataset.pressed = String(!!p.pressed);
      el.classList.toggle("pressed", pressed);
    } else if (p.kind === "ssd1306") {
      drawDisplay(el.querySelector("canvas"), p);
    } else if (p.kind === "potentiometer") {
      const r = el.querySelector("input");
      if (document.activeElement !== r) r.value = String(p.level);
      el.querySelector(".detail").textContent = Math.round(p.level / 655.35) + "%";
    } else if (p.kind === "bme280") {
      const t = el.querySelector("input");
      if (document.activeElement !== t) t.value = (p.level / 1000).toFixed(1);
    } else if (p.kind === "i2c" || p.kind === "spi") {
      // nothing changes
    } else if (p.kind === "ws2812") {
      drawStrip(el, p);
    } else {
      const level = el.querySelector(".level");
      level.textContent = String(p.level);
      level.dataset.level = String(p.level);
    }
  }

  // ---- keyboard ---------------------------------------------------------------

  function buttonByKey(k) {
    const el = document.querySelector('#parts .btn-part[data-key="' + k + '"]');
    return el ? el.dataset.name : null;
  }

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key >= "1" && e.key <= "9") {
      e.preventDefault();
      const name = buttonByKey(e.key);
      if (name && !e.repeat) hold(name, "key" + e.key);
      return;
    }
    if (e.repeat) return;
    switch (e.key) {
      case " ": // even on a focused button, which Enter still clicks
        e.preventDefault();
        togglePause();
        break;
      case ".": case "s": case "S":
        e.preventDefault();
        post("step");
        break;
      case "+": case "=":
        e.preventDefault();
        faster(+1);
        break;
      case "-": case "_":
        e.preventDefault();
        faster(-1);
        break;
    }
  });
  document.addEventListener("keyup", (e) => {
    if (e.key >= "1" && e.key <= "9") {
      const name = buttonByKey(e.key);
      if (name) unhold(name, "key" + e.key);
    }
  });
  window.addEventListener("blur", unholdAll);

  // ---- toolbar and console -------------------------------------------------

  $("#pause").addEventListener("click", togglePause);
  $("#step").addEventListener("click", () => post("step"));
  $("#restart").addEventListener("click", () => post("restart"));
  $("#where").addEventListener("click", () => post("where"));
  for (const b of document.querySelectorAll("button.speed")) {
    b.addEventListener("click", () => setSpeed(Number(b.dataset.speed)));
  }
  $("#console-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("#console-input");
    const line = input.value;
    if (await post("input", { line })) {
      if (input.value === line) input.value = "";
    }
  });

  // ---- the timing diagram ------------------------------------------------------

  const canvas = $("#wave");
  const LABEL_W = 120; // the names' column
  const AXIS_H = 24;   // the time axis at the top
  const ROW_H = 34;
  const LANE_H = 22;     // a task lane
  const MIN_RUN_PX = 3;  // the least width of a run in a task lane
  let spanIndex = SPANS.indexOf(5);
  let follow = true;   // the right edge is the clock
  let viewEnd = 0;     // the right edge when not following (ns)
  let mouse = null;    // {x, y} over the canvas, in CSS pixels
  let marker = null;   // a time (ns) clicked on

  function span() { return SPANS[spanIndex] * NS; }

  // timeWindow returns the times at the diagram's edges: the span up to the
  // clock, or up to where it was scrolled to; from 0 while the clock has
  // not yet gone a whole span.
  function timeWindow(now) {
    if (follow) viewEnd = now;
    const end = Math.max(viewEnd, span());
    return [end - span(), end];
  }
  function showSpan() {
    const s = SPANS[spanIndex];
    $("#span").textContent = s < 1 ? Math.round(s * 1000) + " ms" : s + " s";
    $("#live").disabled = follow;
  }

  // lastAtOrBefore returns the index of the last change at or before t, or -1.
  function lastAtOrBefore(list, t) {
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].at <= t) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  function traceColour(p) {
    if (p.kind === "led" || p.kind === "pwm-led") return colourOf(p);
    if (p.kind === "button") return "#7cc4ff";
    return "#6ee7a8";
  }

  function niceStep(spanNs, px) {
    const target = spanNs / Math.max(2, px / 90);
    const pow = Math.pow(10, Math.floor(Math.log10(target)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= target) return m * pow;
    return 10 * pow;
  }

  function fmtTick(ns, step) {
    const decimals = Math.max(0, Math.ceil(-Math.log10(step / NS) - 1e-9));
    return (ns / NS).toFixed(Math.min(decimals, 9)) + " s";
  }

  function draw() {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.parentElement.clientWidth;
    const lanesNow = lanes(); // the task lanes, drawn under the pins
    const h = AXIS_H + Math.max(1, parts.length) * ROW_H + lanesNow.rows.length * LANE_H + 6;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = h + "px";
    }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = "12px ui-monospace, 'DejaVu Sans Mono', monospace";
    g.textBaseline = "middle";

    const now = displayTime();
    const [start, end] = timeWindow(now);
    const plotW = w - LABEL_W - 8;
    const x = (t) => LABEL_W + ((t - start) / (end - start)) * plotW;
    const tAt = (px) => start + ((px - LABEL_W) / plotW) * (end - start);

    // Time grid.
    const step = niceStep(end - start, plotW);
    g.strokeStyle = "#1d232b";
    g.fillStyle = "#7d8796";
    g.lineWidth = 1;
    for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
      if (t < 0) continue;
      const px = Math.round(x(t)) + 0.5;
      g.beginPath();
      g.moveTo(px, AXIS_H - 4);
      g.lineTo(px, h);
      g.stroke();
      g.textAlign = "center";
      if (px >= LABEL_W && px < w - 20) {
        g.textAlign = px < LABEL_W + 20 ? "left" : "center";
        g.fillText(fmtTick(t, step), px < LABEL_W + 20 ? px + 3 : px, AXIS_H / 2);
      }
    }

    // Signals.
    const last = Math.min(end, now); // nothing is known after the clock
    parts.forEach((p, i) => {
      const y0 = AXIS_H + i * ROW_H;
      g.fillStyle = i % 2 ? "rgba(255,255,255,0.015)" : "rgba(255,255,255,0.035)";
      g.fillRect(0, y0, w, ROW_H);
      const colour = traceColour(p);
      // An SPI bus and an LED strip have no level: the strip shows its
      // colours on the board, the bus's transfers are in the VCD.
      if (p.kind === "spi" || p.kind === "ws2812") return;

      const list = history.get(p.name) || [];
      let k = lastAtOrBefore(list, start);
      // The level at the window's start: before the oldest change kept, the
      // base level; unknown if there is none.
      let value = k >= 0 ? list[k].value : (base.has(p.name) ? base.get(p.name) : (list.length === 0 ? p.level : null));
      let from = Math.max(start, 0);
      const segments = [];
      for (k = k + 1; k < list.length && list[k].at <= last; k++) {
        if (list[k].at > from || value === null) segments.push({ from, to: list[k].at, value });
        from = Math.max(from, list[k].at);
        value = list[k].value;
      }
      if (last > from || segments.length === 0) segments.push({ from, to: last, value });

      const hi = y0 + 7, lo = y0 + ROW_H - 8, mid = (hi + lo) / 2;
      g.strokeStyle = colour;
      g.lineWidth = 1.5;
      if (p.width > 0) {
        // A vector: a bus with its values.
        for (const s of segments) {
          const xa = x(s.from), xb = x(s.to);
          if (xb < LABEL_W) continue;
          const e = Math.min(3, (xb - xa) / 2);
          g.beginPath();
          if (s.value === null) {
            g.strokeStyle = "#55606e";
            g.moveTo(xa, mid); g.lineTo(xb, mid);
          } else {
            g.strokeStyle = colour;
            g.moveTo(xa, mid); g.lineTo(xa + e, hi); g.lineTo(xb - e, hi); g.lineTo(xb, mid);
            g.lineTo(xb - e, lo); g.lineTo(xa + e, lo); g.closePath();
          }
          g.stroke();
          if (s.value !== null) {
            const label = p.kind === "pwm-led" ? s.value + "%" : String(s.value);
            const tw = g.measureText(label).width;
            const a = Math.max(xa, LABEL_W), b = xb;
            if (b - a > tw + 8) {
              g.fillStyle = "#e3e7ee";
              g.textAlign = "center";
              g.fillText(label, (a + b) / 2, mid);
            }
          }
        }
      } else {
        // One bit: high and low, with the time high shaded.
        let prevY = null;
        for (const s of segments) {
          const xa = x(s.from), xb = x(s.to);
          if (s.value === null) {
            g.strokeStyle = "#55606e";
            g.setLineDash([3, 3]);
            g.beginPath(); g.moveTo(xa, mid); g.lineTo(xb, mid); g.stroke();
            g.setLineDash([]);
            prevY = null;
            continue;
          }
          const y = s.value ? hi : lo;
          if (s.value) {
            g.fillStyle = colour + "2a";
            if (colour.startsWith("#") && colour.length === 7) g.fillRect(xa, hi, xb - xa, lo - hi);
          }
          g.strokeStyle = colour;
          g.beginPath();
          if (prevY !== null && prevY !== y) { g.moveTo(xa, prevY); g.lineTo(xa, y); } else g.moveTo(xa, y);
          g.lineTo(xb, y);
          g.stroke();
          prevY = y;
        }
      }
    });
    // Cover what was drawn left of the plot, and write the names there.
    g.clearRect(0, AXIS_H, LABEL_W - 4, h - AXIS_H);
    parts.forEach((p, i) => {
      const y0 = AXIS_H + i * ROW_H;
      g.fillStyle = i % 2 ? "rgba(255,255,255,0.015)" : "rgba(255,255,255,0.035)";
      g.fillRect(0, y0, LABEL_W - 4, ROW_H);
      g.textAlign = "left";
      g.fillStyle = traceColour(p);
      const name = p.name.length > 14 ? p.name.slice(0, 13) + "…" : p.name;
      const note = p.activeLow ? "active low" : p.kind === "pwm-led" ? "duty %" : p.output ? "output" : "";
      if (note) {
        g.fillText(name, 10, y0 + ROW_H / 2 - 6);
        g.save();
        g.font = "10px ui-monospace, 'DejaVu Sans Mono', monospace";
        g.fillStyle = "#7d8796";
        g.fillText(note, 10, y0 + ROW_H / 2 + 8);
        g.restore();
      } else {
        g.fillText(name, 10, y0 + ROW_H / 2);
      }
    });
    if (parts.length === 0) {
      g.fillStyle = "#7d8796";
      g.textAlign = "left";
      g.fillText("no signals yet", LABEL_W, AXIS_H + ROW_H / 2);
    }
    drawLanes(g, lanesNow, w, x, start, end);

    // The marker, and the cursor at the nearest edge.
    if (marker !== null && marker >= start && marker <= end) {
      drawCursor(g, x(marker), h, "#ffd866", fmtTime(marker));
    }
    let readout = null;
    if (mouse && mouse.x >= LABEL_W) {
      const c = nearestEdge(tAt(mouse.x), mouse.y, x);
      readout = c;
      drawCursor(g, x(c.t), h, "#e3e7ee", fmtTime(c.t));
    }
    showReadout(readout);
  }

  // lanes computes the task lanes for the diagram as it is now: the bars
  // of each task with a lane, and where its row is.
  let shownLanes = []; // for tests: the lanes last drawn
  function lanes() {
    const w = canvas.parentElement.clientWidth;
    const [start, end] = timeWindow(displayTime());
    const plotW = Math.max(1, w - LABEL_W - 8);
    const minRun = MIN_RUN_PX * (end - start) / plotW;
    const bars = taskBars(Math.min(end, displayTime()), minRun);
    const rows = laneTasks(bars, start).map((t, j) => ({ task: t, bars: bars.get(t.id) || [], y0: AXIS_H + Math.max(1, parts.length) * ROW_H + j * LANE_H }));
    return { rows, start, end };
  }

  const LANE_COLOURS = { running: "#4fa3ff", ready: "#ffd866", waiting: "#55606e" };

  function drawLanes(g, ls, w, x, start, end) {
    shownLanes = ls.rows.map((r) => ({ id: r.task.id, name: r.task.name, bars: r.bars.filter((b) => b.to >= start && b.from <= end).map((b) => ({ from: b.from, to: b.to, lane: b.lane, text: b.text })) }));
    ls.rows.forEach((r, j) => {
      const y0 = r.y0;
      g.fillStyle = j % 2 ? "rgba(79,163,255,0.03)" : "rgba(79,163,255,0.06)";
      g.fillRect(LABEL_W - 4, y0, w, LANE_H);
      const top = y0 + 4, bottom = y0 + LANE_H - 4;
      for (const b of r.bars) {
        if (b.to < start || b.from > end) continue;
        const xa = Math.max(x(b.from), LABEL_W), xb = Math.max(x(b.to), xa + (b.lane === "running" ? MIN_RUN_PX : 0));
        g.fillStyle = LANE_COLOURS[b.lane];
        if (b.lane === "running") g.fillRect(xa, top, xb - xa, bottom - top);
        else if (b.lane === "ready") g.fillRect(xa, (top + bottom) / 2 - 2, xb - xa, 4);
        else g.fillRect(xa, bottom - 1, xb - xa, 1);
      }
      g.fillStyle = "#15181d";
      g.fillRect(0, y0, LABEL_W - 4, LANE_H);
      g.textAlign = "left";
      g.fillStyle = "#9fc6ef";
      const n = r.task.name;
      g.fillText(n.length > 14 ? n.slice(0, 13) + "…" : n, 10, y0 + LANE_H / 2);
    });
  }

  // laneAt describes the bar of a task lane under (px, py), if any: the
  // run, and the await point it stopped at, or the wait.
  function laneAt(px, py) {
    const ls = lanes();
    const r = ls.rows.find((r) => py >= r.y0 && py < r.y0 + LANE_H);
    if (!r) return null;
    const w = canvas.clientWidth, plotW = w - LABEL_W - 8;
    const x = (t) => LABEL_W + ((t - ls.start) / (ls.end - ls.start)) * plotW;
    let best = null;
    for (const b of r.bars) {
      const xa = x(b.from), xb = Math.max(x(b.to), xa + (b.lane === "running" ? MIN_RUN_PX : 0));
      const d = px < xa ? xa - px : px > xb ? px - xb : 0;
      // A run wins over the wait it sits in, within a few pixels.
      const score = d - (b.lane === "running" ? 4 : 0);
      if (d <= 4 && (!best || score < best.score)) best = { score, b };
    }
    if (!best) return { id: r.task.id, task: r.task.name, text: r.task.name + ": nothing here" };
    const b = best.b;
    let text;
    if (b.lane === "running") {
      text = r.task.name + " ran at " + fmtTime(b.at) + (b.wall ? " for " + fmtWall(b.wall) + " of real time" : "") +
        (b.text && !b.open ? "; stopped: " + b.text : "; running");
    } else {
      text = r.task.name + " " + (b.lane === "ready" ? "ready" : "waiting") + " from " + fmtTime(b.at) + (b.text ? ": " + b.text : "");
    }
    // The task's latest stop: its open wait, or the run before it.
    const n = r.bars.length, last = r.bars[n - 1];
    const latest = b === last || (last && last.open && last.lane !== "running" && b === r.bars[n - 2]);
    return { id: r.task.id, task: r.task.name, text, bar: b, latest };
  }

  function drawCursor(g, px, h, colour, label) {
    g.save();
    g.strokeStyle = colour;
    g.setLineDash([4, 3]);
    g.beginPath();
    g.moveTo(Math.round(px) + 0.5, AXIS_H);
    g.lineTo(Math.round(px) + 0.5, h);
    g.stroke();
    g.setLineDash([]);
    const tw = g.measureText(label).width + 10;
    const bx = Math.min(Math.max(px - tw / 2, LABEL_W), canvas.clientWidth - tw);
    g.fillStyle = colour;
    g.fillRect(bx, 2, tw, AXIS_H - 6);
    g.fillStyle = "#0b0d10";
    g.textAlign = "center";
    g.fillText(label, bx + tw / 2, AXIS_H / 2 - 1);
    g.restore();
  }

  // nearestEdge finds the change nearest to time t, in the row under y (or
  // in any row, between rows): the cursor snaps to it within 12 pixels.
  function nearestEdge(t, y, x) {
    const row = Math.floor((y - AXIS_H) / ROW_H);
    const rows = row >= 0 && row < parts.length ? [parts[row]] : parts;
    let best = null;
    for (const p of rows) {
      const list = history.get(p.name) || [];
      const k = lastAtOrBefore(list, t);
      for (const j of [k, k + 1]) {
        if (j < 0 || j >= list.length) continue;
        const d = Math.abs(list[j].at - t);
        if (!best || d < best.d) best = { d, t: list[j].at, part: p, value: list[j].value, prev: j > 0 ? list[j - 1].value : (base.has(p.name) ? base.get(p.name) : null) };
      }
    }
    if (best && Math.abs(x(best.t) - x(t)) <= 12) return { t: best.t, edge: best };
    return { t: Math.max(0, t), edge: null };
  }

  let lastReadout = "";
  function showReadout(c) {
    let text;
    if (!c) {
      text = marker !== null ? "marker " + fmtTime(marker) + " (click to move it)" : "Hover the diagram for the time of the nearest edge; click to set a marker.";
    } else {
      text = "cursor " + (c.t / NS).toFixed(6) + " s";
      if (c.edge) {
        const e = c.edge;
        const v = (val) => (val === null ? "?" : e.part.kind === "pwm-led" ? val + "%" : String(val));
        text += "  edge of " + e.part.name + ": " + v(e.prev) + " → " + v(e.value);
      }
      if (marker !== null) text += "  Δ from marker " + ((c.t - marker) / NS).toFixed(6) + " s";
    }
    if (text !== lastReadout) {
      $("#cursor").textContent = text;
      lastReadout = text;
    }
  }

  canvas.addEventListener("pointermove", (e) => {
    const r = canvas.getBoundingClientRect();
    mouse = { x: e.clientX - r.left, y: e.clientY - r.top };
    dirty = true;
  });
  canvas.addEventListener("pointerleave", () => { mouse = null; dirty = true; });
  canvas.addEventListener("click", (e) => {
    const r = canvas.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    if (px < LABEL_W) { marker = null; dirty = true; return; }
    const lane = laneAt(px, py);
    if (lane) {
      const open = !!lane.latest; // its await point now is where this bar stopped
      laneClicked = { id: lane.id, text: lane.text, open };
      showLaneInfo();
      if (open) post("where"); // where it is paused now
    }
    const w = canvas.clientWidth;
    const [start, end] = timeWindow(displayTime()), plotW = w - LABEL_W - 8;
    const x = (t) => LABEL_W + ((t - start) / (end - start)) * plotW;
    marker = nearestEdge(start + ((px - LABEL_W) / plotW) * (end - start), py, x).t;
    dirty = true;
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      // Pan through the history.
      const d = (e.shiftKey ? e.deltaY : e.deltaX) > 0 ? 1 : -1;
      const now = displayTime();
      viewEnd = Math.max(Math.min(now, span()), Math.min(now, (follow ? now : viewEnd) + d * span() / 8));
      follow = viewEnd >= now;
    } else {
      spanIndex = Math.max(0, Math.min(SPANS.length - 1, spanIndex + (e.deltaY > 0 ? 1 : -1)));
    }
    showSpan();
    dirty = true;
  }, { passive: false });
  $("#zoom-in").addEventListener("click", () => { spanIndex = Math.max(0, spanIndex - 1); showSpan(); dirty = true; });
  $("#zoom-out").addEventListener("click", () => { spanIndex = Math.min(SPANS.length - 1, spanIndex + 1); showSpan(); dirty = true; });
  $("#live").addEventListener("click", () => { follow = true; showSpan(); dirty = true; });
  window.addEventListener("resize", () => { dirty = true; });

  let lastTimeText = "";
  let tasksShown = 0; // when the tasks panel was last drawn
  function frame() {
    const t = displayTime();
    const text = fmtTime(t);
    if (text !== lastTimeText) {
      $("#time").textContent = text;
      lastTimeText = text;
    }
    if (tasksDirty && performance.now() - tasksShown >= 100) {
      tasksDirty = false;
      tasksShown = performance.now();
      renderTasks();
      dirty = true;
    }
    if (dirty || (clock.running && !clock.paused)) {
      dirty = false;
      draw();
    }
    requestAnimationFrame(frame);
  }

  // A fault of the page itself is shown too, and kept.
  const faults = [];
  window.addEventListener("error", (e) => {
    faults.push(String(e.message));
    showError("page error: " + e.message);
  });
  window.addEventListener("unhandledrejection", (e) => {
    faults.push(String(e.reason));
    showError("page error: " + e.reason);
  });

  // For the console of the browser's developer tools, and for tests.
  window.boardPage = {
    faults: () => faults.slice(),
    post,
    time: () => displayTime(),
    clock: () => clock.time, // the program's clock as last heard, not as shown
    steps: () => clock.steps, // the Steps finished; the console has what they printed
    stepping: () => clock.stepping,
    parts: () => parts.map((p) => Object.assign({}, p)),
    history: (name) => (history.get(name) || []).map((c) => Object.assign({}, c)),
    tasks: () => tasks.map((t) => Object.assign({}, t)),
    lanes: () => JSON.parse(JSON.stringify(shownLanes)),
  };

  showSpan();
  showClock();
  showStatus();
  connect();
  requestAnimationFrame(frame);
})();

package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const starvePkg = "github.com/goasyncio/asyncio/examples/starve"

// What the page shows of the tasks, as expressions giving strings.
const (
	// tasksJS is the tasks panel: a task a line, its name, state and
	// what it waits for.
	tasksJS = `[...document.querySelectorAll('#tasks tbody tr')].map(r => [...r.cells].slice(0, 3).map(c => c.textContent).join(' / ')).join('\n')`
	// runsJS is each task lane's runs, in milliseconds of the clock
	// rounded down to 10 ms, as the page last drew them.
	runsJS = `window.boardPage.lanes().map(l => l.name + ': ' + l.bars.filter(b => b.lane === 'running').map(b => Math.floor(b.from / 1e7) * 10).join(' ')).join('\n')`
)

// laneBarsJS counts the bars of the running colour drawn in task lane j
// of the canvas, along the middle of its row: under three parts (34
// pixels each) below the axis (24), 22 pixels a lane.
func laneBarsJS(j int) string {
	return fmt.Sprintf(`(() => {
		const c = document.querySelector('#wave'), g = c.getContext('2d'), dpr = window.devicePixelRatio || 1;
		const y = Math.round((24 + 3 * 34 + %d * 22 + 11) * dpr);
		const row = g.getImageData(0, y, c.width, 1).data;
		let bars = 0, inBar = false;
		for (let x = Math.round(120 * dpr); x < c.width; x++) {
			const blue = row[4 * x] === 79 && row[4 * x + 1] === 163 && row[4 * x + 2] === 255;
			if (blue && !inBar) bars++;
			inBar = blue;
		}
		return String(bars);
	})()`, j)
}

// The blink lab's tasks in the panel and in the lanes under the pins: the
// two blink tasks run in turn at the lab's times, and clicking a run says
// where the task stopped.
func TestBrowserTaskLanes(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, blinkPkg)
	openPage(t, tab, s)

	waitPage(t, tab, "the tasks at 0", tasksJS, strings.Join([]string{
		"main / sleeping / sleeping until 10.000s",
		"blink red / sleeping / sleeping until 1.000s",
		"blink green / sleeping / sleeping until 0.250s",
	}, "\n"))
	for i := range 4 {
		key(t, tab, ".")
		waitPage(t, tab, "the time after step "+fmt.Sprint(i+1), timeJS, fmt.Sprintf("%.3f s", float64(i+1)/4))
	}
	waitPage(t, tab, "the tasks at 1 s", tasksJS, strings.Join([]string{
		"main / sleeping / sleeping until 10.000s",
		"blink red / sleeping / sleeping until 2.000s",
		"blink green / sleeping / sleeping until 1.250s",
	}, "\n"))
	// Main runs first at 0 and creates the blinkers, which run after it
	// (each run drawn a few pixels wide); then green every 0.25 s, red at 1.
	waitPage(t, tab, "the runs in the lanes", runsJS, strings.Join([]string{
		"main: 0",
		"blink red: 10 1000",
		"blink green: 20 250 500 750 1010",
	}, "\n"))
	// And they are drawn: a bar of the running colour for each run.
	for j, want := range []string{"1", "2", "5"} {
		waitPage(t, tab, fmt.Sprint("the bars in lane ", j), laneBarsJS(j), want)
	}

	// Clicking green's run at 0.5 s says where it stopped.
	x, _ := diagramXY(t, tab, 1, 0.5, 0)
	y := eval[float64](t, tab, `document.querySelector('#wave').getBoundingClientRect().y`) + 24 + 3*34 + 2*22 + 11
	if err := chromedp.Do(tab, chromedp.MouseClickXY(x+1, y)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, tab, "the run's await point", `document.querySelector('#lane-info').textContent.replace(/ for [0-9.]+ [µm]s of real time/, '')`,
		"blink green ran at 0.500 s; stopped: sleeping until 0.750s")

	// Clicking green's latest run asks the board where it paused: the
	// file and line of its await, in the lab's source.
	x, _ = diagramXY(t, tab, 1, 1, 0)
	if err := chromedp.Do(tab, chromedp.MouseClickXY(x+1, y)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, tab, "green's await point", `(() => {
		const m = document.querySelector('#lane-info').textContent.match(/^blink green ran at 1.000 s.*; stopped: sleeping until 1.250s at .*\(.*examples\/blink\/main.go:[0-9]+\)$/);
		return m ? 'found' : document.querySelector('#lane-info').textContent;
	})()`, "found")
	waitPage(t, tab, "the await point in the panel", `[...document.querySelectorAll('#tasks tbody tr')].map(r => /examples\/blink\/main.go:[0-9]+/.test(r.cells[5].textContent) ? 'at' : '?').join(' ')`, "at at at")
}

// The starve lab's sensor task blocks the loop for 0.4 s of real time at
// each reading: its run is one long bar, though the board's clock stood
// still, and the panel shows its longest run.
func TestBrowserStarveLab(t *testing.T) {
	tab := newBrowser(t)
	s := startPaused(t, starvePkg)
	openPage(t, tab, s)
	waitPage(t, tab, "the sensor's task", `window.boardPage.tasks().map(t => t.name).join(',')`, "main,blink red,blink green,sensor")
	key(t, tab, ".")
	waitPage(t, tab, "the time after a step", timeJS, "0.250 s")
	// Its first run took 0.4 s of real time: at speed 1, 0.4 s wide.
	waitPage(t, tab, "the sensor's long run", `(() => {
		const l = window.boardPage.lanes().find(l => l.name === 'sensor');
		const r = l && l.bars.find(b => b.lane === 'running');
		return r ? String(r.to - r.from >= 0.4e9) : 'no run';
	})()`, "true")
	waitPage(t, tab, "its longest run in the panel", `(() => {
		const r = [...document.querySelectorAll('#tasks tbody tr')].find(r => r.cells[0].textContent === 'sensor');
		return r ? String(parseFloat(r.cells[4].textContent) >= 400) : 'no row';
	})()`, "true")
	// Green, due at 0.250 s, runs only after the sensor's run: pushed past
	// the long bar.
	waitPage(t, tab, "green after the sensor", `(() => {
		const ls = window.boardPage.lanes();
		const sensor = ls.find(l => l.name === 'sensor').bars.find(b => b.lane === 'running');
		const green = ls.find(l => l.name === 'blink green').bars.filter(b => b.lane === 'running');
		return String(green.length >= 2 && green[0].from < sensor.from && green[1].from >= sensor.to);
	})()`, "true")
	time.Sleep(0) // the page's faults are checked when the test ends
}

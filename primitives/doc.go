// Package primitives has the helpers that embedded asyncio programs rely on,
// after Peter Hinch's micropython-async primitives: Pushbutton and Switch
// (debounced inputs with gestures), Delay (a retriggerable one-shot timer),
// Encoder (a quadrature knob) and Ticker (a periodic wake-up that does not
// drift); and the event-based ones of micropython-async's EVENTS.md:
// WaitAny and WaitAll (wait for any or all of several Waitables, nested),
// ESwitch and EButton (a switch and a button with events only), Message (an
// event carrying a value, settable from any goroutine), RingbufQueue (a
// fixed-size queue that overwrites its oldest value), Broker
// (publish/subscribe by topic, with wildcards), Keyboard and SwArray (key
// matrices), AADC (pause until an analog reading leaves or enters a
// window, over any Analog input: TinyGo's machine.ADC shape). Package sched
// runs functions on cron schedules.
//
// They run on an asyncio loop and read their inputs through the board
// package's interfaces (board.Input, board.Pin), so the same code drives a
// simulated board, Linux GPIO lines and TinyGo pins. On the virtual clock
// (asyncio.VirtualClock) their timings are exact, which is how they are
// tested: against simulated buttons with seeded contact bounce
// (board.Bounce).
//
// # Lifetimes
//
// Nothing here starts a task behind your back. Pushbutton, Switch, ESwitch,
// EButton, Encoder, Keyboard and SwArray have a Run method, the body of the task that polls or waits for
// them: start it with their Start method (a task of the loop, cancelled
// when the loop closes) or in a TaskGroup (g.Go(button.Run)), and cancel
// that task to stop them. Delay uses no task at all, only a loop callback,
// so it cannot leak one. Timings are set per instance, in the
// configuration, not globally.
//
// # Callbacks and events
//
// Each gesture can be reported by a callback (OnPress, ...), a plain
// function run on the loop's goroutine at the moment the gesture is
// recognised, which must not block (start a task for longer work), or by an
// asyncio.Event (PressEvent, ...), which is set then and which the waiting
// task clears. Asking for either one enables the detection of that gesture.
//
// # Pushbutton gestures
//
// A press is seen at the first poll that reads the button pressed, a
// release at the first that reads it released; polls are Debounce apart, so
// contact bounce shorter than that is never seen. For a double click, the
// second press must be seen within DoubleClick of the first. Long and
// double are detected only when asked for. The order of what fires:
//
//	gesture        without Suppress                      with Suppress
//	short click    press, release                        press, release (*)
//	double click   press, release, press, release,       press, press, double
//	               double (double at the second release)
//	long press     press, long (LongPress after the      press, long
//	               press), release
//
// (*) With Suppress and double clicks asked for, the release of a single
// click fires when the double-click window closes (DoubleClick after the
// press), since until then it could still become a double click; without
// double clicks asked for, it fires at the release. Suppress changes only
// the release: exactly one of long, double and release fires per gesture.
// The second press of a double click does not start a long press. A press
// held for exactly LongPress is long: the long timer fires before the poll
// due at the same time.
package primitives

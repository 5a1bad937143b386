package wire_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/wire"
)

func TestTaskRoundTrip(t *testing.T) {
	msgs := []wire.Message{
		{Type: wire.Task, ID: 0, Name: "main", State: wire.TaskNew},
		{Type: wire.Task, ID: 1, Name: "blink red", At: 250e6, State: wire.TaskRunning},
		{Type: wire.Task, ID: 1, Name: "blink red", At: 250e6, State: wire.TaskSleeping, Text: "sleeping until 0.500s", Wall: 12345},
		{Type: wire.Task, ID: 7, Name: "sensor", At: 1e9, State: wire.TaskWaiting, Text: "waiting for an event"},
		{Type: wire.Task, ID: 1 << 33, Name: "t", At: 2e9, State: wire.TaskDone},
		{Type: wire.Where},
		{Type: wire.Task, ID: 2, Name: "blink green", At: 2e9, State: wire.TaskSleeping, Text: "sleeping until 2.250s", Where: "main.blink (/src/blink/main.go:49)"},
	}
	var buf bytes.Buffer
	enc := wire.NewEncoder(&buf)
	for _, m := range msgs {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	dec := wire.NewDecoder(&buf)
	for i, want := range msgs {
		got, err := dec.Decode()
		if err != nil || got != want {
			t.Fatalf("message %d: got %+v, %v; want %+v", i, got, err, want)
		}
	}
	if _, err := dec.Decode(); err != io.EOF {
		t.Errorf("after the last message: %v, want EOF", err)
	}
}

func TestBadTasksAreRefused(t *testing.T) {
	long := strings.Repeat("x", wire.MaxTaskText+1)
	for _, c := range []struct {
		line, want string
	}{
		{`{"t":"task","id":1,"state":"ready"}`, "no name"},
		{`{"t":"task","name":"a","id":-1,"state":"ready"}`, "task id -1"},
		{`{"t":"task","name":"a","id":1099511627776,"state":"ready"}`, "task id"},
		{`{"t":"task","name":"a","id":1}`, `unknown task state ""`},
		{`{"t":"task","name":"a","id":1,"state":"dancing"}`, `unknown task state "dancing"`},
		{`{"t":"task","name":"a","id":1,"state":"waiting","text":"` + long + `"}`, "a text of 513 bytes"},
		{`{"t":"task","name":"a","id":1,"state":"waiting","wall":-5}`, "a run of"},
		{`{"t":"task","name":"a","id":1,"state":"waiting","where":"` + long + `"}`, "an await point of 513 bytes"},
		{`{"t":"task","name":"a","id":1,"state":"waiting","wall":86400000000001}`, "a run of"},
		{`{"t":"task","name":"a","id":1,"state":"waiting","at":-1}`, "a time of"},
		{`{"t":"task","name":"` + strings.Repeat("n", wire.MaxName+1) + `","id":1,"state":"ready"}`, "a name of"},
		{`{"t":"task","name":"a","id":"one","state":"ready"}`, "cannot unmarshal"},
	} {
		dec := wire.NewDecoder(strings.NewReader(c.line + "\n" + `{"t":"task","name":"ok","id":2,"state":"ready"}` + "\n"))
		_, err := dec.Decode()
		if !errors.Is(err, wire.ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60s: got %v, want a malformed message saying %q", c.line, err, c.want)
		}
		// The decoder goes on with the next line.
		if m, err := dec.Decode(); err != nil || m.Name != "ok" {
			t.Errorf("%.60s: the next line: %+v, %v", c.line, m, err)
		}
	}
}

func TestTaskTooLongForALine(t *testing.T) {
	line := `{"t":"task","name":"a","id":1,"state":"waiting","text":"` + strings.Repeat("x", wire.MaxLine) + `"}`
	_, err := wire.NewDecoder(strings.NewReader(line + "\n")).Decode()
	if err == nil || errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("a line longer than MaxLine: %v, want a read error", err)
	}
}

package main

import (
	"bytes"
	"github.com/goasyncio/asyncio/internal/golden"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// runVirtual runs the command with args; it must succeed and print nothing
// on stderr.
func runVirtual(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("%q: exit code %d, stderr:\n%s", args, code, &stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && !strings.HasPrefix(line, "button: note: ") {
			t.Errorf("%q: stderr:\n%s", args, &stderr)
			break
		}
	}
	return stdout.String()
}

func TestGolden(t *testing.T) {
	for _, c := range []struct {
		file string
		args []string
		want string // what the golden file must say, independently of it
	}{
		{"press3s.golden", []string{"-virtual", "-press", "3s"}, "3.000 red on\n"},
		{"nopress.golden", []string{"-virtual"}, ""},
	} {
		t.Run(c.file, func(t *testing.T) {
			got := runVirtual(t, c.args...)
			golden.Check(t, c.file, got)
			if got != c.want {
				t.Errorf("%q printed %q, want %q", c.args, got, c.want)
			}
		})
	}
}

func TestPressTimes(t *testing.T) {
	for _, c := range []struct {
		press, want string
	}{
		{"3000ms", "3.000 red on\n"},
		{"3.5s", "3.500 red on\n"},
		{"3.005s", "3.020 red on\n"}, // seen at the next poll
		{"3.02s", "3.020 red on\n"},
		{"1m", ""}, // after the run
		{"9.98s", "9.980 red on\n"},
		{"9.99s", ""}, // the poll at 10 s comes after main's wake-up
		{"10s", ""},
		// A press at 0 is due after the poller has started: its first
		// read, at 0, is already made, so it sees the press at 0.020.
		{"0s", "0.020 red on\n"},
		{"1ns", "0.020 red on\n"},
		{"20ms", "0.020 red on\n"},
	} {
		if got := runVirtual(t, "-virtual", "-press", c.press); got != c.want {
			t.Errorf("-press %s printed %q, want %q", c.press, got, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-virtual", "-press", "3"}, 2, `invalid value "3" for flag -press: want a duration such as 3s, 3.5s or 3000ms: time: missing unit in duration "3"`},
		{[]string{"-virtual", "-press", "soon"}, 2, `invalid value "soon" for flag -press`},
		{[]string{"-virtual", "-press", "-1s"}, 2, "must not be negative"},
		{[]string{"-virtual", "-press"}, 2, "flag needs an argument: -press"},
		{[]string{"-virtual", "3s"}, 2, `unexpected argument "3s"`},
		{[]string{"-virtual", "-press", "20s"}, 0, "note: -press 20s comes when the run, which lasts 10s, is over"},
		{[]string{"-h"}, 0, "usage: button"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &stdout, &stderr); code != c.code {
			t.Errorf("%q: exit code %d, want %d", c.args, code, c.code)
		}
		if !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("%q: stderr %q, want it to contain %q", c.args, &stderr, c.stderr)
		}
		if stdout.Len() > 0 {
			t.Errorf("%q: stdout %q, want nothing", c.args, &stdout)
		}
	}
}

package fuzz

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// This file runs programs in real MicroPython and in CPython: one long-lived
// process each (tools/fuzz-runner.mjs under Node, cpython_driver.py under
// python3), fed one program a line.

const installHint = "run `npm ci --prefix conformance` from the repository root to install the pinned MicroPython and fake-timers"

// The npm packages the runner needs, at the versions conformance/package.json pins.
var npmPackages = map[string]string{
	"@micropython/micropython-webassembly-pyscript": "1.27.0",
	"@sinonjs/fake-timers":                          "15.5.0",
}

// output is what a program printed.
type output struct {
	Out    string `json:"out"`
	Stderr string `json:"stderr"`
	Err    string `json:"err"`
}

// server is a process that runs programs sent to it one a line.
type server struct {
	name    string
	argv    []string
	missing string // why it cannot run here, or ""

	mu      sync.Mutex
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan []byte
	exited  chan struct{}
}

// run sends src and returns the reply.
func (s *server) run(src string) (output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.missing != "" {
		return output{}, errors.New(s.missing)
	}
	if s.cmd == nil {
		if err := s.start(); err != nil {
			return output{}, err
		}
	}
	line, _ := json.Marshal(map[string]string{"src": src})
	if _, err := s.stdin.Write(append(line, '\n')); err != nil {
		s.stopLocked()
		return output{}, fmt.Errorf("%s: %v", s.name, err)
	}
	select {
	case b, ok := <-s.replies:
		if !ok {
			s.stopLocked()
			return output{}, fmt.Errorf("%s exited", s.name)
		}
		var o output
		if err := json.Unmarshal(b, &o); err != nil {
			return output{}, fmt.Errorf("%s: bad reply %q: %v", s.name, b, err)
		}
		return o, nil
	case <-time.After(60 * time.Second):
		s.stopLocked()
		return output{}, fmt.Errorf("%s: no answer after 60s", s.name)
	}
}

func (s *server) start() error {
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %v", s.name, err)
	}
	s.cmd, s.stdin = cmd, stdin
	s.replies, s.exited = make(chan []byte), make(chan struct{})
	go func(replies chan<- []byte, exited chan<- struct{}) {
		defer close(exited)
		defer close(replies)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			replies <- append([]byte(nil), sc.Bytes()...)
		}
	}(s.replies, s.exited)
	return nil
}

// stop ends the process, if it runs.
func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *server) stopLocked() {
	if s.cmd == nil {
		return
	}
	s.stdin.Close()
	done := make(chan struct{})
	go func() {
		for range s.replies { // drain until the reader ends
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	<-s.exited
	s.cmd.Wait()
	s.cmd = nil
}

// skipOrFail skips t when the server cannot run here, or fails it when the
// environment variable CI is set: CI must run the whole suite.
func (s *server) skipOrFail(t *testing.T) {
	t.Helper()
	if s.missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(s.missing)
	}
	t.Skip(s.missing)
}

var micropython = sync.OnceValue(func() *server {
	s := &server{name: "MicroPython (node tools/fuzz-runner.mjs)"}
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" || os.Getenv("ASYNCIO_EMULATED") != "" {
		s.missing = "runs MicroPython under Node beside the Go interpreter; skipped under an emulator"
		return s
	}
	node, err := exec.LookPath("node")
	if err != nil {
		s.missing = "node is not installed: it runs MicroPython; " + installHint
		return s
	}
	for pkg, version := range npmPackages {
		var meta struct{ Version string }
		b, err := os.ReadFile(filepath.Join("..", "node_modules", filepath.FromSlash(pkg), "package.json"))
		if err != nil || json.Unmarshal(b, &meta) != nil {
			s.missing = pkg + " is not installed: " + installHint
			return s
		}
		if meta.Version != version {
			s.missing = fmt.Sprintf("%s %s is installed, the fuzzer is pinned to %s: %s", pkg, meta.Version, version, installHint)
			return s
		}
	}
	s.argv = []string{node, filepath.Join("..", "tools", "fuzz-runner.mjs")}
	return s
})

// cpythonVersion is the CPython the agreement count is made with, as for
// the table in docs/differences.md.
const cpythonVersion = "3.11"

var cpython = sync.OnceValue(func() *server {
	s := &server{name: "CPython (python3 cpython_driver.py)"}
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" || os.Getenv("ASYNCIO_EMULATED") != "" {
		s.missing = "runs CPython beside the Go interpreter; skipped under an emulator"
		return s
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		s.missing = "python3 is not installed: the agreement count is made with CPython " + cpythonVersion
		return s
	}
	v, err := exec.Command(py, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if got := string(v); err != nil || got != cpythonVersion+"\n" {
		s.missing = fmt.Sprintf("python3 is CPython %q, the agreement count is made with CPython %s", got, cpythonVersion)
		return s
	}
	s.argv = []string{py, "-u", "cpython_driver.py"}
	return s
})

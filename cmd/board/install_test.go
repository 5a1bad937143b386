package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// testVersion is the made-up version of the module that the test's proxy
// serves.
const testVersion = "v0.0.0-test"

// TestInstalledBoardRunsALab installs board as a user does, with go install
// github.com/goasyncio/asyncio/cmd/board@VERSION, from a module proxy made
// of this clone's files, and runs the blink lab with it from a directory
// outside any module: board builds the lab of its own version and serves
// it; board test plays the lab's scenario.
func TestInstalledBoardRunsALab(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: installs board from a module proxy and builds a lab, up to a minute on a cold build cache")
	}
	testenv.SkipIfEmulated(t, "installs and starts native programs")
	testenv.SkipIfNoCommand(t, "go")
	testenv.SkipIfNoCommand(t, "git")
	root := moduleRoot("")
	if root == "" {
		t.Skip("not run in a clone of the module")
	}
	files, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("the module's files are not in git: %v", err)
	}

	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	writeProxy(t, proxy, root, strings.Split(strings.TrimSuffix(string(files), "\x00"), "\x00"))
	goenv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	// Dependencies come from this machine's module cache, else from its
	// proxy. A module cache of the test's own keeps the made-up version out
	// of the user's; -trimpath lets the build cache serve the dependencies
	// from one run to the next all the same (without it, their directories,
	// new each run, would be part of what is compiled), and leaves board
	// no record of a clone it was built from: it must fetch its labs.
	env := append(os.Environ(),
		"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(goenv("GOMODCACHE"), "cache", "download"))+","+goenv("GOPROXY"),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOFLAGS="+strings.TrimSpace(goenv("GOFLAGS")+" -modcacherw -trimpath"),
		"GOSUMDB=off", // the made-up version is in no checksum database
		"GOBIN="+filepath.Join(tmp, "bin"),
	)
	elsewhere := filepath.Join(tmp, "elsewhere")
	if err := os.Mkdir(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	install := exec.Command("go", "install", module+"/cmd/board@"+testVersion)
	install.Dir, install.Env = elsewhere, env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install %s/cmd/board@%s: %v\n%s", module, testVersion, err, out)
	}
	board := filepath.Join(tmp, "bin", exe("board"))

	list := exec.Command(board, "-list")
	list.Dir, list.Env = elsewhere, env
	out, err := list.Output()
	if err != nil {
		t.Fatalf("board -list: %v", err)
	}
	for _, n := range labNames() {
		if !strings.Contains(string(out), n+" ") {
			t.Errorf("board -list lacks %s:\n%s", n, out)
		}
	}

	// board test plays a scenario against the lab, built the same way.
	test := exec.Command(board, "test", filepath.Join(root, "examples", "blink", "testdata", "blink.yaml"), "blink")
	test.Dir, test.Env = elsewhere, env
	if out, err := test.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS blink") {
		t.Errorf("board test blink.yaml blink: %v\n%s", err, out)
	}

	cmd := exec.Command(board, "-addr", "127.0.0.1:0", "-paused", "blink")
	cmd.Dir, cmd.Env = elsewhere, env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := new(syncBuffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	defer func() {
		cmd.Process.Kill() // if the test ends before board does
		<-exited
	}()
	var url string
	select {
	case line := <-lines:
		i := strings.Index(line, "http://")
		if i < 0 {
			t.Fatalf("no address in %q; stderr:\n%s", line, stderr)
		}
		url = strings.Fields(line[i:])[0]
	case <-time.After(3 * time.Minute):
		t.Fatalf("no address printed; stderr:\n%s", stderr)
	}
	checkPausedBlink(t, url)
	if want := "the labs come from " + module + "@" + testVersion; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Skipf("cannot interrupt board here: %v", err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		if err != nil {
			t.Errorf("board after Ctrl-C: %v; stderr:\n%s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("board did not stop on Ctrl-C")
	}
}

// fileURL is the file:// URL of a local directory.
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x
	}
	return "file://" + p
}

// writeProxy writes a module proxy in dir (GOPROXY=file://dir) that serves
// the module at testVersion, made of the files of root (paths relative to
// it).
func writeProxy(t *testing.T, dir, root string, files []string) {
	t.Helper()
	v := filepath.Join(dir, filepath.FromSlash(module), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// A directory with a go.mod of its own is another module.
	var nested []string
	for _, f := range files {
		if path.Base(f) == "go.mod" && f != "go.mod" {
			nested = append(nested, path.Dir(f)+"/")
		}
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
files:
	for _, f := range files {
		for _, n := range nested {
			if strings.HasPrefix(f, n) {
				continue files
			}
		}
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted from the work tree, or a link: not in a module
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(module + "@" + testVersion + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":                []byte(testVersion + "\n"),
		testVersion + ".info": []byte(`{"Version":"` + testVersion + `","Time":"2026-01-01T00:00:00Z"}`),
		testVersion + ".mod":  mod,
		testVersion + ".zip":  zb.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(v, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

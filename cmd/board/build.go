package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// builtFrom is the root of the module's source this board was compiled
// from, as the compiler recorded it ("" if it did not: built with
// -trimpath). A board installed from a clone (go install ./cmd/board) builds
// the labs from there when it runs elsewhere.
var builtFrom = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file))) // file is ROOT/cmd/board/build.go
}()

// labSource returns the root of the module's source to build the labs from,
// and where that is, in words, when it is not the current directory's clone:
//
//   - in a clone of the module (the module, or a workspace holding it, is
//     the current directory's), that clone;
//   - for a board installed at a version (go install
//     github.com/goasyncio/asyncio/cmd/board@v1.2.3), that version, from
//     the module cache (go mod download), so that the labs speak the
//     board's own protocol;
//   - for a board built from a clone (a version "(devel)" or
//     "…+dirty"), that clone, if it is still there.
func labSource() (root, from string, err error) {
	if root := moduleRoot(""); root != "" {
		return root, "", nil
	}
	version := ""
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Path == module {
		version = info.Main.Version
	}
	if released(version) {
		root, derr := download(module + "@" + version)
		if derr == nil {
			return root, module + "@" + version, nil
		}
		if src := moduleRoot(builtFrom); src != "" {
			return src, "the clone board was built from, " + src, nil
		}
		return "", "", fmt.Errorf("the labs of this board are those of %s@%s, which the go command cannot fetch: %w", module, version, derr)
	}
	if src := moduleRoot(builtFrom); src != "" {
		return src, "the clone board was built from, " + src, nil
	}
	why := fmt.Sprintf("this board was built from source (version %s), not installed at a version", version)
	if version == "" {
		why = "this board was not built as " + module + "/cmd/board"
	} else if builtFrom != "" {
		why += ", and the clone it was built from, " + builtFrom + ", is not there"
	}
	return "", "", fmt.Errorf("%s: the labs are built from the source of %s: run board in a clone of it, or install it at a version (go install %s/cmd/board@latest), or name your own program's directory", why, module, module)
}

// released reports whether version names a version of the module that the
// go command can fetch: not "(devel)", nor a build from a clone with
// changes ("v0.0.0-…+dirty").
func released(version string) bool {
	return strings.HasPrefix(version, "v") && !strings.Contains(version, "+")
}

// moduleRoot returns the root directory of the module when dir ("" is the
// current directory) is in it, or in a workspace that holds it; else "".
func moduleRoot(dir string) string {
	if dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil || !fi.Mode().IsRegular() {
			return "" // not there: don't let the go command look in its parents
		}
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "" // no module here
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, root, ok := strings.Cut(sc.Text(), "\t"); ok && path == module && root != "" {
			return root
		}
	}
	return ""
}

// download fetches a module at a version into the module cache and returns
// its directory there.
func download(modVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = os.TempDir() // outside any module or workspace
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return "", errors.New(m.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w\n%s", modVersion, err, strings.TrimSpace(stderr.String()))
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory in %q", modVersion, out)
	}
	return m.Dir, nil
}

// buildLab builds the built-in lab l into the file out, from the source
// labSource finds; with hook, as build does. It notes on w where the lab
// comes from when that is not the current directory's clone.
func buildLab(l lab, out, hook string, w io.Writer) error {
	root, from, err := labSource()
	if err != nil {
		return err
	}
	if from != "" {
		fmt.Fprintf(w, "board: the labs come from %s\n", from)
	}
	return build(root, "./"+strings.TrimPrefix(l.pkg, module+"/"), out, hook)
}

// build builds the main package pkg, a directory relative to dir ("" is the
// current directory), into the file out with the go command. With hook, the
// package is built with one more file (go build -overlay), which imports
// the package hook, written next to out.
func build(dir, pkg, out, hook string) error {
	args := []string{"build", "-o", out}
	if hook != "" {
		list := exec.Command("go", "list", "-f", "{{.Dir}}", pkg)
		list.Dir = dir
		pkgDir, err := list.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go list %s: %w\n%s", pkg, err, bytes.TrimSpace(pkgDir))
		}
		src := filepath.Join(filepath.Dir(out), "zz_board_hook.go")
		if err := os.WriteFile(src, []byte("package main\n\nimport _ \""+hook+"\"\n"), 0o644); err != nil {
			return err
		}
		ov, err := json.Marshal(map[string]map[string]string{
			"Replace": {filepath.Join(strings.TrimSpace(string(pkgDir)), "zz_board_hook.go"): src},
		})
		if err != nil {
			return err
		}
		overlay := filepath.Join(filepath.Dir(out), "overlay.json")
		if err := os.WriteFile(overlay, ov, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

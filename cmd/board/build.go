package main

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// labSource is where the built-in labs are built from: the root of a copy
// of the module's source.
type labSource struct {
	root   string
	from   string // where that is, in words; "" for the current directory's clone
	cached bool   // root is in the module cache, where no file may be added
}

// findLabs returns where to build the labs from:
//
//   - in a clone of the module (the module, or a workspace holding it, is
//     the current directory's), that clone;
//   - for a board installed at a version (go install
//     github.com/goasyncio/asyncio/cmd/board@v1.2.3), that version, from
//     the module cache (go mod download), so that the labs speak the
//     board's own protocol;
//   - for a board built from a clone (a version "(devel)", "…+dirty", or
//     a commit the go command cannot fetch), that clone, if it is still
//     there.
func findLabs() (labSource, error) {
	if root := moduleRoot(""); root != "" {
		return labSource{root: root}, nil
	}
	version := ""
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Path == module {
		version = info.Main.Version
	}
	clone := func() (labSource, bool) {
		if builtFrom == "" {
			return labSource{}, false
		}
		root := moduleRoot(builtFrom)
		return labSource{root: root, from: "the clone board was built from, " + root}, root != ""
	}
	if released(version) {
		root, err := download(module + "@" + version)
		if err == nil {
			return labSource{root: root, from: module + "@" + version, cached: true}, nil
		}
		if src, ok := clone(); ok {
			return src, nil
		}
		return labSource{}, fmt.Errorf("the labs of this board are those of %s@%s, which the go command cannot fetch: %w", module, version, err)
	}
	if src, ok := clone(); ok {
		return src, nil
	}
	why := fmt.Sprintf("this board was built from source (version %s), not installed at a version", version)
	if version == "" {
		why = "this board was not built as " + module + "/cmd/board"
	} else if builtFrom != "" {
		why += ", and the clone it was built from, " + builtFrom + ", is not there"
	}
	return labSource{}, fmt.Errorf("%s: the labs are built from the source of %s: run board in a clone of it, or install it at a version (go install %s/cmd/board@latest), or name your own program's directory", why, module, module)
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
	cmd.Dir = os.TempDir() // outside any module
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", modVersion, m.Error)
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
// findLabs finds, with the package hook added if set (see goBuild). It
// notes on w where the lab comes from when that is not the current
// directory's clone.
func buildLab(l lab, out, hook string, w io.Writer) error {
	src, err := findLabs()
	if err != nil {
		return err
	}
	if src.from != "" {
		fmt.Fprintf(w, "board: the labs come from %s\n", src.from)
	}
	b := goBuild{dir: src.root, pkg: "./" + strings.TrimPrefix(l.pkg, module+"/"), hook: hook}
	if src.cached {
		// Not in the user's workspace, if GOWORK names one.
		b.env = []string{"GOWORK=off"}
		if hook != "" {
			// The go command adds no file to a package of the module
			// cache, not even with -overlay: build a copy, with paths
			// that do not name it (-trimpath), so that the build cache
			// knows it from one run to the next.
			cp := filepath.Join(filepath.Dir(out), "src")
			if err := os.CopyFS(cp, os.DirFS(src.root)); err != nil {
				return fmt.Errorf("copying the labs' source: %w", err)
			}
			b.dir, b.flags = cp, []string{"-trimpath"}
		}
	}
	return b.run(out)
}

// exe names a program file as the system runs it: name.exe on Windows.
func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// goBuild is a build of a main package with the go command.
type goBuild struct {
	dir   string   // where the go command runs; "" is the current directory
	pkg   string   // the package, a directory relative to dir
	hook  string   // if set, a package that one more file of pkg imports (go build -overlay)
	flags []string // more flags for go build
	env   []string // more for the go command's environment, board's own
}

// run builds the package into the file out. The hook's file is written
// next to out.
func (b goBuild) run(out string) error {
	env := append(os.Environ(), b.env...)
	args := append([]string{"build", "-o", out}, b.flags...)
	if b.hook != "" {
		list := exec.Command("go", "list", "-f", "{{.Dir}}", b.pkg)
		list.Dir, list.Env = b.dir, env
		pkgDir, err := list.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go list %s: %w\n%s", b.pkg, err, bytes.TrimSpace(pkgDir))
		}
		src := filepath.Join(filepath.Dir(out), "zz_board_hook.go")
		if err := os.WriteFile(src, []byte("package main\n\nimport _ \""+b.hook+"\"\n"), 0o644); err != nil {
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
	cmd := exec.Command("go", append(args, b.pkg)...)
	cmd.Dir, cmd.Env = b.dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

#!/usr/bin/env bash
# Runs the test suite cross-compiled for other architectures: under
# qemu-user (Debian's qemu-user-static) for linux/arm with GOARM=6 and 7,
# linux/arm64 and linux/riscv64, and under Node for js/wasm with Go's own
# go_js_wasm_exec. Without -race: the race detector does not exist on most
# of these targets. linux/amd64, with -race, is .ci/run's own `go test`.
#
# Usage:
#   scripts/cross-test.sh                 # every target
#   scripts/cross-test.sh arm6 wasm       # some of: arm6 arm7 arm64 riscv64 wasm
#
# Environment:
#   CROSS_PKGS       packages for the qemu targets (default ./...)
#   CROSS_WASM_PKGS  packages for js/wasm (default: the core, the board,
#                    the examples and the switch benchmarks)
#   CROSS_WASM_EXCLUDE  import paths left out of those (default: the Linux
#                    GPIO and bus backends)
#   CROSS_TESTFLAGS  extra go test flags (default -count=1)
#   CROSS_LOGDIR     keep each target's full go test -v output there
#
# Tests learn that they run emulated from ASYNCIO_EMULATED (the emulator's
# name); internal/testenv reads it. It prints one PASS/FAIL line per target
# with its wall time, and exits 1 if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

all_targets=(arm6 arm7 arm64 riscv64 wasm)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

pkgs=${CROSS_PKGS:-./...}
wasm_pkgs=${CROSS_WASM_PKGS:-. ./board/... ./examples/... ./bench/switch}
# Packages that only make sense on Linux (GPIO character devices).
wasm_exclude=${CROSS_WASM_EXCLUDE:-github.com/goasyncio/asyncio/board/linuxgpio github.com/goasyncio/asyncio/board/linuxbus}
testflags=${CROSS_TESTFLAGS:--count=1}
testflags="-v $testflags" # -v: skipped tests and their reasons are printed

need_qemu=()
for t in "${targets[@]}"; do
	case $t in
	arm6 | arm7) need_qemu+=(qemu-arm-static) ;;
	arm64) need_qemu+=(qemu-aarch64-static) ;;
	riscv64) need_qemu+=(qemu-riscv64-static) ;;
	wasm) ;;
	*)
		echo "cross-test: unknown target $t (want: ${all_targets[*]})" >&2
		exit 2
		;;
	esac
done

# qemu-user-static: install it when missing, if we may (root, as in CI).
missing=0
for q in "${need_qemu[@]}"; do
	command -v "$q" >/dev/null || missing=1
done
if [ $missing = 1 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "cross-test: installing qemu-user-static"
		start=$SECONDS
		export DEBIAN_FRONTEND=noninteractive
		if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null; }; then
			echo "cross-test: apt-get install qemu-user-static failed" >&2
			exit 1
		fi
		echo "cross-test: installed in $((SECONDS - start)) s"
	else
		echo "cross-test: qemu-user-static is missing; install it with" >&2
		echo "    sudo apt-get install qemu-user-static" >&2
		echo "or run only the wasm target: $0 wasm" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
logdir=${CROSS_LOGDIR:-$tmp}
mkdir -p "$logdir"

# js/wasm: Go's wrapper runs the test binary under Node. Node hands the whole
# environment to the program, which must fit in a few KB of its memory, so
# the wrapper passes on only what tests use.
wasm_exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
[ -x "$wasm_exec" ] || wasm_exec="$(go env GOROOT)/misc/wasm/go_js_wasm_exec" # before Go 1.24
cat >"$tmp/wasm-exec" <<EOF
#!/usr/bin/env bash
exec env -i PATH="\$PATH" HOME="\${HOME:-/tmp}" TMPDIR="\${TMPDIR:-/tmp}" ASYNCIO_EMULATED=node "$wasm_exec" "\$@"
EOF
chmod +x "$tmp/wasm-exec"

go version
results=()
failed=0
for t in "${targets[@]}"; do
	env=(CGO_ENABLED=0)
	exec_=()
	list=$pkgs
	case $t in
	arm6) env+=(GOOS=linux GOARCH=arm GOARM=6 ASYNCIO_EMULATED=qemu-arm-static) exec_=(-exec qemu-arm-static) ;;
	arm7) env+=(GOOS=linux GOARCH=arm GOARM=7 ASYNCIO_EMULATED=qemu-arm-static) exec_=(-exec qemu-arm-static) ;;
	arm64) env+=(GOOS=linux GOARCH=arm64 ASYNCIO_EMULATED=qemu-aarch64-static) exec_=(-exec qemu-aarch64-static) ;;
	riscv64) env+=(GOOS=linux GOARCH=riscv64 ASYNCIO_EMULATED=qemu-riscv64-static) exec_=(-exec qemu-riscv64-static) ;;
	wasm)
		command -v node >/dev/null || {
			echo "cross-test: wasm needs node on the PATH" >&2
			results+=("FAIL  js/wasm  (node not found)")
			failed=1
			continue
		}
		env+=(GOOS=js GOARCH=wasm) exec_=(-exec "$tmp/wasm-exec")
		# shellcheck disable=SC2086
		printf '%s\n' $wasm_exclude >"$tmp/wasm-exclude"
		# shellcheck disable=SC2086
		list=$(GOOS=js GOARCH=wasm go list $wasm_pkgs | grep -vxF -f "$tmp/wasm-exclude" | tr '\n' ' ')
		;;
	esac
	log="$logdir/$t.log"
	echo
	echo "=== $t: ${env[*]} go test $testflags ${exec_[*]} $list"
	start=$SECONDS
	# shellcheck disable=SC2086 # the package lists and flags are word lists
	env "${env[@]}" go test $testflags "${exec_[@]}" $list >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	# Show the package results, and each skipped or failed test with its
	# output (a skip's reason, a failure's first 40 lines): -v streams a
	# test's output under "=== RUN/CONT/NAME name" headers, before its result
	# line.
	awk '
		/^=== (RUN|CONT|NAME|PAUSE) / { cur = $3; next }
		/^ *--- (SKIP|FAIL): / {
			print
			n = split(out[$3], l, "\n") - 1
			max = $2 == "SKIP:" ? 1 : 40 # a skip needs only its reason
			for (i = 1; i <= n && i <= max; i++) print l[i]
			if (n > max) print "        ..."
			delete out[$3]
			next
		}
		/^ *--- PASS: / { delete out[$3]; next }
		/^(ok|FAIL|panic:|\?)[ \t]/ || /^FAIL$/ { print; next }
		/^    / { out[cur] = out[cur] $0 "\n" }
	' "$log" | head -300
	name=$(printf '%s' "${env[*]}" | sed -E 's/CGO_ENABLED=0 //; s/ ASYNCIO_EMULATED=[^ ]*//')
	if [ $rc = 0 ]; then
		results+=("$(printf 'PASS  %-36s %4d s' "$name" "$took")")
	else
		results+=("$(printf 'FAIL  %-36s %4d s' "$name" "$took")")
		failed=1
		echo "--- $t failed; the end of its log:"
		grep -vE "^ *(=== |--- PASS)" "$log" | tail -60
	fi
done

echo
echo "cross-test summary:"
printf '  %s\n' "${results[@]}"
exit $failed

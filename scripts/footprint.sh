#!/usr/bin/env bash
# Measures the library's footprint and writes docs/footprint.md: binary
# sizes per architecture, memory per task natively and on linux/arm under
# qemu-user, and allocations per task switch and per sleep. Installs
# qemu-user-static first when it is missing and we may (root, as in CI).
#
# Usage: scripts/footprint.sh [-o FILE] [-tasks 10,1000,100000] [-reps 3]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v qemu-arm-static >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "footprint: installing qemu-user-static" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
	else
		echo "footprint: qemu-arm-static is missing, so the linux/arm rows will be empty;" >&2
		echo "    install it with: sudo apt-get install qemu-user-static" >&2
	fi
fi
exec go run ./scripts/footprint "$@"

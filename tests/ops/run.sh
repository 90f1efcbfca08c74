#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Operations test runner: xstored as an administrator and Xen's scripts
# meet it (start-up, readiness, signals, options, logs, control commands,
# the systemd unit, the man page, make install).
#
# Usage: XSTORED=/abs/build/xstored BUILD=/abs/build tests/ops/run.sh [REGEX]
# (`make ops`, and so `make check`, sets both). REGEX runs only the tests
# whose names match it (grep -E).
#
# Tests are functions test_<name> in tests/ops/ops_*.sh, helpers in lib.sh.
# Each runs in its own bash process and temp directory, under `timeout`
# (TEST_TIMEOUT s); it starts and stops its own daemons. Afterwards every
# pid the test registered (lib.sh `track`) that still runs is killed, by
# pid. A failed test keeps its directory and shows its output.
#
# Output: "PASS name" / "FAIL name" per test, then "N passed, M failed".

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make ops does)}"
: "${BUILD:?set BUILD to the build directory (make ops does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
FILTER=${1:-}
TEST_TIMEOUT=60

passed=0
failed=0

if [ ! -x "$XSTORED" ]; then
	echo "run.sh: $XSTORED is not an executable" >&2
	exit 2
fi

# Kills what a test left running: only the pids it registered.
reap() {
	local dir=$1 pid
	[ -f "$dir/pids" ] || return 0
	while read -r pid; do
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -KILL "$pid" 2>/dev/null
	done <"$dir/pids"
}

run_one() {
	local name=$1 file=$2 dir rc=0
	if [ -n "$FILTER" ] && ! grep -Eq -- "$FILTER" <<<"$name"; then
		return 0
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/xstored-ops.XXXXXX")
	# shellcheck disable=SC2016 # expanded by the inner bash
	XSTORED=$XSTORED BUILD=$BUILD ROOT=$ROOT TESTDIR=$dir \
	    timeout -k 5 "$TEST_TIMEOUT" bash -c \
	    'set -u; . "$1"; . "$2"; "test_$3"' _ \
	    "$HERE/lib.sh" "$file" "$name" \
	    </dev/null >"$dir/test.log" 2>&1 || rc=$?
	reap "$dir"
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name"
		passed=$((passed + 1))
		rm -rf "$dir"
		return 0
	fi
	echo "FAIL $name"
	failed=$((failed + 1))
	{
		[ "$rc" -eq 124 ] && echo "    timed out after ${TEST_TIMEOUT}s"
		echo "    --- test output ($dir):"
		sed 's/^/    | /' "$dir/test.log"
		if [ -s "$dir/daemon.log" ]; then
			echo "    --- daemon log:"
			tail -n 30 "$dir/daemon.log" | sed 's/^/    | /'
		fi
	} >&2
}

for file in "$HERE"/ops_*.sh; do
	[ -e "$file" ] || continue
	while read -r fn <&4; do
		run_one "$fn" "$file"
	done 4< <(sed -n 's/^test_\([A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{.*/\1/p' "$file")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

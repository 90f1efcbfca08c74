#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2034 # the settings below are read by tests/lib/runner.sh
# Integration test runner: every test against its own fresh daemon.
#
# Usage: XSTORED=/abs/build/xstored BUILD=/abs/build tests/integration/run.sh [REGEX]
# (`make integration` sets both). REGEX, if given, runs only the tests whose
# names match it (grep -E).
#
# Tests come from two places:
#   - shell tests: functions test_<name> in tests/integration/clients_*.sh,
#     driving Debian's xenstore-* clients (helpers in lib.sh);
#   - raw tests: the Check cases of $BUILD/tests/integration/raw_test
#     (raw_test.c, wire packets written by hand), listed by `raw_test --list`
#     and run one at a time with CK_RUN_CASE=<name>.
#
# For each test (tests/lib/runner.sh has the whole round): make a temp dir,
# start `xstored -N` with XENSTORED_PATH set to a socket in it, wait (at
# most START_TIMEOUT s) until the socket accepts a connection, run the test
# under `timeout`, then stop the daemon with SIGTERM and check how it ended.
# A failed test keeps its directory and prints the test's whole output and
# the tail of the daemon's stderr log.
#
# Output: one "PASS name" / "FAIL name" line per test, then exactly
# "N passed, M failed". Exit status 1 if M > 0.
#
# Under valgrind (`make valgrind`): XSTORED_WRAP and XS_TIME_FACTOR, as
# tests/lib/runner.sh says. XS_TIME_FACTOR scales the runner's timeouts
# and the helpers' (lib.sh: CLIENT_TIMEOUT, a test's own CLIENT_TIMEOUT=N
# included, and the waits for a watcher's line).

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make integration does)}"
: "${BUILD:?set BUILD to the build directory (make integration does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
RAW=$BUILD/tests/integration/raw_test

# shellcheck source=tests/lib/runner.sh disable=SC1091
. "$HERE/../lib/runner.sh"
runner_init "$@"

START_TIMEOUT=$((5 * XS_TIME_FACTOR))	# seconds for the socket to accept
STOP_TIMEOUT=$((5 * XS_TIME_FACTOR))	# seconds for the daemon to exit after SIGTERM
TEST_TIMEOUT=$((150 * XS_TIME_FACTOR))	# seconds for one whole test
LOG_TAIL=30		# daemon log lines shown for a failed test
OUTPUT_TAIL=		# all the test's output
TEST_DIR_TEMPLATE=${TMPDIR:-/tmp}/xstored-it.XXXXXX
NOT_READY='socket %s/socket did not accept a connection'

need_programs "$XSTORED"

daemon_args() {
	daemon_argv=(-N)
}

# Does the socket accept a connection? raw_test --probe connects and exits;
# without it, a client that reads "/" does the same job.
probe() {
	if [ -x "$RAW" ]; then
		timeout -k 1 $((2 * XS_TIME_FACTOR)) "$RAW" --probe >/dev/null 2>&1
	else
		timeout -k 1 $((2 * XS_TIME_FACTOR)) xenstore-read / >/dev/null 2>&1
	fi
}

daemon_ready() {
	[ -S "$1/socket" ] && XENSTORED_PATH=$1/socket probe
}

# run_test DIR NAME ARG: ARG "raw" (a raw_test case) or the file defining
# test_NAME.
run_test() {
	local dir=$1 name=$2 arg=$3
	if [ "$arg" = raw ]; then
		XENSTORED_PATH=$dir/socket CK_RUN_CASE=$name \
		    timeout -k 5 "$TEST_TIMEOUT" "$RAW" \
		    </dev/null >"$dir/test.log" 2>&1
	else
		run_sh_test "$dir" "$name" "$arg"
	fi
}

# Shell tests, in the order they are defined in each file.
for_each_test run_one '[A-Za-z0-9_]*' "$HERE"/clients_*.sh

# Raw wire tests.
if [ -x "$RAW" ]; then
	if ! names=$("$RAW" --list); then
		echo "FAIL raw_test --list"
		failed=$((failed + 1))
		names=
	fi
	for name in $names; do
		run_one "$name" raw
	done
else
	echo "FAIL raw_test (not built: $RAW)"
	failed=$((failed + 1))
fi

summary

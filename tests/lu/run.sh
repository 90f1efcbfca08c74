#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2034 # the settings below are read by tests/lib/runner.sh
# Live-update test runner (docs/live-update.md): xstored replaces itself
# with `xenstore-control live-update` while socket clients and simulated
# guests are attached, and refuses bad input clearly.
#
# Usage: XSTORED=/abs/build/xstored BUILD=/abs/build tests/lu/run.sh [REGEX]
# (`make lu` sets both). Every test gets its own daemon, started as the
# simulator suite starts it (tests/sim/run.sh): -N --hypervisor=sim:DIR/hv
# with XENSTORED_PATH=DIR/socket, plus XENSTORED_RUNDIR=DIR, where the
# dump goes. The update execs $XSTORED in the same process, so the
# runner's pid, and its SIGTERM at the end, still reach the daemon.
#
# Tests are functions test_<name> in tests/lu/lu_*.sh (helpers in
# lib.sh). LU_ROUNDS (50) sets how many updates in a row the repeat test
# does. Not run under valgrind: the exec would leave the wrapper.

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make lu does)}"
: "${BUILD:?set BUILD to the build directory (make lu does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/runner.sh disable=SC1091
. "$HERE/../lib/runner.sh"
runner_init "$@"
sim_init

TEST_TIMEOUT=$((300 * XS_TIME_FACTOR))
TEST_DIR_TEMPLATE=/tmp/xslu.XXXXXX

daemon_args() {
	export XENSTORED_RUNDIR=$1
	daemon_argv=(-N --hypervisor="sim:$1/hv")
}

daemon_ready() {
	sim_daemon_ready "$1"
}

run_test() {
	sim_run_test "$@"
}

for_each_test run_one '[A-Za-z0-9_]*' "$HERE"/lu_*.sh

summary

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2034 # the settings below are read by tests/lib/runner.sh
# Simulator test runner: guests over simulated ring pages, every test against
# its own fresh daemon.
#
# Usage: XSTORED=/abs/build/xstored BUILD=/abs/build tests/sim/run.sh [REGEX]
# (`make sim` sets both). REGEX, if given, runs only the tests whose names
# match it (grep -E). The guest simulator is $BUILD/xs-guest and the raw dom0
# client $BUILD/tests/sim/xs_raw (tests/sim/xs_raw.c); XSGUEST and XSRAW
# override them.
#
# Under AddressSanitizer + UBSan: `make sim SANITIZE=1`, i.e.
#   XSTORED=$PWD/build-san/xstored BUILD=$PWD/build-san tests/sim/run.sh
# The daemon's reports go to its log, and its leak report at exit makes the
# exit status non-zero, which fails the test. xs-guest is then the sanitizer
# build too (slower to start; the thousand-domain test samples its guest
# requests for that reason); XSGUEST=$PWD/build/xs-guest keeps the plain one.
#
# Tests are functions test_<name> in tests/sim/sim_*.sh (helpers in lib.sh),
# named for the behaviour they check (sim_hvmloader_reconnect_scrubs_ring).
#
# For each test (tests/lib/runner.sh has the whole round): make a short temp
# dir under /tmp, start
#   xstored -N --hypervisor=sim:$dir/hv   with XENSTORED_PATH=$dir/socket,
# wait (at most START_TIMEOUT s) until the socket answers a request and the
# simulator's control socket exists, run the test under `timeout`, then
# stop the daemon with SIGTERM and check how it ended (a crash or a
# non-zero exit status, such as an ASan report, fails the test). A failed
# test keeps its directory and prints the end of the test's output and the
# tail of the daemon's log.
#
# Output: one "PASS name" / "FAIL name" line per test (a passing test's
# notes, such as timings, follow it indented), then exactly
# "N passed, M failed". Exit status 1 if M > 0.
#
# The scale tests take their sizes from SIM_DOMAINS (1000),
# SIM_RECONNECTS (10000) and SIM_OTHERS (50); smaller values are for trying
# things by hand only. On two cores the whole suite takes about 75 s, and
# about 2 minutes under ASan, most of it the two scale tests.
#
# Under valgrind (`make valgrind`): XSTORED_WRAP and XS_TIME_FACTOR, as
# tests/lib/runner.sh says. XS_TIME_FACTOR scales the runner's timeouts and
# the helpers' (lib.sh and the integration lib.sh: CLIENT_TIMEOUT,
# BG_TIMEOUT, wait_until, the waits for a background client's line).
# Limits written into a test as arguments (xs-guest -T 60, xs_raw -t 60000)
# stay as they are: the clients do not run under valgrind, and those
# limits leave room enough.

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make sim does)}"
: "${BUILD:?set BUILD to the build directory (make sim does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/runner.sh disable=SC1091
. "$HERE/../lib/runner.sh"
runner_init "$@"
sim_init

TEST_TIMEOUT=$((300 * XS_TIME_FACTOR))	# seconds for one whole test
TEST_DIR_TEMPLATE=/tmp/xsim.XXXXXX

daemon_args() {
	daemon_argv=(-N --hypervisor="sim:$1/hv")
}

daemon_ready() {
	sim_daemon_ready "$1"
}

run_test() {
	sim_run_test "$@"
}

# Tests, in the order they are defined in each file.
for_each_test run_one '[A-Za-z0-9_]*' "$HERE"/sim_*.sh

summary

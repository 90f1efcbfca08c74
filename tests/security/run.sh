#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2034 # the settings below are read by tests/lib/runner.sh
# Security test runner: for each xenstore security advisory (XSA) a hostile
# simulated guest or dom0 client makes the attack against a fresh daemon,
# and the test checks the defence (docs/security.md has the table).
#
# Usage: XSTORED=/abs/build/xstored BUILD=/abs/build tests/security/run.sh [REGEX]
# (`make security` sets both). REGEX, if given, runs only the tests whose
# names match it (grep -E). The guest simulator is $BUILD/xs-guest and the
# raw dom0 client $BUILD/tests/sim/xs_raw; XSGUEST and XSRAW override them.
#
# Tests are functions test_xsa<N>_<what> in tests/security/sec_*.sh
# (helpers in lib.sh, which builds on tests/sim/lib.sh). A test that needs
# daemon options says so with a top-level line in its file:
#   opts_xsa326_event_timeout="-w watch-event=2"
# (no quotes inside the value; words split on blanks). They show as the
# note "daemon options: ..." under the test's PASS line.
#
# For each test (tests/lib/runner.sh has the whole round): make a short
# temp dir under /tmp, start
#   xstored -N --hypervisor=sim:$dir/hv OPTS   with XENSTORED_PATH=$dir/socket,
# wait (at most START_TIMEOUT s) until the socket answers, run the test
# under `timeout`, then stop the daemon with SIGTERM and check how it
# ended (a crash or a non-zero exit status, such as an ASan report, fails
# the test). A failed test keeps its directory and prints the end of its
# output and of the daemon's log.
#
# Every test checks, besides its advisory's own point: the daemon answers a
# READ afterwards; a well-behaved guest (domain 6) is served about as fast
# during or after the attack as before it; once the hostile domain is gone
# the daemon's memory (memreport counts and talloc total, VmRSS) is back
# near what it was before (lib.sh).
#
# Under AddressSanitizer: XSTORED=$PWD/build-san/xstored (a report makes
# the daemon exit non-zero: the test fails); VmRSS is then not compared.
#
# Under valgrind (`make valgrind` runs the whole suite so, no test left
# out): XSTORED_WRAP and XS_TIME_FACTOR as tests/lib/runner.sh says; any
# memcheck error, or a definite or indirect leak when the daemon exits at
# the end of a test, fails that test. With a wrapper VmRSS is not compared
# either (SEC_RSS=0, set below unless given): memcheck holds freed blocks
# back and has its own heap. The talloc totals and memreport's counts are
# compared as always, and the leak check at exit covers what VmRSS would.
# XS_TIME_FACTOR (10 in `make valgrind`) scales deadlines only: the
# runner's timeouts, the helpers' (sim/lib.sh, integration/lib.sh:
# CLIENT_TIMEOUT, wait_until, the waits for a background client's line)
# and a dom0 client's own -t where a test passes "$(scaled N)". It does
# not scale what a test checks: the well-behaved guest's limit is 10
# times its baseline, which is measured against the same wrapped daemon,
# with the same unscaled 3 s floor (lib.sh GOOD_RATIO, GOOD_FLOOR_MS);
# the watch-event timeout must free unread events within 10 s; an idle
# daemon must use under half a CPU; the attempts a toolstack transaction
# needs, how many requests the daemon takes from a guest that reads no
# reply, and talloc growth are bounded by the same numbers. Measured on two idle cores: dom6's 50
# requests take 9-20 ms under valgrind (limit 3000 ms), the unread events
# go within 3 s, the idle daemon uses 0 ticks.
#
# Output: one "PASS name" / "FAIL name" line per test (notes, such as
# timings, follow indented), then exactly "N passed, M failed". Exit
# status 1 if M > 0. About 30-40 s on two cores, about a minute under
# valgrind.

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make security does)}"
: "${BUILD:?set BUILD to the build directory (make security does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/runner.sh disable=SC1091
. "$HERE/../lib/runner.sh"
runner_init "$@"
sim_init

TEST_TIMEOUT=$((120 * XS_TIME_FACTOR))	# seconds for one whole test
TEST_DIR_TEMPLATE=/tmp/xsec.XXXXXX

# Under ASan freed memory sits in quarantine, and under a wrapper
# (valgrind) in memcheck's freed-block queue: VmRSS comparisons mean
# nothing then (lib.sh's SEC_RSS).
if [ -z "${SEC_RSS:-}" ]; then
	if [ -n "$XSTORED_WRAP" ] ||
	    ldd "$XSTORED" 2>/dev/null | grep -q libasan; then
		SEC_RSS=0
	fi
fi
export SEC_RSS=${SEC_RSS:-1}

# daemon_args DIR NAME FILE: the simulator, and the test's own options
# (opts_NAME= in FILE), which also go into its notes.
daemon_args() {
	local dir=$1 name=$2 file=$3 opts
	local -a words
	opts=$(sed -n "s/^opts_$name=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$file")
	[ -z "$opts" ] || echo "daemon options: $opts" >"$dir/notes"
	read -r -a words <<<"$opts"
	daemon_argv=(-N --hypervisor="sim:$dir/hv" ${words[@]+"${words[@]}"})
}

daemon_ready() {
	sim_daemon_ready "$1"
}

run_test() {
	sim_run_test "$@"
}

# Tests, in the order they are defined in each file.
for_each_test run_one 'xsa[A-Za-z0-9_]*' "$HERE"/sec_*.sh

summary

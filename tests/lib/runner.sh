# SPDX-License-Identifier: GPL-2.0-only
# What the daemon test runners share (sourced, never run): every test
# against its own fresh daemon. Used by tests/integration/run.sh,
# tests/sim/run.sh and tests/security/run.sh (not tests/ops/run.sh, whose
# tests start their own daemons).
# shellcheck shell=bash
#
# For each test, run_one: make a temp dir, start the daemon in it with
# XENSTORED_PATH=$dir/socket (stdout and stderr to $dir/daemon.log) and
# wait (at most START_TIMEOUT s) until it answers, run the test under
# `timeout` (TEST_TIMEOUT s; its output to $dir/test.log), then check the
# daemon is still alive, stop it with SIGTERM (STOP_TIMEOUT s) and check
# how it ended: exit status 0 or death by our SIGTERM pass; any other
# signal (a crash) or a non-zero exit status (an ASan report, valgrind's
# 99) fails the test. A passing test's notes ($dir/notes, such as
# timings) follow its PASS line indented, and its directory goes. A failed
# test keeps its directory and prints (to stderr) the problem, the test's
# output (whole, or its last OUTPUT_TAIL lines), the last LOG_TAIL lines
# of the daemon's log and any wrapper log.
#
# Output: one "PASS name" / "FAIL name" line per test, then exactly
# "N passed, M failed" (summary, whose status is the runner's: 1 if M > 0).
#
# Environment, read by runner_init:
#   XSTORED         the daemon binary (checked by need_programs)
#   XSTORED_WRAP    a command prefix for every daemon started, split into
#                   words (`make valgrind`: tests/valgrind/memcheck.sh).
#                   The daemon then runs with XSTORED_WRAP_DIR=<test
#                   dir>/wrap, where the wrapper leaves its logs; a test
#                   fails if a log there is not empty, and a failed test
#                   prints those logs whole.
#   XS_TIME_FACTOR  a positive integer (1) every timeout is multiplied by:
#                   the runner's (its START/STOP/TEST_TIMEOUT are written
#                   as N * XS_TIME_FACTOR) and, exported, the test helpers'
#                   (tests/integration/lib.sh `scaled`).
#
# A runner sets HERE (its own directory: a shell test runs with
# $HERE/lib.sh sourced), sources this file, calls runner_init "$@" (its
# REGEX argument), then sets (sim_init sets all but the last two for the
# simulator runners):
#   START_TIMEOUT, STOP_TIMEOUT   seconds (scaled) for the daemon to answer
#                 and to exit after SIGTERM
#   LOG_TAIL      daemon log lines shown for a failed test
#   OUTPUT_TAIL   test output lines shown for a failed test (empty: all)
#   NOT_READY     printf format (%s: the test dir) for what did not answer
#   TEST_TIMEOUT  seconds (scaled) for one whole test
#   TEST_DIR_TEMPLATE   `mktemp -d` template for a test's directory
# and defines three hooks, each given the test's DIR, NAME and ARG (what it
# passed run_one: the test file, or its own word such as "raw"):
#   daemon_args DIR NAME ARG    sets the array daemon_argv, xstored's
#                               arguments: -N and, for the simulator
#                               runners, --hypervisor=sim:DIR/hv (and the
#                               security tests' own options, opts_<test>=)
#   daemon_ready DIR            true once the daemon answers (polled)
#   run_test DIR NAME ARG       runs the test; its status is the test's
#                               (run_sh_test, sim_run_test do the work)
# Then it runs its tests (for_each_test run_one RE FILE..., or run_one
# NAME ARG directly) and ends with summary.

passed=0
failed=0
daemon_pid=
problem=

# runner_init [REGEX]: FILTER=REGEX (a grep -E REGEX for the test names
# to run; none: all), checks XS_TIME_FACTOR (exit 2 if it is not a
# positive integer) and exports it, splits XSTORED_WRAP into the array
# wrap, and sets the traps that kill a daemon left running.
runner_init() {
	FILTER=${1:-}
	XSTORED_WRAP=${XSTORED_WRAP:-}
	XS_TIME_FACTOR=${XS_TIME_FACTOR:-1}
	case $XS_TIME_FACTOR in
	'' | *[!0-9]* | 0)
		echo "run.sh: XS_TIME_FACTOR must be a positive integer" >&2
		exit 2
		;;
	esac
	export XS_TIME_FACTOR
	read -ra wrap <<<"$XSTORED_WRAP"
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT TERM
}

# need_programs PROG...: exit 2 unless each is an executable.
need_programs() {
	local prog
	for prog in "$@"; do
		if [ ! -x "$prog" ]; then
			echo "run.sh: $prog is not an executable" >&2
			exit 2
		fi
	done
}

cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill -KILL "$daemon_pid" 2>/dev/null
	fi
}

# selected NAME: true if NAME matches FILTER (or there is none).
selected() {
	[ -z "$FILTER" ] || grep -Eq -- "$FILTER" <<<"$1"
}

# for_each_test FUNC RE FILE...: calls FUNC NAME FILE for every function
# test_NAME defined at the start of a line in each FILE (in the order they
# are defined), NAME matching the sed regex RE (whole).
for_each_test() {
	local func=$1 re=$2 file fn
	shift 2
	for file in "$@"; do
		[ -e "$file" ] || continue
		while read -r fn <&4; do
			"$func" "$fn" "$file"
		done 4< <(sed -n "s/^test_\\($re\\)[[:space:]]*()[[:space:]]*{.*/\\1/p" "$file")
	done
}

# summary: the last line, and the runner's exit status.
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# True while the process exists and is not a zombie (a crashed child stays a
# zombie until we reap it, and kill -0 would still succeed on it).
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# Waits for the (exited) daemon and describes how it ended in $exit_desc;
# $exit_status is the shell's status (128+N for signal N).
reap_status() {
	exit_status=0
	wait "$daemon_pid" 2>/dev/null || exit_status=$?
	if [ "$exit_status" -gt 128 ]; then
		exit_desc="killed by signal $((exit_status - 128)) ($(kill -l "$exit_status" 2>/dev/null || echo '?'))"
	else
		exit_desc="exit status $exit_status"
	fi
}

# start_daemon DIR NAME ARG: starts the daemon for a test in DIR
# (daemon_args), under the wrapper if any, and waits until daemon_ready.
# Sets daemon_pid; on failure sets $problem and returns 1.
start_daemon() {
	local dir=$1 i
	daemon_argv=()
	daemon_args "$@"
	mkdir -p "$dir/wrap"
	XENSTORED_PATH=$dir/socket XSTORED_WRAP_DIR=$dir/wrap \
	    "${wrap[@]}" "$XSTORED" "${daemon_argv[@]}" \
	    </dev/null >"$dir/daemon.log" 2>&1 &
	daemon_pid=$!
	for ((i = 0; i < START_TIMEOUT * 20; i++)); do
		if ! alive "$daemon_pid"; then
			reap_status
			problem="daemon exited during start-up ($exit_desc)"
			daemon_pid=
			return 1
		fi
		if daemon_ready "$dir"; then
			return 0
		fi
		sleep 0.05
	done
	# shellcheck disable=SC2059 # the runner's format
	printf -v problem "daemon $NOT_READY within %ss" "$dir" "$START_TIMEOUT"
	kill -KILL "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	return 1
}

# Stops the daemon after a test. Returns 1 (and sets $problem) if it had died
# during the test, ignored SIGTERM, crashed or exited non-zero.
stop_daemon() {
	local i
	if ! alive "$daemon_pid"; then
		reap_status
		problem="daemon died during the test ($exit_desc)"
		daemon_pid=
		return 1
	fi
	kill -TERM "$daemon_pid"
	for ((i = 0; i < STOP_TIMEOUT * 20; i++)); do
		alive "$daemon_pid" || break
		sleep 0.05
	done
	if alive "$daemon_pid"; then
		kill -KILL "$daemon_pid"
		wait "$daemon_pid" 2>/dev/null
		problem="daemon did not exit within ${STOP_TIMEOUT}s of SIGTERM"
		daemon_pid=
		return 1
	fi
	reap_status
	daemon_pid=
	case $exit_status in
	0 | 143) return 0 ;;
	esac
	problem="daemon ended badly after SIGTERM ($exit_desc)"
	return 1
}

# Adds to $problem if the wrapper (valgrind) left a non-empty log in $1/wrap.
check_wrap_logs() {
	local log
	for log in "$1"/wrap/*; do
		if [ -s "$log" ]; then
			problem="${problem:+$problem; }${wrap[0]##*/} reported errors in $log"
		fi
	done
}

# run_sh_test DIR NAME FILE [VAR=VALUE...]: runs test_NAME from FILE, with
# $HERE/lib.sh, in its own bash under `timeout`, with XENSTORED_PATH,
# TESTDIR and the VARs in its environment.
run_sh_test() {
	local dir=$1 name=$2 file=$3
	shift 3
	# shellcheck disable=SC2016 # expanded by the inner bash
	env XENSTORED_PATH="$dir/socket" TESTDIR="$dir" "$@" \
	    timeout -k 5 "$TEST_TIMEOUT" bash -c \
	    'set -u; . "$1"; . "$2"; "test_$3"' _ \
	    "$HERE/lib.sh" "$file" "$name" \
	    </dev/null >"$dir/test.log" 2>&1
}

# run_one NAME ARG: runs test NAME (if selected) against a fresh daemon;
# ARG goes to the hooks. Prints its PASS or FAIL line and counts it.
run_one() {
	local name=$1 arg=$2 dir rc=0 dproblem=
	selected "$name" || return 0
	dir=$(mktemp -d "$TEST_DIR_TEMPLATE")
	problem=
	if ! start_daemon "$dir" "$name" "$arg"; then
		report_fail "$name" "$dir"
		return 0
	fi
	run_test "$dir" "$name" "$arg" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		problem="test timed out after ${TEST_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		problem="test failed (status $rc)"
	fi
	if ! stop_daemon; then
		dproblem=$problem
	fi
	if [ "$rc" -ne 0 ] && [ -n "$dproblem" ]; then
		problem="test failed (status $rc); $dproblem"
	elif [ -n "$dproblem" ]; then
		problem=$dproblem
	fi
	check_wrap_logs "$dir"
	if [ -z "$problem" ]; then
		echo "PASS $name"
		if [ -s "$dir/notes" ]; then
			sed 's/^/    /' "$dir/notes"
		fi
		passed=$((passed + 1))
		rm -rf "$dir"
	else
		report_fail "$name" "$dir"
	fi
}

# report_fail NAME DIR: the FAIL line, and on stderr why ($problem) and
# what the test, the daemon and the wrapper left in DIR.
report_fail() {
	local name=$1 dir=$2 log
	echo "FAIL $name"
	failed=$((failed + 1))
	{
		echo "    $problem"
		if [ -s "$dir/test.log" ] && [ -n "$OUTPUT_TAIL" ]; then
			echo "    --- test output (last $OUTPUT_TAIL lines of $dir/test.log):"
			tail -n "$OUTPUT_TAIL" "$dir/test.log" | sed 's/^/    | /'
		elif [ -s "$dir/test.log" ]; then
			echo "    --- test output:"
			sed 's/^/    | /' "$dir/test.log"
		fi
		echo "    --- daemon log (last $LOG_TAIL lines of $dir/daemon.log):"
		tail -n "$LOG_TAIL" "$dir/daemon.log" 2>/dev/null | sed 's/^/    | /'
		for log in "$dir"/wrap/*; do
			[ -s "$log" ] || continue
			echo "    --- $log:"
			sed 's/^/    | /' "$log"
		done
	} >&2
}

# --- Simulator daemons (tests/sim, tests/security) -------------------------
# The daemon runs -N --hypervisor=sim:DIR/hv; the guest simulator is
# $BUILD/xs-guest and the raw dom0 client $BUILD/tests/sim/xs_raw, XSGUEST
# and XSRAW override them. The test dir is a short one under /tmp: Unix
# socket paths are limited to 108 bytes ($dir/socket, $dir/hv/control and
# $dir/hv/dom<N>/guest must fit).

# sim_init: the settings the simulator runners share (after runner_init);
# sets XSGUEST and XSRAW, checks the three programs (exit 2) and exports
# them for the tests.
sim_init() {
	START_TIMEOUT=$((10 * XS_TIME_FACTOR))
	STOP_TIMEOUT=$((10 * XS_TIME_FACTOR))
	LOG_TAIL=40
	OUTPUT_TAIL=60
	NOT_READY='sockets in %s did not answer'
	XSGUEST=${XSGUEST:-$BUILD/xs-guest}
	XSRAW=${XSRAW:-$BUILD/tests/sim/xs_raw}
	need_programs "$XSTORED" "$XSGUEST" "$XSRAW"
	export XSTORED XSGUEST XSRAW
}

# sim_daemon_ready DIR: the dom0 socket answers a request and the
# simulator's control socket exists.
sim_daemon_ready() {
	[ -S "$1/socket" ] && [ -S "$1/hv/control" ] &&
	    [ "$(XENSTORED_PATH=$1/socket timeout -k 1 $((3 * XS_TIME_FACTOR)) \
	    "$XSRAW" -t $((2000 * XS_TIME_FACTOR)) req GET_DOMAIN_PATH 0 \
	    2>/dev/null)" = /local/domain/0 ]
}

# sim_run_test DIR NAME FILE: run_sh_test with the simulator's environment
# (XS_GUEST_DIR, XSTORED_PID). A test ends its own background guests
# (tests/sim/lib.sh's EXIT trap); on a timeout, `timeout` signals its whole
# process group, them included.
sim_run_test() {
	run_sh_test "$@" XS_GUEST_DIR="$1/hv" XSTORED_PID="$daemon_pid"
}

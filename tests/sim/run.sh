#!/bin/bash
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
# For each test: make a short temp dir under /tmp (Unix socket paths are
# limited to 108 bytes: $dir/socket, $dir/hv/control and
# $dir/hv/dom<N>/guest must fit), start
#   xstored -N --hypervisor=sim:$dir/hv   with XENSTORED_PATH=$dir/socket,
# wait (at most START_TIMEOUT s) until the socket answers a request and the
# simulator's control socket exists, run the test under `timeout`, then
# check the daemon is still alive, stop it with SIGTERM and check how it
# ended: exit status 0 or death by our SIGTERM pass; any other signal (a
# crash) or a non-zero exit status (an ASan report) fails the test. A failed
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
# Under valgrind (`make valgrind`):
#   XSTORED_WRAP    a command prefix for every daemon started, split into
#                   words (tests/valgrind/memcheck.sh). The daemon then runs
#                   with XSTORED_WRAP_DIR=<test dir>/wrap, where the wrapper
#                   leaves its logs; a test fails if a log there is not
#                   empty, and a failed test prints those logs whole.
#   XS_TIME_FACTOR  an integer (1) every timeout is multiplied by: the
#                   runner's, the helpers' (lib.sh and the integration
#                   lib.sh: CLIENT_TIMEOUT, BG_TIMEOUT, wait_until, the
#                   waits for a background client's line). Limits written
#                   into a test as arguments (xs-guest -T 60, xs_raw
#                   -t 60000) stay as they are: the clients do not run
#                   under valgrind, and those limits leave room enough.

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make sim does)}"
: "${BUILD:?set BUILD to the build directory (make sim does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
XSGUEST=${XSGUEST:-$BUILD/xs-guest}
XSRAW=${XSRAW:-$BUILD/tests/sim/xs_raw}
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

START_TIMEOUT=$((10 * XS_TIME_FACTOR))	# seconds for the sockets to answer
STOP_TIMEOUT=$((10 * XS_TIME_FACTOR))	# seconds for the daemon to exit after SIGTERM
TEST_TIMEOUT=$((300 * XS_TIME_FACTOR))	# seconds for one whole test
LOG_TAIL=40		# daemon log lines shown for a failed test

passed=0
failed=0
daemon_pid=
problem=

for prog in "$XSTORED" "$XSGUEST" "$XSRAW"; do
	if [ ! -x "$prog" ]; then
		echo "run.sh: $prog is not an executable" >&2
		exit 2
	fi
done
export XSTORED XSGUEST XSRAW

# True while the process exists and is not a zombie (a crashed child stays a
# zombie until we reap it, and kill -0 would still succeed on it).
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# Does the dom0 socket answer a request?
probe() {
	[ "$(timeout -k 1 $((3 * XS_TIME_FACTOR)) "$XSRAW" \
	    -t $((2000 * XS_TIME_FACTOR)) req GET_DOMAIN_PATH 0 \
	    2>/dev/null)" = /local/domain/0 ]
}

# Starts the daemon for a test in directory $1. Sets daemon_pid; on failure
# sets $problem and returns 1.
start_daemon() {
	local dir=$1 i
	mkdir -p "$dir/wrap"
	XENSTORED_PATH=$dir/socket XSTORED_WRAP_DIR=$dir/wrap \
	    "${wrap[@]}" "$XSTORED" -N --hypervisor="sim:$dir/hv" \
	    </dev/null >"$dir/daemon.log" 2>&1 &
	daemon_pid=$!
	for ((i = 0; i < START_TIMEOUT * 20; i++)); do
		if ! alive "$daemon_pid"; then
			reap_status
			problem="daemon exited during start-up ($exit_desc)"
			daemon_pid=
			return 1
		fi
		if [ -S "$dir/socket" ] && [ -S "$dir/hv/control" ] &&
		    XENSTORED_PATH=$dir/socket probe; then
			return 0
		fi
		sleep 0.05
	done
	problem="daemon sockets in $dir did not answer within ${START_TIMEOUT}s"
	kill -KILL "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	return 1
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

# Sets $problem if the wrapper (valgrind) left a non-empty log in $1/wrap.
check_wrap_logs() {
	local log
	for log in "$1"/wrap/*; do
		if [ -s "$log" ]; then
			problem="${problem:+$problem; }${wrap[0]##*/} reported errors in $log"
		fi
	done
}

cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill -KILL "$daemon_pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# run_one NAME FILE: runs test_NAME from FILE.
run_one() {
	local name=$1 file=$2 dir rc=0
	if [ -n "$FILTER" ] && ! grep -Eq -- "$FILTER" <<<"$name"; then
		return 0
	fi
	dir=$(mktemp -d /tmp/xsim.XXXXXX)
	problem=
	if ! start_daemon "$dir"; then
		report_fail "$name" "$dir"
		return 0
	fi
	# A test ends its own background guests (lib.sh's EXIT trap); on a
	# timeout, `timeout` signals its whole process group, them included.
	# shellcheck disable=SC2016 # expanded by the inner bash
	XENSTORED_PATH=$dir/socket TESTDIR=$dir XS_GUEST_DIR=$dir/hv \
	    XSTORED_PID=$daemon_pid \
	    timeout -k 5 "$TEST_TIMEOUT" bash -c \
	    'set -u; . "$1"; . "$2"; "test_$3"' _ \
	    "$HERE/lib.sh" "$file" "$name" \
	    </dev/null >"$dir/test.log" 2>&1 || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		problem="test timed out after ${TEST_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		problem="test failed (status $rc)"
	fi
	local dproblem=
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

report_fail() {
	local name=$1 dir=$2 log
	echo "FAIL $name"
	failed=$((failed + 1))
	{
		echo "    $problem"
		if [ -s "$dir/test.log" ]; then
			echo "    --- test output (last 60 lines of $dir/test.log):"
			tail -n 60 "$dir/test.log" | sed 's/^/    | /'
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

# Tests, in the order they are defined in each file.
for file in "$HERE"/sim_*.sh; do
	[ -e "$file" ] || continue
	while read -r fn <&4; do
		run_one "$fn" "$file"
	done 4< <(sed -n 's/^test_\([A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{.*/\1/p' "$file")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

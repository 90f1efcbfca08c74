#!/bin/bash
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
# For each test: make a temp dir, start `xstored -N` with XENSTORED_PATH set
# to a socket in it, wait (at most START_TIMEOUT s) until the socket accepts a
# connection, run the test under `timeout`, then check the daemon is still
# alive, stop it with SIGTERM and check how it ended: exit status 0 or death
# by our SIGTERM pass; any other signal (a crash) or a non-zero exit status
# fails the test. A failed test keeps its directory and prints the test's
# output and the tail of the daemon's stderr log.
#
# Output: one "PASS name" / "FAIL name" line per test, then exactly
# "N passed, M failed". Exit status 1 if M > 0.
#
# Under valgrind (`make valgrind`):
#   XSTORED_WRAP    a command prefix for every daemon started, split into
#                   words (tests/valgrind/memcheck.sh). The daemon then runs
#                   with XSTORED_WRAP_DIR=<test dir>/wrap, where the wrapper
#                   leaves its logs; a test fails if a log there is not
#                   empty, and a failed test prints those logs whole.
#   XS_TIME_FACTOR  an integer (1) every timeout is multiplied by: the
#                   runner's and the helpers' (lib.sh: CLIENT_TIMEOUT,
#                   a test's own CLIENT_TIMEOUT=N included, and the waits
#                   for a watcher's line).

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make integration does)}"
: "${BUILD:?set BUILD to the build directory (make integration does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
RAW=$BUILD/tests/integration/raw_test
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

START_TIMEOUT=$((5 * XS_TIME_FACTOR))	# seconds for the socket to accept
STOP_TIMEOUT=$((5 * XS_TIME_FACTOR))	# seconds for the daemon to exit after SIGTERM
TEST_TIMEOUT=$((150 * XS_TIME_FACTOR))	# seconds for one whole test
LOG_TAIL=30		# daemon log lines shown for a failed test

passed=0
failed=0
daemon_pid=
problem=

if [ ! -x "$XSTORED" ]; then
	echo "run.sh: $XSTORED is not an executable" >&2
	exit 2
fi

# True while the process exists and is not a zombie (a crashed child stays a
# zombie until we reap it, and kill -0 would still succeed on it).
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#Z}" = "$state" ]
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

# Starts the daemon for a test in directory $1. Sets daemon_pid; on failure
# sets $problem and returns 1.
start_daemon() {
	local dir=$1 i
	mkdir -p "$dir/wrap"
	XENSTORED_PATH=$dir/socket XSTORED_WRAP_DIR=$dir/wrap \
	    "${wrap[@]}" "$XSTORED" -N </dev/null >"$dir/daemon.log" 2>&1 &
	daemon_pid=$!
	for ((i = 0; i < START_TIMEOUT * 20; i++)); do
		if ! alive "$daemon_pid"; then
			reap_status
			problem="daemon exited during start-up ($exit_desc)"
			daemon_pid=
			return 1
		fi
		if [ -S "$dir/socket" ] && XENSTORED_PATH=$dir/socket probe; then
			return 0
		fi
		sleep 0.05
	done
	problem="daemon socket $dir/socket did not accept a connection within ${START_TIMEOUT}s"
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

# run_one NAME KIND ARG: KIND "sh" (ARG = file defining test_NAME) or "raw".
run_one() {
	local name=$1 kind=$2 file=$3 dir rc=0
	if [ -n "$FILTER" ] && ! grep -Eq -- "$FILTER" <<<"$name"; then
		return 0
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/xstored-it.XXXXXX")
	problem=
	if ! start_daemon "$dir"; then
		report_fail "$name" "$dir"
		return 0
	fi
	case $kind in
	sh)
		# shellcheck disable=SC2016 # expanded by the inner bash
		XENSTORED_PATH=$dir/socket TESTDIR=$dir \
		    timeout -k 5 "$TEST_TIMEOUT" bash -c \
		    'set -u; . "$1"; . "$2"; "test_$3"' _ \
		    "$HERE/lib.sh" "$file" "$name" \
		    </dev/null >"$dir/test.log" 2>&1 || rc=$?
		;;
	raw)
		XENSTORED_PATH=$dir/socket CK_RUN_CASE=$name \
		    timeout -k 5 "$TEST_TIMEOUT" "$RAW" \
		    </dev/null >"$dir/test.log" 2>&1 || rc=$?
		;;
	esac
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

# Shell tests, in the order they are defined in each file.
for file in "$HERE"/clients_*.sh; do
	[ -e "$file" ] || continue
	while read -r fn <&4; do
		run_one "$fn" sh "$file"
	done 4< <(sed -n 's/^test_\([A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{.*/\1/p' "$file")
done

# Raw wire tests.
if [ -x "$RAW" ]; then
	if ! names=$("$RAW" --list); then
		echo "FAIL raw_test --list"
		failed=$((failed + 1))
		names=
	fi
	for name in $names; do
		run_one "$name" raw ""
	done
else
	echo "FAIL raw_test (not built: $RAW)"
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
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
# (no quotes inside the value; words split on blanks).
#
# For each test: make a short temp dir under /tmp (Unix socket paths are
# limited to 108 bytes), start
#   xstored -N --hypervisor=sim:$dir/hv OPTS   with XENSTORED_PATH=$dir/socket,
# wait (at most START_TIMEOUT s) until the socket answers, run the test
# under `timeout`, then check the daemon is still alive, stop it with
# SIGTERM and check how it ended: exit status 0 or death by our SIGTERM
# pass; a crash or a non-zero exit status (an ASan report) fails the test.
# A failed test keeps its directory and prints the end of its output and
# of the daemon's log.
#
# Every test checks, besides its advisory's own point: the daemon answers a
# READ afterwards; a well-behaved guest (domain 6) is served about as fast
# during or after the attack as before it; once the hostile domain is gone
# the daemon's memory (memreport counts and talloc total, VmRSS) is back
# near what it was before (lib.sh).
#
# Under AddressSanitizer: XSTORED=$PWD/build-san/xstored (a report makes
# the daemon exit non-zero: the test fails); VmRSS is then not compared.
# Under valgrind, point XSTORED at a wrapper script and set SEC_RSS=0.
#
# Output: one "PASS name" / "FAIL name" line per test (notes, such as
# timings, follow indented), then exactly "N passed, M failed". Exit
# status 1 if M > 0. About 2 minutes on two cores.

set -u

: "${XSTORED:?set XSTORED to the daemon binary (make sim does)}"
: "${BUILD:?set BUILD to the build directory (make sim does)}"

HERE=$(cd "$(dirname "$0")" && pwd)
XSGUEST=${XSGUEST:-$BUILD/xs-guest}
XSRAW=${XSRAW:-$BUILD/tests/sim/xs_raw}
FILTER=${1:-}

START_TIMEOUT=10	# seconds for the sockets to answer
STOP_TIMEOUT=10		# seconds for the daemon to exit after SIGTERM
TEST_TIMEOUT=120	# seconds for one whole test
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
# Under ASan freed memory sits in quarantine: VmRSS comparisons mean
# nothing (lib.sh's SEC_RSS; set SEC_RSS=0 by hand for valgrind).
if [ -z "${SEC_RSS:-}" ] && ldd "$XSTORED" 2>/dev/null | grep -q libasan; then
	SEC_RSS=0
fi
export SEC_RSS=${SEC_RSS:-1}

# True while the process exists and is not a zombie (a crashed child stays a
# zombie until we reap it, and kill -0 would still succeed on it).
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# Does the dom0 socket answer a request?
probe() {
	[ "$(timeout -k 1 3 "$XSRAW" -t 2000 req GET_DOMAIN_PATH 0 \
	    2>/dev/null)" = /local/domain/0 ]
}

# Starts the daemon for a test in directory $1 with the extra options $2
# (words). Sets daemon_pid; on failure sets $problem and returns 1.
start_daemon() {
	local dir=$1 i
	local -a opts
	read -r -a opts <<<"${2:-}"
	XENSTORED_PATH=$dir/socket "$XSTORED" -N --hypervisor="sim:$dir/hv" \
	    ${opts[@]+"${opts[@]}"} \
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

cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill -KILL "$daemon_pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# run_one NAME FILE: runs test_NAME from FILE.
run_one() {
	local name=$1 file=$2 dir opts rc=0
	if [ -n "$FILTER" ] && ! grep -Eq -- "$FILTER" <<<"$name"; then
		return 0
	fi
	dir=$(mktemp -d /tmp/xsec.XXXXXX)
	problem=
	opts=$(sed -n "s/^opts_$name=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$file")
	[ -z "$opts" ] || echo "daemon options: $opts" >"$dir/notes"
	if ! start_daemon "$dir" "$opts"; then
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
	local name=$1 dir=$2
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
	} >&2
}

# Tests, in the order they are defined in each file.
for file in "$HERE"/sec_*.sh; do
	[ -e "$file" ] || continue
	while read -r fn <&4; do
		run_one "$fn" "$file"
	done 4< <(sed -n 's/^test_\(xsa[A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{.*/\1/p' "$file")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

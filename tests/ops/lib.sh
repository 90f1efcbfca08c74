# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the operations tests (sourced by run.sh, never run).
# shellcheck shell=bash
#
# A test is a function test_<behaviour> in tests/ops/ops_*.sh. run.sh runs
# each in its own bash process with:
#   XSTORED   the daemon binary      BUILD  the build directory
#   ROOT      the source tree        TESTDIR  a private scratch directory
# A test starts its own daemons (the point is how they start and stop) and
# registers each pid with `track`; run.sh kills whatever is still alive
# afterwards. Every wait polls a condition against a deadline: no fixed
# sleeps, nothing unbounded.

: "${XSTORED:?}" "${BUILD:?}" "${ROOT:?}" "${TESTDIR:?}"

export XENSTORED_PATH=$TESTDIR/socket

# fail, run, show_outputs, ok, status, XEN_BIN, CLIENT_TIMEOUT, OUT, ERR:
# shared with the integration and simulator tests.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# shellcheck disable=SC2034 # used by the test files
CONTROL=$XEN_BIN/xenstore-control
NOTIFY_LISTEN=$BUILD/tests/ops/notify_listen
XS_REQUEST=$BUILD/tests/ops/xs_request
WAIT_SECONDS=${WAIT_SECONDS:-10}

# Remembers a pid for run.sh to kill if the test leaves it running.
track() {
	echo "$1" >>"$TESTDIR/pids"
}

# True while the process exists and is not a zombie.
alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

# wait_until WHAT CMD...: polls CMD every 20 ms until it succeeds, failing
# the test after WAIT_SECONDS.
wait_until() {
	local what=$1 i
	shift
	for ((i = 0; i < WAIT_SECONDS * 50; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.02
	done
	fail "timed out after ${WAIT_SECONDS}s waiting for: $what"
}

answers() {
	timeout -k 1 2 xenstore-read / >/dev/null 2>&1
}

gone() {
	! alive "$1"
}

# has FILE REGEX: some line of FILE matches the extended regex.
has() {
	if ! grep -Eq -- "$2" "$1"; then
		echo "--- $1:" >&2
		sed 's/^/    /' "$1" >&2
		fail "no line of $1 matches: $2"
	fi
}

# lacks FILE REGEX: no line of FILE matches.
lacks() {
	if grep -Eq -- "$2" "$1"; then
		echo "--- $1:" >&2
		sed 's/^/    /' "$1" >&2
		fail "a line of $1 matches: $2"
	fi
}

# Starts xstored as Xen's launch-xenstore does: forking, with a pid file,
# extra options after it. Waits for the original process to return (it
# does once the daemon serves), checks that it said nothing and exited 0,
# then sets $daemon_pid from the pid file.
start_forking() {
	local st=0
	timeout -k 2 "$WAIT_SECONDS" "$XSTORED" --pid-file "$TESTDIR/xstored.pid" \
	    "$@" </dev/null >"$TESTDIR/start.out" 2>"$TESTDIR/start.err" || st=$?
	[ -f "$TESTDIR/xstored.pid" ] && track "$(cat "$TESTDIR/xstored.pid")"
	if [ "$st" -ne 0 ]; then
		cat "$TESTDIR/start.err" >&2
		fail "xstored --pid-file ... $* exited $st"
	fi
	daemon_pid=$(cat "$TESTDIR/xstored.pid")
	[[ $daemon_pid =~ ^[0-9]+$ ]] || fail "pid file holds '$daemon_pid'"
}

# Starts xstored -N in the background (its output in daemon.log); sets
# $daemon_pid and waits until the socket answers.
start_foreground() {
	"$XSTORED" -N "$@" </dev/null >"$TESTDIR/daemon.log" 2>&1 &
	daemon_pid=$!
	track "$daemon_pid"
	wait_until "the socket to answer" answers
}

# Sends SIGTERM (or $2) to a foreground daemon and checks it exits 0 and
# removes its socket (and pid file, if it had one).
stop_foreground() {
	local sig=${1:-TERM} st=0
	kill "-$sig" "$daemon_pid"
	wait_until "xstored to exit after SIG$sig" gone "$daemon_pid"
	wait "$daemon_pid" || st=$?
	[ "$st" -eq 0 ] || fail "xstored exited $st after SIG$sig, expected 0"
	[ ! -e "$XENSTORED_PATH" ] || fail "the socket is still there"
	[ ! -e "$TESTDIR/xstored.pid" ] || fail "the pid file is still there"
}

# Stops a forking daemon (not our child: no exit status to read).
stop_forking() {
	kill -TERM "$daemon_pid"
	wait_until "xstored to exit after SIGTERM" gone "$daemon_pid"
	wait_until "the pid file to go" test ! -e "$TESTDIR/xstored.pid"
	wait_until "the socket to go" test ! -e "$XENSTORED_PATH"
}

# SPDX-License-Identifier: GPL-2.0-only
# Live update refusing bad input: before the exec the old process says
# why and keeps serving; a new process (-U) that cannot restore exits
# non-zero with the reason instead of serving an empty store.
# shellcheck shell=bash

# The serving daemon still has what it had, and still delivers events.
still_serving() {
	ok xenstore-read /keep/me
	stdout_is safe
	ok xenstore-write /keep/me safe
	watch_next /keep/me
	[ ! -e "$XENSTORED_RUNDIR/state_dump" ] || fail "a dump was left"
	store_check
}

test_lu_refuses_a_binary_that_is_not_executable() {
	ok xenstore-write /keep/me safe
	watch_start /keep
	watch_next /keep
	printf 'not a program\n' >"$TESTDIR/plain"
	status 3 "$XSCONTROL" live-update "$TESTDIR/plain"
	grep -q 'File not executable.' "$ERR" || fail "reason: $(cat "$ERR")"
	status 3 "$XSCONTROL" live-update "$TESTDIR/none"
	grep -q 'File not accessible.' "$ERR" || fail "reason: $(cat "$ERR")"
	still_serving
}

test_lu_exec_failure_answers_and_keeps_serving() {
	ok xenstore-write /keep/me safe
	watch_start /keep
	watch_next /keep
	# A directory passes the execute-bit check; execvp then fails.
	mkdir -m 0755 "$TESTDIR/notbin"
	run "$XSCONTROL" live-update "$TESTDIR/notbin"
	[ "$rc" -ne 0 ] || fail "the update claimed success"
	grep -q 'Error activating new binary.' "$ERR" ||
	    fail "reason: $(cat "$ERR")"
	still_serving
	# The session is over: a new one can start and succeed.
	live_update
	still_serving
}

test_lu_only_the_session_owner_may_start_it() {
	ok xenstore-write /keep/me safe
	watch_start /keep
	watch_next /keep
	raw_is OK CONTROL live-update -f "$XSTORED"
	# xs_raw's connection (the owner) is gone: the session went with it.
	raw_is "Not in live-update session." CONTROL live-update -s
	raw_is "No live-update session active." CONTROL live-update -a
	still_serving
}

# The dumps below are written by tests/lu/mkdump.py; each goes to a -U
# daemon of its own (socket only) in DIR.
restore_fails_with() {
	local dir=$TESTDIR/$1 want=$2
	shift 2
	mkdir -p "$dir"
	[ "$1" = none ] || python3 "$(dirname "${BASH_SOURCE[0]}")/mkdump.py" \
	    "$@" >"$dir/state_dump" || fail "mkdump $*"
	run env XENSTORED_RUNDIR="$dir" XENSTORED_PATH="$dir/socket" \
	    timeout -k 2 "$(scaled 20)" "$XSTORED" -N -U
	[ "$rc" -eq 1 ] || fail "-U with dump '$*' exited $rc, not 1:" \
	    "$(cat "$ERR")"
	grep -qF -- "$want" "$ERR" || fail "-U with dump '$*': no '$want' in:" \
	    "$(cat "$ERR")"
}

test_lu_restore_refuses_bad_dumps_with_a_reason() {
	restore_fails_with missing "No state found after live-update" none
	restore_fails_with trunc "truncated" truncated
	restore_fails_with version "unknown stream version 2" version2
	restore_fails_with ident "not a xenstore state stream" ident
	restore_fails_with pad "not padded to 8" badpad
	restore_fails_with order "CONN record after NODE records" conn-after-node
	restore_fails_with parent "before its parent" orphan
	restore_fails_with fd "socket fd" badfd
	restore_fails_with tail "after the END record" trailing
	# A good dump (no sockets in it) starts and serves its tree.
	mkdir -p "$TESTDIR/good"
	python3 "$(dirname "${BASH_SOURCE[0]}")/mkdump.py" good \
	    >"$TESTDIR/good/state_dump" || fail "mkdump good"
	XENSTORED_RUNDIR=$TESTDIR/good XENSTORED_PATH=$TESTDIR/good/socket \
	    timeout -k 2 "$(scaled 60)" "$XSTORED" -N -U \
	    >"$TESTDIR/good/log" 2>&1 &
	wait_until "the restored daemon answers" 10 env \
	    XENSTORED_PATH="$TESTDIR/good/socket" xenstore-read /from/dump
	XENSTORED_PATH=$TESTDIR/good/socket ok xenstore-read /from/dump
	stdout_is yes
	[ ! -e "$TESTDIR/good/state_dump" ] || fail "the good dump was kept"
	kill %% 2>/dev/null
}

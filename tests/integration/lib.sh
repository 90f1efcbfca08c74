# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the shell integration tests (sourced, never run).
# shellcheck shell=bash
#
# A test is a function named test_<behaviour> in a tests/integration/
# clients_*.sh file. run.sh runs each one in its own bash process, against
# its own fresh daemon, with:
#   XENSTORED_PATH  the daemon's socket (every Debian client honours it)
#   TESTDIR         a private scratch directory (the daemon's log is there)
# A test fails by exiting non-zero; the helpers below print what differed and
# exit 1 themselves, so a test is a flat list of steps.
#
# Every client runs under `timeout` (CLIENT_TIMEOUT s; a slow step can say
# `CLIENT_TIMEOUT=100 ok cmd...`): a daemon that stops answering fails the
# test instead of hanging it.
#
# XS_TIME_FACTOR (an integer, 1; run.sh passes it on, `make valgrind` sets
# it) multiplies every time limit here: CLIENT_TIMEOUT where a client is
# started (so a test's own CLIENT_TIMEOUT=100 is scaled too) and the waits
# for a watcher's next line. `scaled N` prints N times the factor.

: "${XENSTORED_PATH:?}" "${TESTDIR:?}"

# shellcheck disable=SC2034 # used by the test files
XEN_BIN=/usr/lib/xen-4.17/bin
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-20}
XS_TIME_FACTOR=${XS_TIME_FACTOR:-1}

scaled() {
	echo $(($1 * XS_TIME_FACTOR))
}
OUT=$TESTDIR/stdout
ERR=$TESTDIR/stderr
rc=0

fail() {
	echo "FAILED: $*" >&2
	exit 1
}

# Runs a command under the client timeout; stdout in $OUT, stderr in $ERR,
# exit status in $rc. Never fails by itself.
run() {
	rc=0
	local secs
	secs=$(scaled "$CLIENT_TIMEOUT")
	timeout -k 2 "$secs" "$@" >"$OUT" 2>"$ERR" || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "timed out after ${secs}s: $*"
	fi
	return 0
}

show_outputs() {
	echo "--- stdout of: $*" >&2
	sed 's/^/    /' "$OUT" >&2
	echo "--- stderr:" >&2
	sed 's/^/    /' "$ERR" >&2
}

# ok CMD...: runs CMD, which must exit 0.
ok() {
	run "$@"
	if [ "$rc" -ne 0 ]; then
		show_outputs "$@"
		fail "exit status $rc, expected 0: $*"
	fi
}

# status N CMD...: runs CMD, which must exit with status N.
status() {
	local want=$1
	shift
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		show_outputs "$@"
		fail "exit status $rc, expected $want: $*"
	fi
}

# Compares a file with the exact lines given (each followed by a newline;
# no lines = empty file).
same_lines() {
	local what=$1 file=$2
	shift 2
	if [ "$#" -eq 0 ]; then
		: >"$TESTDIR/expected"
	else
		printf '%s\n' "$@" >"$TESTDIR/expected"
	fi
	if ! cmp -s "$TESTDIR/expected" "$file"; then
		echo "--- $what differs (expected vs actual, cat -A):" >&2
		diff <(cat -A "$TESTDIR/expected") <(cat -A "$file") >&2
		fail "$what of the last command"
	fi
}

# stdout_is LINE...: the last command printed exactly these lines.
stdout_is() {
	same_lines stdout "$OUT" "$@"
}

# stderr_is LINE...: the same for stderr.
stderr_is() {
	same_lines stderr "$ERR" "$@"
}

# stdout_has_line REGEX: some line of stdout matches the extended regex.
stdout_has_line() {
	if ! grep -Eq -- "$1" "$OUT"; then
		show_outputs "(last command)"
		fail "no stdout line matches /$1/"
	fi
}

# stdout_lacks REGEX: no line of stdout matches.
stdout_lacks() {
	if grep -Eq -- "$1" "$OUT"; then
		show_outputs "(last command)"
		fail "a stdout line matches /$1/"
	fi
}

# The line xenstore-ls -p prints for one node (without -f): indent, name,
# ' = "value"', then the client's " . . ." filler up to column 60, then
# "  (perms)". The filler starts at the column after one space; columns
# with an odd index get '.', even ones ' ' (xenstore_client.c do_ls, for an
# 80-column non-tty stdout).
ls_p_line() {
	local depth=$1 name=$2 value=$3 perms=$4
	local line col
	line="$(printf '%*s' "$depth" '')$name = \"$value\""
	col=$((${#line} + 1))
	line="$line "
	while [ "$col" -lt 60 ]; do
		if [ $((col & 1)) -eq 1 ]; then
			line="$line."
		else
			line="$line "
		fi
		col=$((col + 1))
	done
	printf '%s  (%s)' "$line" "$perms"
}

# watch_start ARGS...: runs `xenstore-watch ARGS` in the background with its
# stdout on fd 3 (through a fifo, so each line is read as soon as the client
# prints it; the client flushes after each event). Its pid: $watch_pid.
watch_start() {
	rm -f "$TESTDIR/watch.fifo"
	mkfifo "$TESTDIR/watch.fifo" || fail "mkfifo"
	timeout -k 2 "$(scaled "$CLIENT_TIMEOUT")" xenstore-watch "$@" \
	    >"$TESTDIR/watch.fifo" 2>"$TESTDIR/watch.err" &
	watch_pid=$!
	exec 3<"$TESTDIR/watch.fifo"
}

# watch_next LINE: the watcher's next line is LINE (waits at most 10 s,
# scaled).
# The first line is the initial event, which the client prints only after
# the daemon acknowledged the WATCH: changes made after it must be seen.
watch_next() {
	local line
	if ! IFS= read -r -t "$(scaled 10)" line <&3; then
		fail "xenstore-watch printed no line within $(scaled 10) s (wanted '$1');" \
		    "its stderr: $(cat "$TESTDIR/watch.err")"
	fi
	[ "$line" = "$1" ] || fail "xenstore-watch printed '$line', expected '$1'"
}

# watch_next_set LINE...: the next lines are these, in any order (events of
# one commit, whose order the protocol leaves open).
watch_next_set() {
	local line got=() _
	for _ in "$@"; do
		if ! IFS= read -r -t "$(scaled 10)" line <&3; then
			fail "xenstore-watch printed no line within $(scaled 10) s" \
			    "(got so far: ${got[*]}; wanted: $*)"
		fi
		got+=("$line")
	done
	if [ "$(printf '%s\n' "${got[@]}" | sort)" != \
	    "$(printf '%s\n' "$@" | sort)" ]; then
		fail "xenstore-watch printed '${got[*]}', expected (any order) '$*'"
	fi
}

# watch_end: the watcher exits 0 by itself (it was started with -n) and has
# printed nothing more.
watch_end() {
	local st=0 line
	wait "$watch_pid" || st=$?
	[ "$st" -eq 0 ] || fail "xenstore-watch exited with status $st;" \
	    "stderr: $(cat "$TESTDIR/watch.err")"
	if IFS= read -r -t "$(scaled 5)" line <&3; then
		fail "xenstore-watch printed an extra line '$line'"
	fi
	exec 3<&-
}

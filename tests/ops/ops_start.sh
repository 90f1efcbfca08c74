# SPDX-License-Identifier: GPL-2.0-only
# Start-up, readiness, signals and the command line.
# shellcheck shell=bash

# As launch-xenstore runs it: forking, --pid-file, $NOTIFY_SOCKET set.
test_forking_start_writes_pid_file_and_notifies_ready() {
	local exe
	"$NOTIFY_LISTEN" "$TESTDIR/notify" "$WAIT_SECONDS" \
	    >"$TESTDIR/notify.out" 2>&1 &
	local listener=$!
	track "$listener"
	wait_until "the notify socket" test -S "$TESTDIR/notify"

	NOTIFY_SOCKET=$TESTDIR/notify start_forking
	# A start that works says nothing on the terminal.
	[ ! -s "$TESTDIR/start.out" ] || fail "stdout: $(cat "$TESTDIR/start.out")"
	[ ! -s "$TESTDIR/start.err" ] || fail "stderr: $(cat "$TESTDIR/start.err")"
	alive "$daemon_pid" || fail "pid $daemon_pid from the pid file is not running"
	exe=$(readlink "/proc/$daemon_pid/exe")
	[ "$exe" = "$(readlink -f "$XSTORED")" ] ||
	    fail "pid $daemon_pid is $exe, not xstored"

	# READY=1 came from the daemon itself, which names itself MAINPID.
	local st=0
	wait "$listener" || st=$?
	[ "$st" -eq 0 ] || fail "no READY=1: $(cat "$TESTDIR/notify.out")"
	has "$TESTDIR/notify.out" '^READY=1$'
	has "$TESTDIR/notify.out" "^MAINPID=$daemon_pid\$"
	ok xenstore-write /ops/ready yes
	stop_forking
}

test_ready_is_sent_only_once_the_socket_answers() {
	# The listener exits on READY=1; the socket must answer by then.
	"$NOTIFY_LISTEN" "$TESTDIR/notify" "$WAIT_SECONDS" \
	    >"$TESTDIR/notify.out" 2>&1 &
	local listener=$!
	track "$listener"
	wait_until "the notify socket" test -S "$TESTDIR/notify"
	NOTIFY_SOCKET=$TESTDIR/notify "$XSTORED" -N \
	    </dev/null >"$TESTDIR/daemon.log" 2>&1 &
	daemon_pid=$!
	track "$daemon_pid"
	wait "$listener" || fail "no READY=1: $(cat "$TESTDIR/notify.out")"
	ok xenstore-read /
	stop_foreground TERM
}

test_start_without_notify_socket_works() {
	unset NOTIFY_SOCKET
	start_forking
	ok xenstore-write /ops/a 1
	stop_forking
}

test_sigterm_in_foreground_exits_0_and_removes_socket_and_pid_file() {
	start_foreground --pid-file "$TESTDIR/xstored.pid"
	[ "$(cat "$TESTDIR/xstored.pid")" = "$daemon_pid" ] ||
	    fail "pid file: $(cat "$TESTDIR/xstored.pid"), expected $daemon_pid"
	ok xenstore-write /ops/a 1
	stop_foreground TERM
}

test_sigint_in_foreground_exits_0() {
	start_foreground --pid-file "$TESTDIR/xstored.pid"
	stop_foreground INT
}

test_sigterm_stops_a_forked_daemon_cleanly() {
	start_forking
	ok xenstore-write /ops/a 1
	stop_forking
}

test_second_instance_with_the_same_pid_file_leaves_quietly() {
	start_forking
	local first=$daemon_pid
	# As the C daemon: the pid file is locked, so exit 0 and say nothing.
	status 0 "$XSTORED" --pid-file "$TESTDIR/xstored.pid"
	[ ! -s "$ERR" ] || fail "stderr: $(cat "$ERR")"
	[ "$(cat "$TESTDIR/xstored.pid")" = "$first" ] || fail "pid file changed"
	ok xenstore-read /
	alive "$first" || fail "the first daemon died"
	stop_forking
}

test_output_pid_prints_the_daemon_pid() {
	start_forking -P
	[ "$(cat "$TESTDIR/start.out")" = "$daemon_pid" ] ||
	    fail "-P printed '$(cat "$TESTDIR/start.out")', pid file $daemon_pid"
	stop_forking
}

test_unwritable_trace_file_is_reported_and_start_goes_on() {
	start_forking -T "$TESTDIR/no/such/dir/trace"
	has "$TESTDIR/start.err" 'cannot open the trace file'
	ok xenstore-write /ops/a 1
	stop_forking
}

test_help_and_version_exit_0() {
	status 0 "$XSTORED" --help
	has "$OUT" '^usage: xstored'
	has "$OUT" -- '--pid-file'
	status 0 "$XSTORED" -H
	has "$OUT" '^usage: xstored'
	status 0 "$XSTORED" --version
	local want
	want=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
	[ "$(cat "$OUT")" = "xstored $want" ] ||
	    fail "--version printed '$(cat "$OUT")', changelog says $want"
	[ ! -e "$XENSTORED_PATH" ] || fail "--help/--version made a socket"
}

# Each line: the arguments of one bad command line.
test_bad_options_exit_2_with_a_message() {
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086 # word splitting wanted
		status 2 "$XSTORED" -N $args
		has "$ERR" '^xstored: .+'
		[ ! -s "$OUT" ] || fail "stdout for '$args': $(cat "$OUT")"
		[ ! -e "$XENSTORED_PATH" ] || fail "'$args' made a socket"
	done <<'EOF_CASES'
--no-such-option
-X
-E
--pid-file
-E ten
-E -1
-E 99999999999
-E 12x
-S
-Q
-Q nodes
-Q nodes=
-Q nodes=many
-Q no-such-quota=1
-Q soft-memory=5
-q nodes=10
-q memory
-w watch-event
-w other=5
-w watch-event=soon
--trace-control=obj
--trace-control=+nothing
--priv-domid
--priv-domid 32752
--priv-domid dom0
--master-domid -3
--event port
-I maybe
--internal-db=sometimes
--hypervisor=vmware
unexpected-positional
-N extra words
EOF_CASES
	# -U with no dump: a clear failure, not an empty store.
	XENSTORED_RUNDIR=$TESTDIR status 1 "$XSTORED" -N -U
	has "$ERR" 'No state found after live-update'
}

# What 4.17-era launch scripts pass still starts the daemon.
test_old_and_rare_options_are_accepted() {
	start_foreground -D -R -I -I off --internal-db=on -V -K \
	    --event 7 --master-domid 0 --priv-domid 0 \
	    -w watch-event=30 --trace-control=-obj --trace-control=+acc
	ok xenstore-write /ops/a 1
	stop_foreground TERM
}

test_internal_db_word_argument_is_taken() {
	# "-I on" as two words, as 4.17 scripts wrote it, is not positional.
	start_foreground -I on
	stop_foreground TERM
}

# A failure after the fork (here the simulated hypervisor's directory is
# missing) is reported by the returning command, with the reason.
test_failure_after_the_fork_is_reported_by_the_starting_command() {
	status 1 "$XSTORED" --pid-file "$TESTDIR/xstored.pid" \
	    --hypervisor=sim:"$TESTDIR/no/such/dir"
	has "$ERR" '^xstored: hypervisor backend sim: '
	has "$ERR" 'the daemon failed to start'
	[ ! -e "$XENSTORED_PATH" ] || fail "the socket is left behind"
	[ ! -e "$TESTDIR/xstored.pid" ] || fail "the pid file is left behind"
}

test_unusable_pid_file_fails_the_start() {
	status 1 "$XSTORED" --pid-file "$TESTDIR/no/such/dir/xstored.pid"
	has "$ERR" 'pid file .*/no/such/dir/xstored.pid: No such file'
	[ ! -e "$XENSTORED_PATH" ] || fail "a socket was made"
}

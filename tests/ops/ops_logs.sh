# SPDX-License-Identifier: GPL-2.0-only
# The trace file (-T), the access log (--access-log) and their rotation.
# shellcheck shell=bash

DATE8='[0-9]{8} [0-9]{2}:[0-9]{2}:[0-9]{2}'
STAMP='\[[0-9]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\]'

test_trace_file_records_every_packet_in_and_out() {
	start_forking -T "$TESTDIR/trace"
	ok xenstore-write /ops/a hello
	ok xenstore-read /ops/a
	status 1 xenstore-read /ops/missing
	stop_forking
	local t=$TESTDIR/trace
	has "$t" '^\*\*\*$'
	has "$t" "^io: IN conn[0-9]+ \\(d0\\) $DATE8 WRITE \\(/ops/a hello\\)\$"
	has "$t" "^io: OUT conn[0-9]+ \\(d0\\) $DATE8 WRITE \\(OK \\)\$"
	has "$t" "^io: IN conn[0-9]+ \\(d0\\) $DATE8 READ \\(/ops/a \\)\$"
	has "$t" "^io: OUT conn[0-9]+ \\(d0\\) $DATE8 READ \\(hello\\)\$"
	has "$t" "^io: OUT conn[0-9]+ \\(d0\\) $DATE8 ERROR \\(ENOENT \\)\$"
	has "$t" '^obj: CREATE connection conn[0-9]+ \(d0\)$'
	has "$t" '^obj: DESTROY connection conn[0-9]+ \(d0\)$'
}

test_trace_renders_unprintable_bytes_escaped() {
	start_forking -T "$TESTDIR/trace"
	# Raw: xenstore-write would undo the backslash itself.
	ok "$XS_REQUEST" 11 /ops/esc "$(printf 'a\nio: IN fake\\z')"
	stop_forking
	has "$TESTDIR/trace" 'WRITE \(/ops/esc a\\x0aio: IN fake\\\\z \)$'
	lacks "$TESTDIR/trace" '^io: IN fake'
}

test_trace_control_switches_select_lines() {
	start_forking -T "$TESTDIR/trace" --trace-control=-obj
	ok xenstore-write /ops/a 1
	stop_forking
	has "$TESTDIR/trace" 'WRITE \(/ops/a 1\)$'
	lacks "$TESTDIR/trace" '^obj:'
}

test_relative_trace_name_is_under_var_lib_xen_xenstore() {
	# Checked through the usage text rather than by writing there.
	status 0 "$XSTORED" --help
	has "$OUT" '/var/lib/xen/xenstore'
}

test_access_log_records_requests_per_connection() {
	start_forking --access-log "$TESTDIR/access"
	ok xenstore-write /ops/a hello
	ok xenstore-read /ops/a
	status 1 xenstore-read /ops/missing
	# Two pairs: one transaction.
	ok xenstore-write /ops/t1 x /ops/t2 y
	stop_forking
	local a=$TESTDIR/access
	has "$a" "^$STAMP  A[0-9]+ +newconn +\$"
	has "$a" "^$STAMP  A[0-9]+ +write +/ops/a hello\$"
	has "$a" "^$STAMP  A[0-9]+ +read +/ops/a\$"
	has "$a" "^$STAMP  A[0-9]+ +read +/ops/missing\$"
	has "$a" "^$STAMP  A[0-9]+ +error +ENOENT\$"
	has "$a" "^$STAMP  A[0-9]+ +t start +\$"
	has "$a" "^$STAMP  A[0-9]+\\.[0-9]+ +write +/ops/t1 x\$"
	has "$a" "^$STAMP  A[0-9]+\\.[0-9]+ +t end +T\$"
	has "$a" "^$STAMP  A[0-9]+\\.[0-9]+ +commit +\$"
	has "$a" "^$STAMP  A[0-9]+ +endconn +\$"
}

test_access_log_shows_watch_events() {
	start_forking --access-log "$TESTDIR/access"
	ok xenstore-write /ops/w 0
	timeout -k 1 "$WAIT_SECONDS" xenstore-watch -n 2 /ops/w \
	    >"$TESTDIR/watch.out" 2>&1 &
	local watcher=$!
	track "$watcher"
	wait_until "the watch" grep -Eq 'watch +/ops/w' "$TESTDIR/access"
	ok xenstore-write /ops/w 1
	wait "$watcher" || fail "xenstore-watch failed: $(cat "$TESTDIR/watch.out")"
	stop_forking
	has "$TESTDIR/access" "^$STAMP  A[0-9]+ +w event +/ops/w /ops/w\$"
}

test_sighup_reopens_both_logs_for_rotation() {
	start_forking -T "$TESTDIR/trace" --access-log "$TESTDIR/access"
	ok xenstore-write /ops/before 1
	mv "$TESTDIR/trace" "$TESTDIR/trace.1"
	mv "$TESTDIR/access" "$TESTDIR/access.1"
	kill -HUP "$daemon_pid"
	wait_until "a new trace file" test -e "$TESTDIR/trace"
	wait_until "a new access log" test -e "$TESTDIR/access"
	ok xenstore-write /ops/after 2
	stop_forking
	has "$TESTDIR/trace.1" 'WRITE \(/ops/before 1\)$'
	lacks "$TESTDIR/trace.1" '/ops/after'
	has "$TESTDIR/trace" 'WRITE \(/ops/after 2\)$'
	lacks "$TESTDIR/trace" '/ops/before'
	has "$TESTDIR/access.1" 'write +/ops/before 1$'
	lacks "$TESTDIR/access.1" '/ops/after'
	has "$TESTDIR/access" 'write +/ops/after 2$'
	lacks "$TESTDIR/access" '/ops/before'
}

test_logs_are_private_files() {
	start_forking -T "$TESTDIR/trace" --access-log "$TESTDIR/access"
	stop_forking
	[ "$(stat -c %a "$TESTDIR/trace")" = 600 ] || fail "trace mode"
	[ "$(stat -c %a "$TESTDIR/access")" = 600 ] || fail "access log mode"
}

test_foreground_logs_to_stderr_with_levels() {
	start_foreground -T "$TESTDIR/no/such/dir/trace"
	stop_foreground TERM
	has "$TESTDIR/daemon.log" '^xstored\[[0-9]+\]: cannot open the trace file'
	has "$TESTDIR/daemon.log" '^xstored\[[0-9]+\]: xstored .*: serving '
	has "$TESTDIR/daemon.log" '^xstored\[[0-9]+\]: SIGTERM: shutting down'
}

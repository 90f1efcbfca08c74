# SPDX-License-Identifier: GPL-2.0-only
# Quota options, and xenstore-control (Xen 4.17's, called directly: the
# /usr/bin wrapper needs Xen) against the daemon.
# shellcheck shell=bash

# quota_line NAME VALUE: `xenstore-control quota` output ($OUT) shows it.
quota_line() {
	has "$OUT" "^$1 *: +$2 "
}

test_quota_options_set_the_global_quotas() {
	start_forking -E 77 -S 1000 -W 9 -t 3 -A 4 -M 3000 \
	    -Q outstanding=15 -Q memory=1000000 -Q transaction-nodes=99 \
	    -q memory=900000
	ok "$CONTROL" quota
	has "$OUT" '^Quota settings:$'
	quota_line nodes 77
	quota_line node-size 1000
	quota_line watches 9
	quota_line transactions 3
	quota_line node-permissions 4
	quota_line path-max 2048	# -M stops at 2048, as in C
	quota_line outstanding 15
	quota_line memory 1000000
	quota_line transaction-nodes 99
	lacks "$OUT" '^soft-memory'
	ok "$CONTROL" quota-soft
	quota_line memory 900000
	# The same through GET_QUOTA (25): global, and domain 0's copy.
	ok "$XS_REQUEST" 25 nodes
	[ "$(cat "$OUT")" = 77 ] || fail "GET_QUOTA nodes: $(cat "$OUT")"
	ok "$XS_REQUEST" 25 soft-memory
	[ "$(cat "$OUT")" = 900000 ] || fail "GET_QUOTA soft-memory: $(cat "$OUT")"
	ok "$XS_REQUEST" 25 0 watches
	[ "$(cat "$OUT")" = 9 ] || fail "GET_QUOTA 0 watches: $(cat "$OUT")"
	stop_forking
}

test_quota_defaults_are_the_c_daemons() {
	start_forking
	ok "$CONTROL" quota
	quota_line nodes 1000
	quota_line watches 128
	quota_line transactions 10
	quota_line node-permissions 5
	quota_line path-max 2048
	quota_line node-size 2048
	stop_forking
}

test_control_help_lists_every_command() {
	start_forking
	ok "$CONTROL" help
	local cmd
	for cmd in check log live-update logfile memreport print quota \
	    quota-soft help; do
		has "$OUT" "^$cmd "
	done
	stop_forking
}

test_control_check_answers_ok() {
	start_forking
	ok xenstore-write /ops/a 1 /ops/b/c 2
	ok "$CONTROL" check
	[ "$(cat "$OUT")" = OK ] || fail "check: $(cat "$OUT")"
	stop_forking
}

test_control_print_goes_to_the_trace() {
	start_forking -T "$TESTDIR/trace"
	ok "$CONTROL" print "hello from the admin"
	[ "$(cat "$OUT")" = OK ] || fail "print: $(cat "$OUT")"
	stop_forking
	has "$TESTDIR/trace" '^control: hello from the admin$'
}

test_control_quota_set_and_per_domain() {
	start_forking
	ok "$CONTROL" quota set nodes 55
	ok "$CONTROL" quota
	quota_line nodes 55
	ok "$CONTROL" quota-soft set memory 123456
	ok "$CONTROL" quota-soft
	quota_line memory 123456
	ok xenstore-write /ops/a 1
	ok "$CONTROL" quota 0
	has "$OUT" '^Domain 0: used / quota$'
	has "$OUT" '^nodes *: +[0-9]+ / +1000$'	# dom0 keeps its copy
	has "$OUT" '^watches *: +0 / +128$'
	# Unknown domain: ENOENT, which xenstore-control prints as errno 2.
	status 3 "$CONTROL" quota 9
	has "$ERR" 'Error 2 '
	# Bad names and values read as "unsupported": the help is printed.
	status 3 "$CONTROL" quota set no-such 5
	has "$ERR" '^Command not supported'
	status 3 "$CONTROL" quota set nodes lots
	status 3 "$CONTROL" quota set path-max 5000
	status 3 "$CONTROL" quota-soft set nodes 5
	# No record of maxima is kept: refused, not invented.
	status 3 "$CONTROL" quota max
	status 3 "$CONTROL" quota max -r
	stop_forking
}

test_control_memreport_reply_and_file() {
	start_forking
	ok "$CONTROL" memreport
	has "$OUT" '^store: [0-9]+ nodes'
	has "$OUT" "^talloc report on 'struct daemon'"
	ok "$CONTROL" memreport "$TESTDIR/mem"
	[ "$(cat "$OUT")" = OK ] || fail "memreport file: $(cat "$OUT")"
	has "$TESTDIR/mem" "^full talloc report on 'struct daemon'"
	status 3 "$CONTROL" memreport "$TESTDIR/no/such/dir/mem"
	stop_forking
}

test_control_memreport_is_cut_to_fit_a_reply() {
	start_forking
	# 200 open connections: one report line each, far over 4096 bytes.
	ok "$XS_REQUEST" -c 200 0 memreport
	[ "$(wc -c <"$OUT")" -le 4096 ] || fail "reply of $(wc -c <"$OUT") bytes"
	has "$OUT" "cut to fit a reply: 'memreport <file>' writes it all"
	stop_forking
}

test_control_log_switches_and_logfile() {
	start_forking -T "$TESTDIR/trace"
	ok "$CONTROL" log
	has "$OUT" '^Log switch settings:$'
	has "$OUT" '^io +: on$'
	ok "$CONTROL" log -io
	ok xenstore-write /ops/untraced 1
	ok "$CONTROL" log +io
	ok "$CONTROL" log
	has "$OUT" '^io +: on$'
	status 3 "$CONTROL" log +nothing
	ok "$CONTROL" logfile "$TESTDIR/trace2"
	ok xenstore-write /ops/second 2
	ok "$CONTROL" log off
	ok xenstore-write /ops/off 3
	ok "$CONTROL" log on
	ok xenstore-write /ops/on 4
	status 3 "$CONTROL" logfile "$TESTDIR/no/such/dir/trace"
	stop_forking
	lacks "$TESTDIR/trace" '/ops/untraced'
	lacks "$TESTDIR/trace" '/ops/second'
	has "$TESTDIR/trace2" 'WRITE \(/ops/second 2\)$'
	lacks "$TESTDIR/trace2" '/ops/off'
	has "$TESTDIR/trace2" 'WRITE \(/ops/on 4\)$'
}

test_control_log_on_without_a_trace_file_says_so() {
	start_forking
	ok "$CONTROL" log on
	has "$OUT" 'no trace file'
	stop_forking
}

test_control_live_update_checks_binary_and_session() {
	start_forking
	status 0 "$XS_REQUEST" 0 live-update -s -t 60
	has "$OUT" 'Not in live-update session.'
	status 0 "$XS_REQUEST" 0 live-update -a
	has "$OUT" 'No live-update session active.'
	status 0 "$XS_REQUEST" 0 live-update -f /nonexistent/xstored
	has "$OUT" 'File not accessible.'
	printf 'not a program\n' >"$TESTDIR/plain"
	chmod 0644 "$TESTDIR/plain"
	status 0 "$XS_REQUEST" 0 live-update -f "$TESTDIR/plain"
	has "$OUT" 'File not executable.'
	status 3 "$CONTROL" live-update "$TESTDIR/plain"
	has "$ERR" 'File not executable.'
	ok xenstore-read /
	stop_forking
}

test_control_unknown_command_is_einval() {
	start_forking
	status 3 "$CONTROL" no-such-command
	has "$ERR" '^Command not supported'
	stop_forking
}

# SPDX-License-Identifier: GPL-2.0-only
# xenstore-control (Xen 4.17, called directly: the /usr/bin wrapper needs
# Xen) and test-xenstore against the daemon.
# shellcheck shell=bash

test_xenstore_control_help_lists_commands() {
	ok "$XEN_BIN/xenstore-control" help
	stdout_has_line '^check'
	stdout_has_line '^help'
}

test_xenstore_control_check_reports_ok() {
	ok xenstore-write /ctl/a 1 /ctl/b/c 2
	ok "$XEN_BIN/xenstore-control" check
	stdout_is OK
}

test_xenstore_control_unknown_command_fails() {
	# CONTROL answers EINVAL; the client then asks for help and exits 3.
	status 3 "$XEN_BIN/xenstore-control" no-such-command
	stdout_is
	head -n 1 "$ERR" >"$TESTDIR/first"
	same_lines "first stderr line" "$TESTDIR/first" \
		"Command not supported. Valid commands are:"
}

test_test_xenstore_passes_all_12_tests() {
	ok "$XEN_BIN/test-xenstore" -l
	[ "$(wc -l <"$OUT")" -eq 12 ] || fail "test-xenstore -l lists $(wc -l <"$OUT") tests"
	ok "$XEN_BIN/test-xenstore"
	stdout_lacks 'failed'
	stdout_lacks 'Exhaustive transaction retries'
}

test_test_xenstore_passes_200_iterations() {
	CLIENT_TIMEOUT=100 ok "$XEN_BIN/test-xenstore" -i 200
	stdout_lacks 'failed'
	stdout_lacks 'Exhaustive transaction retries'
}

test_test_xenstore_passes_10_seconds_of_random_order() {
	CLIENT_TIMEOUT=60 ok "$XEN_BIN/test-xenstore" -r 10
	stdout_lacks 'failed'
}

test_test_xenstore_leaves_no_nodes_behind() {
	# Its cleanup removes xenstore-test/<pid>, then xenstore-test if empty.
	ok "$XEN_BIN/test-xenstore"
	status 1 xenstore-exists /local/domain/0/xenstore-test
}

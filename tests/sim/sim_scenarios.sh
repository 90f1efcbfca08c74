# SPDX-License-Identifier: GPL-2.0-only
# The xs-guest scenarios of well-behaved guests against the real daemon:
# Linux, hvmloader's reconnection, a dom0less guest whose builder preset the
# connection word, and a kexec'd kernel's RESET_WATCHES.
# shellcheck shell=bash

test_sim_linux_guest_scenario_passes() {
	new_domain 5
	ok "$XSGUEST" -D 5 scenario linux
	# Its relative writes landed in its home, owned by it.
	ok xenstore-read /local/domain/5/data/x
	stdout_is hello
	ok xenstore-ls -p /local/domain/5/data
	stdout_has_line '^x = "hello" .*\(n5\)$'
	stdout_has_line '^t = "committed" .*\(n5\)$'
	introduced 5
	store_check
}

test_sim_hvmloader_reconnect_scrubs_ring() {
	local tx
	new_domain 5
	# Leave state behind on the domain's connection: a watch and an open
	# transaction with a write in it (both outlive the guest process).
	printf '%s\n' 'write data/before 1' 'watch data/before tok' \
	    'expect-event data/before tok' >"$TESTDIR/before.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/before.txt"
	ok "$XSGUEST" -D 5 req transaction_start
	tx=$(cat "$OUT")
	ok "$XSGUEST" -D 5 req --tx "$tx" write data/intx 2
	ok "$XSGUEST" -D 5 req --tx "$tx" read data/intx
	stdout_is 2
	# Trace from here on: the reconnection must show there too.
	ok "$XSCONTROL" logfile "$TESTDIR/trace.log"
	# The scenario reads with req_id 0, sets the connection word, waits
	# for 0 and checks indexes, scrub and error word, then one request.
	ok "$XSGUEST" -D 5 scenario hvmloader
	# An operator sees it at info level (no -V), with what was dropped:
	# the watch and the transaction above; hvmloader had read its reply.
	grep -q 'domain 5: ring reconnected by the guest: dropped 0 partial request bytes, 0 queued packets (0 bytes), 1 watches, 1 transactions' \
	    "$TESTDIR/daemon.log" || fail "reconnection not logged at info level"
	grep -q '^obj: RECONNECT connection conn[0-9]* (d5) dropped 0 partial request bytes, 0 queued packets (0 bytes), 1 watches, 1 transactions$' \
	    "$TESTDIR/trace.log" || fail "reconnection not in the trace"
	# The same handshake as the last step of a guest: nothing runs after
	# it, so the page is exactly what the daemon left.
	echo reconnect >"$TESTDIR/reconnect.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/reconnect.txt"
	expect_fresh_page 5
	# Traced every time; logged once per 10 s per connection.
	[ "$(grep -c '^obj: RECONNECT connection .* (d5)' "$TESTDIR/trace.log")" = 2 ] ||
	    fail "the second reconnection is not traced"
	[ "$(grep -c 'domain 5: ring reconnected' "$TESTDIR/daemon.log")" = 1 ] ||
	    fail "the log line is not rate-limited"
	# Nodes survive; the transaction does not, nor its write.
	ok xenstore-read /local/domain/5/data/before
	stdout_is 1
	status 1 "$XSGUEST" -D 5 req --tx "$tx" read data/intx
	stdout_is "ERROR ENOENT"
	status 1 xenstore-read /local/domain/5/data/intx
	# The watch went with the old connection: a write brings no event
	# (expect-no-event makes a round trip first).
	printf '%s\n' 'write data/before 2' 'expect-no-event data/before tok' \
	    >"$TESTDIR/after.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/after.txt"
	introduced 5
	store_check
}

test_sim_dom0less_preset_word_cleared_before_first_notify() {
	ok "$XSGUEST" create 6 --preset-reconnect
	[ "$(page_word 6 2068)" = 1 ] || fail "create --preset-reconnect" \
	    "left the connection word at $(page_word 6 2068)"
	# The guest binds its socket, then waits for the daemon's first
	# notify; by then the word must be 0 (Linux starts xenbus on it).
	spawn guest "$XSGUEST" -D 6 scenario dom0less
	wait_until "the dom0less guest binds dom6/guest" 10 test -S "$HV/dom6/guest"
	ok "$XSGUEST" introduce 6
	stdout_is OK
	reap guest
	[ "$(page_word 6 2068)" = 0 ] || fail "connection word not cleared"
	[ "$(page_word 6 2072)" = 0 ] || fail "error word set"
	ok "$XSGUEST" -D 6 req write data/after v
	ok xenstore-read /local/domain/6/data/after
	stdout_is v
	introduced 6
}

test_sim_dom0less_guest_gets_features_at_introduction() {
	ok "$XSGUEST" create 6 --preset-reconnect
	ok "$XSGUEST" introduce 6
	stdout_is OK
	# The reset ran at INTRODUCE even though no guest was listening.
	expect_fresh_page 6
	ok "$XSGUEST" -D 6 req read data
	stdout_is ""
}

test_sim_kexec_guest_resets_watches_and_carries_on() {
	new_domain 5
	ok "$XSGUEST" -D 5 scenario linux
	ok "$XSGUEST" -D 5 scenario kexec
	# And once more, as a second kexec would.
	ok "$XSGUEST" -D 5 scenario kexec
	ok "$XSGUEST" -D 5 req read data/x
	stdout_is hello
	introduced 5
	store_check
}

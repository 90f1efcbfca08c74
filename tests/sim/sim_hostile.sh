# SPDX-License-Identifier: GPL-2.0-only
# Hostile guests (xs-guest scenario hostile MODE) against the real daemon: a
# broken ring stops that guest's connection with the error indicator set and
# nothing else. The domain stays introduced, its nodes stay, no
# @releaseDomain fires (XSA-325), other domains are served as usual, and
# the guest's own reconnection revives the ring.
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc, loop_count: set by the helpers

# A dom0 watcher on @releaseDomain and a marker node of domain 6: a marker
# event that comes next proves no @releaseDomain came before it.
start_release_watcher() {
	bg_start rel "$XSRAW" -t 60000 watch @releaseDomain r \
	    /local/domain/6/data/m m
	bg_next rel "@releaseDomain r"
	bg_next rel "/local/domain/6/data/m m"
}

# marker_from_6 VALUE: domain 6 writes its marker; the watcher sees it next.
marker_from_6() {
	ok "$XSGUEST" -D 6 req write data/m "$1"
	bg_next rel "/local/domain/6/data/m m"
}

# The stopped ring of domain 5 changes nothing else.
expect_stopped_but_kept() {
	introduced 5
	ok xenstore-read /local/domain/5/data/keep
	stdout_is kept
	ok xenstore-ls -p /local/domain/5/data
	stdout_has_line '^keep = "kept" .*\(n5\)$'
	daemon_alive
	marker_from_6 "$1"
	ok "$XSGUEST" -D 6 req read data/m
	stdout_is "$1"
}

test_sim_hostile_bad_index_sets_error_2_and_keeps_domain() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 5 req write data/keep kept
	start_release_watcher
	# The scenario: req_prod = req_cons + 2000, error 2, then revival.
	ok "$XSGUEST" -D 5 scenario hostile bad-index
	# Again by hand, to look at the stopped ring before any revival.
	page_set_word 5 2052 $(($(page_word 5 2048) + 2000))
	ok "$XSRAW" notify "$HV" 5
	wait_until "error word 2 (RINGIDX) on dom5's page" 10 page_word_is 5 2072 2
	expect_stopped_but_kept 1
	# The same guest's reconnection revives it.
	ok "$XSGUEST" -R -D 5 req read data/keep
	stdout_is kept
	[ "$(page_word 5 2072)" = 0 ] || fail "error word not cleared"
	ok "$XSGUEST" -D 5 req write data/after v
	marker_from_6 2
	bg_stop rel
	store_check
}

test_sim_hostile_oversize_sets_error_3_and_keeps_domain() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 5 req write data/keep kept
	start_release_watcher
	ok "$XSGUEST" -D 5 scenario hostile oversize
	# By hand: a WRITE header with len 5000, then the guest goes away.
	echo 'raw 0b000000 01000000 00000000 88130000' >"$TESTDIR/over.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/over.txt"
	wait_until "error word 3 (PROTO) on dom5's page" 10 page_word_is 5 2072 3
	expect_stopped_but_kept 1
	ok "$XSGUEST" -R -D 5 req read data/keep
	stdout_is kept
	[ "$(page_word 5 2072)" = 0 ] || fail "error word not cleared"
	marker_from_6 2
	bg_stop rel
	store_check
}

test_sim_hostile_garbage_leaves_other_domain_served() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 5 req write data/keep kept
	rw_script "$TESTDIR/rw6.txt" 6 o 1000
	# Random headers and bytes from 5, round after round (a new seed each
	# time), while 6 writes and reads back its own values.
	loop_start hostile "$XSGUEST" -T 60 -R -D 5 scenario hostile garbage \
	    -n 50 --seed @I@
	wait_until "the garbage guest runs" 20 loop_running hostile
	ok "$XSGUEST" -T 110 -D 6 script "$TESTDIR/rw6.txt"
	loop_stop hostile
	note "garbage: $((loop_count * 50)) rounds from dom5 while dom6 made 2000 requests"
	daemon_alive
	rw_verify 6 o 1000
	introduced 5
	ok xenstore-read /local/domain/5/data/keep
	stdout_is kept
	# A later guest of 5 gets a clean ring.
	ok "$XSGUEST" -R -D 5 req read data/keep
	stdout_is kept
	store_check
}

test_sim_hostile_no_read_does_not_stall_other_domain() {
	new_domain 5
	new_domain 6
	rw_script "$TESTDIR/rw6.txt" 6 o 300
	# 5 keeps sending and never reads a reply; 6 and dom0 carry on.
	spawn hostile "$XSGUEST" -T 60 -D 5 scenario hostile no-read --duration 5000
	wait_until "dom5 sends requests" 10 page_word_is_not 5 2052 0
	spawn other "$XSGUEST" -T 60 -D 6 script "$TESTDIR/rw6.txt"
	for i in $(seq 20); do
		ok xenstore-write "/dom0/v$i" "$i"
		ok xenstore-read "/dom0/v$i"
		stdout_is "$i"
	done
	reap other
	# Everything above ran while 5 was still at it.
	kill -0 "${BG_PID[hostile]}" 2>/dev/null ||
	    fail "the no-read guest ended before the others: no overlap"
	reap hostile
	daemon_alive
	rw_verify 6 o 300
	# The stream of 5 is out of step: its next guest reconnects.
	ok "$XSGUEST" -R -D 5 req write data/after v
	ok "$XSGUEST" -D 5 req read data/after
	stdout_is v
	introduced 5
	store_check
}

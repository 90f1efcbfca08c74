# SPDX-License-Identifier: GPL-2.0-only
# Watches across the ring and the socket: a Debian xenstore-watch on the
# dom0 socket sees a guest's writes, and a guest's watch sees dom0's writes
# (filtered by what the guest may read).
# shellcheck shell=bash

test_sim_xenstore_watch_sees_guest_write() {
	new_domain 5
	bg_start w xenstore-watch -n 3 /local/domain/5/data/x
	bg_next w /local/domain/5/data/x
	ok "$XSGUEST" -D 5 req WRITE data/x v
	stdout_is OK
	bg_next w /local/domain/5/data/x
	ok "$XSGUEST" -D 5 req RM data/x
	bg_next w /local/domain/5/data/x
	bg_end w
}

test_sim_guest_watch_sees_dom0_write() {
	new_domain 5
	# Relative watch, relative events; the node dom0 writes is under the
	# guest's data/, which the guest owns, so it may read its parent.
	bg_start g "$XSGUEST" -D 5 watch data/y tok -n 3
	bg_next g "data/y tok"
	ok xenstore-write /local/domain/5/data/y v
	bg_next g "data/y tok"
	ok xenstore-chmod /local/domain/5/data/y n0 r5
	bg_next g "data/y tok"
	bg_end g
	# The guest can read what dom0 wrote there, since it was made
	# readable.
	ok "$XSGUEST" -D 5 req read data/y
	stdout_is v
}

test_sim_guest_watch_skips_nodes_it_cannot_read() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 6 req write data/secret s
	# 5 watches 6's node (the initial event comes: no permission check
	# for it) and a node of its own, says "ready", then waits.
	printf '%s\n' 'timeout 20000' \
	    'watch /local/domain/6/data/secret t6' \
	    'expect-event /local/domain/6/data/secret t6' \
	    'watch data/mine t5' 'expect-event data/mine t5' \
	    'echo ready' 'expect-event data/mine t5' \
	    'expect-no-event /local/domain/6/data/secret t6' 'echo finished' \
	    >"$TESTDIR/w.txt"
	bg_start g "$XSGUEST" -T 60 -D 5 script "$TESTDIR/w.txt"
	bg_next g ready
	# 6's change, then dom0's under 5's home: had the first reached 5,
	# it would be queued before the second.
	ok "$XSGUEST" -D 6 req write data/secret s2
	ok xenstore-write /local/domain/5/data/mine 1
	bg_next g finished
	bg_end g
}

test_sim_guest_identical_queued_event_sent_once() {
	new_domain 5
	ok xenstore-write /local/domain/5/data/d/a ""
	ok xenstore-chmod /local/domain/5/data/d n5
	ok xenstore-chmod /local/domain/5/data/d/a n5
	# Two watches, one token, one change: as on sockets (and in C), the
	# second identical event is not queued while the first is.
	printf '%s\n' 'timeout 20000' \
	    'watch data/d t' 'expect-event data/d t' \
	    'watch data/d/a t' 'expect-event data/d/a t' \
	    'echo ready' 'expect-event data/d/a t' \
	    'expect-no-event data/d/a t' 'echo finished' \
	    >"$TESTDIR/w.txt"
	bg_start g "$XSGUEST" -T 60 -D 5 script "$TESTDIR/w.txt"
	bg_next g ready
	ok xenstore-write /local/domain/5/data/d/a 1
	bg_next g finished
	bg_end g
}

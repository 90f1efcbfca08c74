# SPDX-License-Identifier: GPL-2.0-only
# Debian's xenstore-watch against the daemon. It sends WATCH(path, token =
# path), prints the path of each event, the initial one included, and with
# -n N exits after N events.
# shellcheck shell=bash

test_xenstore_watch_prints_initial_event_then_changes() {
	ok xenstore-write /w/old 0
	watch_start -n 3 /w
	watch_next /w
	ok xenstore-write /w/a 1
	watch_next /w/a
	ok xenstore-write /w 2
	watch_next /w
	watch_end
}

test_xenstore_watch_of_missing_node_fires_on_creation() {
	watch_start -n 2 /w/new
	watch_next /w/new
	ok xenstore-write /w/other 1
	ok xenstore-write /w/new 1
	watch_next /w/new
	watch_end
}

test_xenstore_watch_reports_change_of_unchanged_value() {
	ok xenstore-write /w/same v
	watch_start -n 2 /w/same
	watch_next /w/same
	ok xenstore-write /w/same v
	watch_next /w/same
	watch_end
}

test_xenstore_watch_on_removed_subtree_gets_its_own_path() {
	ok xenstore-write /w/a/b/c 1 /w/a/d 2
	watch_start -n 2 /w/a/b/c
	watch_next /w/a/b/c
	ok xenstore-rm /w/a
	watch_next /w/a/b/c
	watch_end
}

test_xenstore_watch_on_parent_sees_child_removal() {
	ok xenstore-write /w/p/c 1
	watch_start -n 2 /w/p
	watch_next /w/p
	ok xenstore-rm /w/p/c
	watch_next /w/p/c
	watch_end
}

test_xenstore_watch_relative_path_gets_relative_events() {
	watch_start -n 3 relw
	watch_next relw
	ok xenstore-write relw/x 1
	watch_next relw/x
	ok xenstore-write /local/domain/0/relw/y 2
	watch_next relw/y
	watch_end
}

test_xenstore_watch_sees_each_write_of_a_transaction() {
	watch_start -n 3 /w/m
	watch_next /w/m
	ok xenstore-write /w/m/a 1 /w/m/b 2
	watch_next_set /w/m/a /w/m/b
	watch_end
}

test_xenstore_watch_sees_chmod() {
	ok xenstore-write /w/perm 1
	watch_start -n 2 /w/perm
	watch_next /w/perm
	ok xenstore-chmod /w/perm n0 r1
	watch_next /w/perm
	watch_end
}

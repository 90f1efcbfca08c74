# SPDX-License-Identifier: GPL-2.0-only
# A domain's life as the toolstack and the hypervisor drive it: INTRODUCE,
# RELEASE, death (VIRQ_DOM_EXC with the domain dying or destroyed),
# shutdown and RESUME, and the @introduceDomain / @releaseDomain watches a
# dom0 tool sees meanwhile.
# shellcheck shell=bash

test_sim_introduce_fires_introduce_domain_for_dom0_watcher() {
	ok "$XSGUEST" create 5
	not_introduced 5
	bg_start w xenstore-watch -n 3 @introduceDomain
	bg_next w @introduceDomain
	ok "$XSGUEST" introduce 5
	stdout_is OK
	bg_next w @introduceDomain
	introduced 5
	# A second domain, a second event; re-INTRODUCE of 5 fires nothing,
	# so the third line is domain 6's.
	ok "$XSGUEST" introduce 5
	stdout_is OK
	ok "$XSGUEST" create 6
	ok "$XSGUEST" introduce 6
	bg_next w @introduceDomain
	bg_end w
}

test_sim_release_fires_release_domain_and_deletes_guest_nodes() {
	new_domain 5
	ok "$XSGUEST" -D 5 req write data/x 1
	ok "$XSGUEST" -D 5 req mkdir data/dir
	bg_start w xenstore-watch -n 2 @releaseDomain
	bg_next w @releaseDomain
	ok "$XSGUEST" release 5
	stdout_is OK
	bg_next w @releaseDomain
	bg_end w
	not_introduced 5
	# Guest-owned nodes are gone; the toolstack's stay, with the entries
	# naming the released domain purged.
	status 1 xenstore-read /local/domain/5/data
	status 1 xenstore-read /local/domain/5/data/x
	ok xenstore-ls -p /local/domain/5
	stdout_is "$(ls_p_line 0 control "" n0)" \
	    "$(ls_p_line 1 platform-feature-xs_reset_watches 1 n0)"
	ok xenstore-ls -p /local/domain
	stdout_has_line '^5 = "" .*\(n0\)$'
	# RELEASE of a released domain: ENOENT.
	raw_is "ERROR ENOENT" RELEASE 5
	store_check
}

# Domain 5 opens a transaction and writes in it, sets a watch and leaves
# them all open on its connection (the guest process ends, the domain's
# connection does not).
open_transaction_in_5() {
	new_domain 5
	printf '%s\n' 'write data/done 1' 'watch data tok' \
	    'expect-event data tok' 'txstart' 'write data/tx/a 1' \
	    'write data/tx/b 2' 'expect-read data/tx/a 1' \
	    >"$TESTDIR/tx.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/tx.txt"
	status 1 xenstore-read /local/domain/5/data/tx/a
}

# Two dom0 watchers on @releaseDomain: Debian's xenstore-watch (initial
# event and one more, then it exits) and xs_raw, which also watches /marker
# so that the marker event coming next proves no second @releaseDomain.
start_release_watchers() {
	bg_start deb xenstore-watch -n 2 @releaseDomain
	bg_next deb @releaseDomain
	bg_start w "$XSRAW" -t 60000 watch @releaseDomain r /marker m
	bg_next w "@releaseDomain r"
	bg_next w "/marker m"
}

# Then the domain dies: everything of it goes and @releaseDomain fires once.
expect_5_cleaned_up() {
	bg_next deb @releaseDomain
	bg_end deb
	bg_next w "@releaseDomain r"
	wait_until "domain 5 no longer introduced" 10 is_introduced_now 5 F
	status 1 xenstore-read /local/domain/5/data
	status 1 xenstore-read /local/domain/5/data/done
	status 1 xenstore-read /local/domain/5/data/tx/a
	ok xenstore-read /local/domain/5/control/platform-feature-xs_reset_watches
	stdout_is 1
	# Exactly one event: the marker written afterwards comes next.
	ok xenstore-write /marker 1
	bg_next w "/marker m"
	bg_stop w
	daemon_alive
	store_check
}

test_sim_guest_dying_mid_transaction_is_cleaned_up() {
	open_transaction_in_5
	start_release_watchers
	ok "$XSGUEST" set-state 5 dying
	expect_5_cleaned_up
}

test_sim_guest_destroyed_mid_transaction_is_cleaned_up() {
	open_transaction_in_5
	start_release_watchers
	ok "$XSGUEST" destroy 5
	[ ! -e "$HV/dom5" ] || fail "destroy left $HV/dom5"
	expect_5_cleaned_up
}

# A dom0 watcher on @releaseDomain and on domain 6's marker node. Domain 6
# writes the marker through its ring, whose notifications reach the daemon
# on the same control socket as dom_exc, after it: once 6 has its reply,
# the daemon has handled the dom_exc sent before, so any @releaseDomain it
# fired precedes the marker on the watcher's connection.
marker_from_6() {
	ok "$XSGUEST" -D 6 req write data/m "$1"
	bg_next w "/local/domain/6/data/m m"
}

test_sim_shutdown_fires_release_domain_once_until_resume() {
	new_domain 5
	new_domain 6
	bg_start w "$XSRAW" -t 60000 watch @releaseDomain r \
	    /local/domain/6/data/m m
	bg_next w "@releaseDomain r"
	bg_next w "/local/domain/6/data/m m"
	ok "$XSGUEST" set-state 5 shutdown
	bg_next w "@releaseDomain r"
	# Shut down is not gone: the domain and its nodes stay.
	introduced 5
	ok xenstore-read /local/domain/5/data
	# Another dom_exc, 5 still shut down: nothing more.
	ok "$XSGUEST" set-state 5 shutdown
	marker_from_6 1
	ok "$XSGUEST" set-state 6 running
	marker_from_6 2
	# The domain runs again and the toolstack says RESUME: the next
	# shutdown is reported again, once.
	ok "$XSGUEST" set-state 5 running
	raw_is OK RESUME 5
	marker_from_6 3
	ok "$XSGUEST" set-state 5 shutdown
	bg_next w "@releaseDomain r"
	ok "$XSGUEST" set-state 5 shutdown
	marker_from_6 4
	# Then it dies: reported as a release.
	ok "$XSGUEST" set-state 5 dying
	bg_next w "@releaseDomain r"
	wait_until "domain 5 no longer introduced" 10 is_introduced_now 5 F
	marker_from_6 5
	bg_stop w
	# RESUME of a domain that is not introduced: ENOENT.
	raw_is "ERROR ENOENT" RESUME 5
	store_check
}

test_sim_resume_without_shutdown_changes_nothing() {
	new_domain 5
	new_domain 6
	bg_start w "$XSRAW" -t 60000 watch @releaseDomain r \
	    /local/domain/6/data/m m
	bg_next w "@releaseDomain r"
	bg_next w "/local/domain/6/data/m m"
	raw_is OK RESUME 5
	ok "$XSGUEST" set-state 6 running
	marker_from_6 1
	ok "$XSGUEST" set-state 5 shutdown
	bg_next w "@releaseDomain r"
	marker_from_6 2
	bg_stop w
}

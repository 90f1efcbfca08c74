# SPDX-License-Identifier: GPL-2.0-only
# Permission checks for an unprivileged guest over its ring: other homes are
# closed to it, relative paths land under its own home, and what it creates
# is its own.
# shellcheck shell=bash

test_sim_guest_reading_another_domains_home_gets_eacces() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 6 req write data/secret s
	status 1 "$XSGUEST" -D 5 req read /local/domain/6/data/secret
	stdout_is "ERROR EACCES"
	status 1 "$XSGUEST" -D 5 req read /local/domain/6
	stdout_is "ERROR EACCES"
	status 1 "$XSGUEST" -D 5 req directory /local/domain/6/data
	stdout_is "ERROR EACCES"
	status 1 "$XSGUEST" -D 5 req write /local/domain/6/data/secret x
	stdout_is "ERROR EACCES"
	# A missing node under a home it cannot read does not leak absence.
	status 1 "$XSGUEST" -D 5 req read /local/domain/6/data/none
	stdout_is "ERROR EACCES"
	# Outside any home: dom0's tree is closed too.
	ok xenstore-write /tool/private p
	status 1 "$XSGUEST" -D 5 req read /tool/private
	stdout_is "ERROR EACCES"
	status 1 "$XSGUEST" -D 5 req write /tool/mine x
	stdout_is "ERROR EACCES"
	ok xenstore-read /local/domain/6/data/secret
	stdout_is s
}

test_sim_guest_relative_path_lands_under_its_home() {
	new_domain 5
	ok "$XSGUEST" -D 5 req get_domain_path 5
	stdout_is /local/domain/5
	ok "$XSGUEST" -D 5 req write data/rel v
	ok xenstore-read /local/domain/5/data/rel
	stdout_is v
	ok "$XSGUEST" -D 5 req read /local/domain/5/data/rel
	stdout_is v
	# Its own home is readable (r5), not writable (n0).
	ok "$XSGUEST" -D 5 req directory /local/domain/5
	stdout_is data control
	status 1 "$XSGUEST" -D 5 req write control/x 1
	stdout_is "ERROR EACCES"
}

test_sim_guest_created_node_is_owned_by_guest() {
	new_domain 5
	ok "$XSGUEST" -D 5 req write data/own v
	ok "$XSGUEST" -D 5 req mkdir data/sub
	ok "$XSGUEST" -D 5 req write data/sub/deep/leaf w
	ok xenstore-ls -p /local/domain/5/data
	stdout_is "$(ls_p_line 0 own v n5)" \
	    "$(ls_p_line 0 sub "" n5)" \
	    "$(ls_p_line 1 deep "" n5)" \
	    "$(ls_p_line 2 leaf w n5)"
	ok "$XSGUEST" -D 5 req get_perms data/own
	stdout_is n5
	# The owner may open it to others, and dom0 sees the change.
	ok "$XSGUEST" -D 5 req set_perms data/own n5 r6
	ok xenstore-ls -p /local/domain/5/data/own
	ok "$XSGUEST" -D 5 req get_perms data/own
	stdout_is "n5 r6"
}

# SPDX-License-Identifier: GPL-2.0-only
# Debian's xenstore-write, -read, -exists, -list, -ls, -rm, -chmod against
# the daemon, asserting their exact output (formats: xenstore_client.c of
# Xen 4.17; wire behaviour: xenstore-facts.md section 7.1).
# shellcheck shell=bash

test_xenstore_read_returns_value_written() {
	ok xenstore-write /rw/a hello
	stdout_is
	ok xenstore-read /rw/a
	stdout_is hello
}

test_xenstore_write_of_several_pairs_sets_every_path() {
	# Several pairs: the client writes them inside one transaction.
	ok xenstore-write /rw/a 1 /rw/b two /rw/c/d "three words"
	ok xenstore-read /rw/a /rw/b /rw/c/d
	stdout_is 1 two "three words"
	ok xenstore-read -p /rw/a /rw/c/d
	stdout_is "/rw/a: 1" "/rw/c/d: three words"
}

test_xenstore_write_creates_parents_with_empty_values() {
	ok xenstore-write /rw/p/q/r leaf
	ok xenstore-read /rw/p /rw/p/q /rw/p/q/r
	stdout_is "" "" leaf
}

test_xenstore_write_overwrites_value() {
	ok xenstore-write /rw/a first
	ok xenstore-write /rw/a second
	ok xenstore-read /rw/a
	stdout_is second
	ok xenstore-write /rw/a ""
	ok xenstore-read /rw/a
	stdout_is ""
}

test_xenstore_read_of_missing_node_fails() {
	status 1 xenstore-read /rw/missing
	stdout_is
	stderr_is "xenstore-read: couldn't read path /rw/missing"
}

test_xenstore_binary_value_roundtrips_escaped() {
	# The clients unescape \t \n \r \\ \xHH \ooo on write and escape every
	# byte outside ' '..'~' on read (below 010 as \ooo, else \xHH).
	ok xenstore-write /rw/bin 'a\tb\001\000c\\d\x7f\x1b\n'
	ok xenstore-read /rw/bin
	stdout_is 'a\tb\001\000c\\d\x7f\x1b\n'
	# Bytes above '~' come back as \xHH.
	ok xenstore-write /rw/bin2 'x\x80\xff\ty'
	ok xenstore-read /rw/bin2
	stdout_is 'x\x80\xff\ty'
}

test_xenstore_read_returns_2000_byte_value() {
	local v i
	v=
	for i in $(seq 0 199); do
		v="$v$((i % 10))abcdefghi"
	done
	[ "${#v}" -eq 2000 ] || fail "test bug: value is ${#v} bytes"
	ok xenstore-write /rw/big "$v"
	ok xenstore-read /rw/big
	stdout_is "$v"
}

test_xenstore_exists_exit_status_tells_presence() {
	ok xenstore-write /rw/e x
	status 0 xenstore-exists /rw/e
	stdout_is
	stderr_is
	status 0 xenstore-exists /rw
	status 1 xenstore-exists /rw/nope
	stdout_is
	stderr_is
	# A missing parent too (ENOENT either way).
	status 1 xenstore-exists /rw/nope/deeper
	status 0 xenstore-exists /
}

test_xenstore_list_prints_children_in_creation_order() {
	ok xenstore-write /rw/l/zeta 1 /rw/l/alpha 2 /rw/l/mid/x 3
	ok xenstore-list /rw/l
	stdout_is zeta alpha mid
	ok xenstore-list -p /rw/l
	stdout_is /rw/l/zeta /rw/l/alpha /rw/l/mid
	ok xenstore-list /rw/l/zeta
	stdout_is
	status 1 xenstore-list /rw/l/none
	stderr_is "xenstore-list: could not list path /rw/l/none"
}

test_xenstore_ls_prints_tree_with_values() {
	ok xenstore-write /rw/t/a 1 /rw/t/b/c 2 /rw/t/b/d "x y" /rw/t/e ""
	ok xenstore-ls /rw/t
	stdout_is \
		'a = "1"' \
		'b = ""' \
		' c = "2"' \
		' d = "x y"' \
		'e = ""'
	ok xenstore-ls /rw
	stdout_is \
		't = ""' \
		' a = "1"' \
		' b = ""' \
		'  c = "2"' \
		'  d = "x y"' \
		' e = ""'
}

test_xenstore_ls_f_prints_full_paths() {
	ok xenstore-write /rw/t/a 1 /rw/t/b/c 2
	ok xenstore-ls -f /rw/t
	stdout_is \
		'/rw/t/a = "1"' \
		'/rw/t/b = ""' \
		'/rw/t/b/c = "2"'
}

test_xenstore_ls_p_prints_permissions() {
	ok xenstore-write /rw/t/a 1 /rw/t/b/c 2
	ok xenstore-ls -p /rw/t
	stdout_is \
		"$(ls_p_line 0 a 1 n0)" \
		"$(ls_p_line 0 b '' n0)" \
		"$(ls_p_line 1 c 2 n0)"
	# One line spelled out, to pin the filler itself.
	head -n 1 "$OUT" >"$TESTDIR/first"
	same_lines "first line" "$TESTDIR/first" \
		'a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)'
	ok xenstore-ls -f -p /rw/t
	stdout_is \
		'/rw/t/a = "1"   (n0)' \
		'/rw/t/b = ""   (n0)' \
		'/rw/t/b/c = "2"   (n0)'
}

test_xenstore_ls_of_fresh_daemon_shows_initial_tree() {
	ok xenstore-ls /
	stdout_is \
		'tool = ""' \
		' xenstored = ""'
}

test_xenstore_ls_of_missing_path_fails() {
	status 1 xenstore-ls /rw/none
	stdout_is
}

test_xenstore_rm_removes_whole_subtree() {
	ok xenstore-write /rw/r/x/y/z 1 /rw/r/x/w 2 /rw/r/keep 3
	ok xenstore-rm /rw/r/x
	stdout_is
	stderr_is
	status 1 xenstore-exists /rw/r/x
	status 1 xenstore-exists /rw/r/x/y/z
	ok xenstore-list /rw/r
	stdout_is keep
	ok xenstore-read /rw/r/keep
	stdout_is 3
}

test_xenstore_rm_of_missing_node_is_ok_only_if_parent_exists() {
	ok xenstore-write /rw/r/a 1
	status 0 xenstore-rm /rw/r/none
	status 1 xenstore-rm /rw/none/deeper
	stderr_is "xenstore-rm: could not remove path /rw/none/deeper"
}

test_xenstore_rm_t_removes_empty_parents() {
	ok xenstore-write /rw/tidy/a/b/c 1 /rw/tidy/keep 2
	ok xenstore-rm -t /rw/tidy/a/b/c
	status 1 xenstore-exists /rw/tidy/a
	ok xenstore-list /rw/tidy
	stdout_is keep
}

test_xenstore_chmod_sets_owner_and_grants() {
	ok xenstore-write /rw/p 1
	# Entry 0 is the owner and its letter the default for every other
	# domain; the rest are grants (kept for domains that do not exist).
	ok xenstore-chmod /rw/p n0 r5 w6 b7
	stdout_is
	ok xenstore-ls -f -p /rw
	stdout_is '/rw/p = "1"   (n0,r5,w6,b7)'
	ok xenstore-chmod /rw/p b0 r5
	ok xenstore-ls -p /rw
	stdout_is "$(ls_p_line 0 p 1 b0,r5)"
	ok xenstore-read /rw/p
	stdout_is 1
}

test_xenstore_chmod_to_nonexistent_owner_fails() {
	# Without a hypervisor only domain 0 exists, and an owner that does
	# not exist is ENOENT (facts 1.5, as the C daemon does); nothing
	# changes.
	ok xenstore-write /rw/p 1
	status 1 xenstore-chmod /rw/p r5 w6
	stderr_is "xenstore-chmod: Error occurred setting permissions on '/rw/p': No such file or directory"
	ok xenstore-ls -f -p /rw
	stdout_is '/rw/p = "1"   (n0)'
}

test_xenstore_chmod_r_applies_to_children() {
	ok xenstore-write /rw/c/a 1 /rw/c/b/d 2
	ok xenstore-chmod -r /rw/c b0 r3
	ok xenstore-ls -f -p /rw
	stdout_is \
		'/rw/c = ""   (b0,r3)' \
		'/rw/c/a = "1"   (b0,r3)' \
		'/rw/c/b = ""   (b0,r3)' \
		'/rw/c/b/d = "2"   (b0,r3)'
}

test_new_node_inherits_parent_permissions() {
	ok xenstore-write /rw/h 1
	ok xenstore-chmod /rw/h n0 r4
	ok xenstore-write /rw/h/child 2
	ok xenstore-ls -f -p /rw/h
	stdout_is '/rw/h/child = "2"   (n0,r4)'
}

test_relative_paths_land_under_local_domain_0() {
	ok xenstore-write rel/a 1 rel/b/c 2
	ok xenstore-read /local/domain/0/rel/a /local/domain/0/rel/b/c
	stdout_is 1 2
	ok xenstore-read rel/a
	stdout_is 1
	ok xenstore-list /local/domain/0/rel
	stdout_is a b
	ok xenstore-ls -f /local/domain/0
	stdout_is \
		'/local/domain/0/rel = ""' \
		'/local/domain/0/rel/a = "1"' \
		'/local/domain/0/rel/b = ""' \
		'/local/domain/0/rel/b/c = "2"'
	ok xenstore-rm rel/b
	status 1 xenstore-exists /local/domain/0/rel/b
	status 0 xenstore-exists rel/a
}

test_invalid_paths_are_rejected() {
	status 1 xenstore-write '/rw/a b' 1
	status 1 xenstore-write /rw//a 1
	status 1 xenstore-write /rw/a/ 1
	status 1 xenstore-read /local/domain/
	status 1 xenstore-exists /rw
}

# SPDX-License-Identifier: GPL-2.0-only
# Crash advisories (xenstore-facts §5.4): XSA-233, 414, 415, 418, 425,
# 440, 481, 484. Each makes the daemon walk the code path that crashed
# the C daemon (a double free, a use after free, an assert, deep
# recursion); under ASan or valgrind a memory error fails the run, here
# the daemon must survive, stay consistent (CONTROL check) and keep
# serving. Domain 5 attacks; domain 6 is the bystander (lib.sh).
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc: set by the helpers
# shellcheck disable=SC2034 # opts_*, RSS_SLACK_KB: read by run.sh, lib.sh

# die_together N...: the domains' states become "dying" at once, then a
# single dom_exc (VIRQ_DOM_EXC) reports them all.
die_together() {
	local n last
	for n in "$@"; do
		if ! printf dying >"$HV/dom$n/state.new" ||
		    ! mv "$HV/dom$n/state.new" "$HV/dom$n/state"; then
			fail "cannot mark dom$n dying"
		fi
		last=$n
	done
	ok "$XSGUEST" set-state "$last" dying
}

# XSA-233: a domain and its stub domain (SET_TARGET) destroyed together,
# or in either order, are torn down once each.
test_xsa233_stubdom_teardown() {
	local round n
	sec_begin --no-hostile
	for round in together target-first stub-first; do
		new_domain 10
		new_domain 11
		raw_is OK SET_TARGET 11 10
		ok "$XSGUEST" -D 10 req write data/x v
		# The stub domain acts for its target.
		guest_is 11 v read /local/domain/10/data/x
		guest_is 11 OK write /local/domain/10/data/y w
		guest_is 11 OK watch /local/domain/10/data t
		guest_is 10 OK watch /local/domain/11 t
		case $round in
		together) die_together 10 11 ;;
		target-first) die_together 10; die_together 11 ;;
		stub-first) die_together 11; die_together 10 ;;
		esac
		wait_until "dom10 released" 10 is_introduced_now 10 F
		wait_until "dom11 released" 10 is_introduced_now 11 F
		for n in 10 11; do
			ok "$XSGUEST" destroy "$n"
			raw_is "ERROR ENOENT" READ "/local/domain/$n/data"
			run xenstore-rm "/local/domain/$n"
		done
		alive_read
		store_check
		note "round $round: both released"
	done
	good_check "after the stub domain teardowns"
	sec_end 10 11
}

# XSA-414: a node creation that fails part way (quota, node size,
# permission) leaves nothing behind and the accounting exact.
opts_xsa414_create_error_path="-Q nodes=12"
test_xsa414_create_error_path() {
	sec_begin
	guest_is 5 OK write data/a v
	# 10 more nodes fit (quota 12, 2 used): a path of 14 new ones does not.
	guest_is 5 "ERROR ENOSPC" write data/b/c/d/e/f/g/h/i/j/k/l/m/n/o v
	guest_is 5 "ERROR ENOENT" read data/b
	[ "$(quota_used 5 nodes)" = 2 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes after the failure"
	# No permission part way: dom0's node inside the guest's home.
	ok xenstore-write /local/domain/5/data/ro ""
	ok xenstore-chmod /local/domain/5/data/ro n0 r5
	guest_is 5 "ERROR EACCES" write data/ro/p/q v
	raw_is "ERROR ENOENT" READ /local/domain/5/data/ro/p
	guest_is 5 "ERROR EACCES" mkdir data/ro/p
	ok xenstore-rm /local/domain/5/data/ro
	# Still exactly at 2, and room for exactly 10 more.
	[ "$(quota_used 5 nodes)" = 2 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, owns $(owned_nodes 5)"
	guest_is 5 OK write data/b/c/d/e/f/g/h/i/j/k v
	guest_is 5 "ERROR ENOSPC" write data/z v
	[ "$(owned_nodes 5)" = "$(quota_used 5 nodes)" ] ||
	    fail "dom5 owns $(owned_nodes 5) nodes, counted $(quota_used 5 nodes)"
	store_check
	good_check "after the failed creations"
	sec_end
}

# XSA-414 (node size): a creation whose new intermediate node would be
# over the node-size quota (its child list holds the next, long, name)
# fails as a whole, and leaves nothing behind.
test_xsa414_node_size_midpath() {
	local name
	sec_begin
	name=$(head -c 2040 /dev/zero | tr '\0' z)
	# Directly under an existing node: refused.
	guest_is 5 "ERROR ENOSPC" write "data/$name" v
	# Under a new node, two levels down: data/n would hold 16 + 8 + 2041
	# bytes.
	run "$XSGUEST" -D 5 req write "data/n/$name" v
	note "write data/n/<2040 characters>: $(cat "$OUT")"
	guest_is 5 "ERROR ENOENT" read data/n
	[ "$(owned_nodes 5)" = "$(quota_used 5 nodes)" ] ||
	    fail "dom5 owns $(owned_nodes 5) nodes, counted $(quota_used 5 nodes)"
	store_check
	good_check "after the failed creations"
	sec_end
}

# XSA-415: the same failures inside a transaction must not commit
# orphans (nodes whose parent is not there) nor unaccounted nodes.
opts_xsa415_tx_orphans="-Q nodes=12"
test_xsa415_tx_orphans() {
	local f end
	sec_begin
	guest_is 5 OK write data/a v
	f=$(script_from tx "txstart" "write data/t/1 v" \
	    "expect-error ENOSPC write data/b/c/d/e/f/g/h/i/j/k/l/m/n/o v" \
	    "write data/t/2 v" "req TRANSACTION_END T")
	guest_script 5 "$f"
	end=$(tail -n 1 "$OUT")
	note "commit after a failed multi-node creation: $end"
	guest_is 5 "ERROR ENOENT" read data/b
	if [ "$end" = OK ]; then
		guest_is 5 v read data/t/2
	else
		guest_is 5 "ERROR ENOENT" read data/t
	fi
	[ "$(owned_nodes 5)" = "$(quota_used 5 nodes)" ] ||
	    fail "dom5 owns $(owned_nodes 5) nodes, counted $(quota_used 5 nodes)"
	# The failure in the middle of a path, and a removal, in one
	# transaction, with dom0 racing on the same subtree.
	f=$(script_from tx2 "txstart" "write data/p/q v" \
	    "expect-error ENOSPC write data/p/q/r/s/t/u/v/w/x/y/z v" "rm data/a" \
	    "sleep 300" "req TRANSACTION_END T")
	spawn tx2 "$XSGUEST" -D 5 script "$f"
	sleep 0.1
	ok xenstore-write /local/domain/5/data/p x
	reap tx2
	note "racing commit: $(tail -n 1 "$TESTDIR/tx2.out")"
	raw_is "ERROR ENOENT" READ /local/domain/5/data/p/q/r
	[ "$(owned_nodes 5)" = "$(quota_used 5 nodes)" ] ||
	    fail "dom5 owns $(owned_nodes 5) nodes, counted $(quota_used 5 nodes)"
	store_check
	good_check "after the failed transactions"
	sec_end
}

# deep_path PREFIX LEVELS: PREFIX/a/a/... with LEVELS components.
deep_path() {
	local p=$1 i
	for ((i = 0; i < $2; i++)); do
		p=$p/a
	done
	echo "$p"
}

# XSA-418: trees as deep as paths allow (1-character components) are
# created, watched, listed and removed without recursion: by dom0 (1500
# levels) and by a guest in its home (1000 levels), in and out of
# transactions, and when the guest dies.
test_xsa418_deep_tree() {
	local deep gdeep round
	sec_begin
	deep=$(deep_path /deep 1500)
	ok xenstore-write /deep ""
	ok xenstore-chmod /deep n0 r5
	ok xenstore-write "$deep" bottom
	ok xenstore-write "$(deep_path /deep 1000)" mid
	# A guest's absolute paths are limited too (2048): 1000 levels.
	guest_is 5 mid read "$(deep_path /deep 1000)"
	guest_is 5 "ERROR EINVAL" read "$deep"
	guest_is 5 OK watch /deep d
	guest_is 5 OK watch "$(deep_path /deep 1000)" mid
	ok xenstore-rm /deep
	raw_is "ERROR ENOENT" READ /deep
	alive_read
	# In a transaction, from dom0.
	ok xenstore-write "$deep" again
	ok xenstore-rm /deep
	# The guest's own: data + 999 levels (2002 characters, relative; 1000
	# nodes, all its node quota allows).
	gdeep=$(deep_path data 999)
	# -R: the events of the removals above are still in dom5's ring.
	guest_is 5 OK -R write "$gdeep" g
	[ "$(quota_used 5 nodes)" = 1000 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, not 1000"
	# Removed in a transaction, then built again.
	guest_script 5 "$(script_from gt "txstart" "rm data/a" "txcommit")"
	[ "$(quota_used 5 nodes)" = 1 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes after the removal"
	guest_is 5 OK write "$(deep_path data 998)" h
	guest_is 5 h read "$(deep_path data 998)"
	guest_is 5 n5 GET_PERMS "$(deep_path data 998)"
	store_check
	# The guest dies with its deep tree.
	ok "$XSGUEST" destroy 5
	wait_until "dom5 released" 10 is_introduced_now 5 F
	raw_is "ERROR ENOENT" READ /local/domain/5/data/a
	not_spinning_ok
	good_check "after the deep trees"
	# The peak of 2500 nodes leaves the heap bigger (freed memory the
	# allocator keeps); doing it all again must not grow it further.
	rss_after_round
	for round in 1 2 3; do
		ok xenstore-write "$deep" again
		ok xenstore-rm /deep
	done
	rss_no_growth 512
	RSS_SLACK_KB=3072
	sec_end
}

# rss_after_round / rss_no_growth KB: VmRSS now, and later no more than
# KB above it.
rss_after_round() {
	rss_mark=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' \
	    "/proc/$XSTORED_PID/status")
}
rss_no_growth() {
	local now
	[ "$SEC_RSS" != 0 ] || return 0
	now=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' \
	    "/proc/$XSTORED_PID/status")
	note "VmRSS $rss_mark kB after the first round, $now kB after three more"
	[ "$now" -le $((rss_mark + $1)) ] ||
	    fail "VmRSS grew from $rss_mark to $now kB repeating the same work"
}

# not_spinning_ok: a quick liveness probe for long walks: the daemon
# answers at once.
not_spinning_ok() {
	local t0 t1
	t0=$(now_ms)
	alive_read
	t1=$(now_ms)
	note "a READ after the deep removals took $((t1 - t0)) ms"
}

# XSA-425: domains released and re-introduced (soft reset, kexec) while
# events for them and for others are being delivered, several in one
# go, never touch a freed connection.
test_xsa425_release_during_iteration() {
	local round n f
	sec_begin --no-hostile
	f=$(script_from wr "watch @releaseDomain r" "watch /sectest/m m" \
	    "watch data/x x" "write data/x 1")
	for n in 5 7 8; do
		new_domain "$n"
		guest_script "$n" "$f"
	done
	ok xenstore-chmod /sectest/m n0 r5 r7 r8 r6
	# dom0 changes /sectest/m all the time: events for every domain.
	for round in $(seq 300); do
		echo "WRITE /sectest/m $round"
	done >"$TESTDIR/m.in"
	loop_start flood "$XSRAW" -t 30000 batch <"$TESTDIR/m.in"
	wait_until "the flood runs" 20 loop_running flood
	for round in $(seq 8); do
		# Release 7 and 8 back to back, then bring them back.
		ok "$XSGUEST" release 7
		ok "$XSGUEST" release 8
		ok "$XSGUEST" introduce 7
		ok "$XSGUEST" introduce 8
		guest_script 7 "$f" -R
		guest_script 8 "$f" -R
		# Soft reset of 5: RELEASE and INTRODUCE at once, its page kept.
		printf '%s\n' "RELEASE 5" 'WRITE /local/domain/5/data ""' \
		    "SET_PERMS /local/domain/5/data n5" "INTRODUCE 5 1 5" \
		    >"$TESTDIR/sr.in"
		ok "$XSRAW" batch <"$TESTDIR/sr.in"
		[ "$(tail -n 1 "$OUT")" = OK ] || fail "re-INTRODUCE 5: $(cat "$OUT")"
		guest_script 5 "$f" -R
	done
	good_check "during releases and re-introductions"
	loop_stop flood
	alive_read
	store_check
	ok xenstore-chmod /sectest/m n0
	sec_end 5 7 8
}

# XSA-440: a transaction whose nodes were removed outside it meanwhile
# commits or fails cleanly: accounting never goes wrong (no assert, no
# negative counts).
test_xsa440_commit_after_remove() {
	local f variant
	sec_begin
	for variant in rm-parent rm-node rm-all; do
		guest_is 5 OK write data/t/x v
		f=$(script_from tx "txstart" "rm data/t/x" "write data/t/y v" \
		    "write data/t/z/w v" "sleep 300" "req TRANSACTION_END T")
		spawn tx "$XSGUEST" -D 5 script "$f"
		sleep 0.1
		case $variant in
		rm-parent) ok xenstore-rm /local/domain/5/data/t ;;
		rm-node) ok xenstore-rm /local/domain/5/data/t/x ;;
		rm-all) ok xenstore-rm /local/domain/5/data
			ok xenstore-write /local/domain/5/data ""
			ok xenstore-chmod /local/domain/5/data n5 ;;
		esac
		reap tx
		note "$variant: commit answered $(tail -n 1 "$TESTDIR/tx.out")"
		[ "$(owned_nodes 5)" = "$(quota_used 5 nodes)" ] ||
		    fail "$variant: dom5 owns $(owned_nodes 5) nodes," \
		    "counted $(quota_used 5 nodes)"
		store_check
		run "$XSGUEST" -D 5 req rm data/t
	done
	good_check "after the racing commits"
	sec_end
}

# XSA-481: "/local/domain/" (a trailing slash, empty last component) and
# its kin are invalid paths: EINVAL for every operation, from a guest and
# from dom0; nothing loops.
test_xsa481_trailing_slash() {
	local p
	sec_begin
	for p in /local/domain/ /local/domain// /local/ data/ data// \
	    /local/domain/5/ //local /local//domain; do
		guest_is 5 "ERROR EINVAL" read "$p"
		guest_is 5 "ERROR EINVAL" write "$p" x
		guest_is 5 "ERROR EINVAL" DIRECTORY "$p"
		guest_is 5 "ERROR EINVAL" RM "$p"
		guest_is 5 "ERROR EINVAL" GET_PERMS "$p"
		guest_is 5 "ERROR EINVAL" WATCH "$p" t
	done
	for p in /local/domain/ /local/domain// /tool/ /sectest/alive/; do
		raw_is "ERROR EINVAL" READ "$p"
		raw_is "ERROR EINVAL" WRITE "$p" x
		raw_is "ERROR EINVAL" DIRECTORY "$p"
		raw_is "ERROR EINVAL" RM "$p"
		raw_is "ERROR EINVAL" SET_PERMS "$p" n0
	done
	alive_read
	good_check "after the trailing slashes"
	sec_end
}

# XSA-484: RESET_WATCHES inside a transaction ends the transaction it
# names (and the others) cleanly; the stale id is ENOENT afterwards.
test_xsa484_reset_in_tx() {
	local i tx tx2
	sec_begin
	for i in $(seq 10); do
		tx=$("$XSGUEST" -D 5 req TRANSACTION_START) || fail "TRANSACTION_START"
		tx2=$("$XSGUEST" -D 5 req TRANSACTION_START) || fail "TRANSACTION_START"
		guest_is 5 OK --tx "$tx" write data/t v
		guest_is 5 OK --tx "$tx" WATCH data/w t
		guest_is 5 OK --tx "$tx" RESET_WATCHES
		guest_is 5 "ERROR ENOENT" --tx "$tx" RESET_WATCHES
		guest_is 5 "ERROR ENOENT" --tx "$tx" TRANSACTION_END T
		guest_is 5 "ERROR ENOENT" --tx "$tx2" TRANSACTION_END T
		guest_is 5 "ERROR ENOENT" --tx "$tx" write data/t2 v
		guest_is 5 OK RESET_WATCHES
	done
	guest_is 5 "ERROR ENOENT" read data/t
	[ "$(quota_used 5 transactions)" = 0 ] ||
	    fail "dom5 still has $(quota_used 5 transactions) transactions"
	[ "$(quota_used 5 watches)" = 0 ] ||
	    fail "dom5 still has $(quota_used 5 watches) watches"
	mem_snapshot mid
	[ "$(cut -d' ' -f3 "$TESTDIR/mem.mid")" = 0 ] ||
	    fail "$(cut -d' ' -f3 "$TESTDIR/mem.mid") transactions left open"
	good_check "after the resets"
	sec_end
}

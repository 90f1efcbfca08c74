# SPDX-License-Identifier: GPL-2.0-only
# Live update with socket clients attached: xstored -> xstored.
# shellcheck shell=bash

# file_has FILE LINE: FILE has exactly that line (for wait_until).
file_has() {
	grep -qxF -- "$2" "$1" 2>/dev/null
}

test_lu_socket_clients_carry_tree_watches_and_pending_data() {
	new_domain 3
	ok xenstore-write /a/b hello /a/c world /local/domain/3/data/x 1
	ok xenstore-chmod /a/b n0 r3
	ok "$XSCONTROL" quota set nodes 900
	watch_start /a
	watch_next /a
	# A request half sent, and replies queued but not read.
	lu_client half "$TESTDIR/go" /a/half done >"$TESTDIR/half.out" 2>&1 &
	lu_client unread "$TESTDIR/go" /a/b 200 >"$TESTDIR/unread.out" 2>&1 &
	wait_until "half sent" 10 file_has "$TESTDIR/half.out" half
	wait_until "reads sent" 10 file_has "$TESTDIR/unread.out" sent
	snapshot "$TESTDIR/before" 0 3
	live_update
	snapshot "$TESTDIR/after" 0 3
	same_snapshot "$TESTDIR/before" "$TESTDIR/after"
	touch "$TESTDIR/go"
	wait_until "the half request answered" 10 \
	    file_has "$TESTDIR/half.out" OK
	wait_until "the unread replies read" 10 \
	    file_has "$TESTDIR/unread.out" "read 200 hello"
	ok xenstore-read /a/half
	stdout_is done
	# The watcher saw the half request's write, then ours.
	watch_next /a/half
	ok xenstore-write /a/c again
	watch_next /a/c
	store_check
}

test_lu_repeated_fifty_times_with_a_watcher() {
	local i rounds=${LU_ROUNDS:-50}
	new_domain 4
	ok xenstore-write /r/n 0 /local/domain/4/data/v x
	watch_start /r
	watch_next /r
	snapshot "$TESTDIR/first" 0 4
	for ((i = 1; i <= rounds; i++)); do
		live_update
		ok xenstore-write /r/n "$i"
		watch_next /r/n
	done
	ok xenstore-write /r/n 0
	watch_next /r/n
	snapshot "$TESTDIR/last" 0 4
	same_snapshot "$TESTDIR/first" "$TESTDIR/last"
	store_check
	note "$rounds updates in a row, the watcher saw every write"
}

test_lu_waits_for_transactions_then_refuses_or_forces() {
	local t0
	ok xenstore-write /t/x 1
	lu_client tx "$TESTDIR/go" /t/x >"$TESTDIR/tx.out" 2>&1 &
	wait_until "transaction open" 10 grep -q '^tx ' "$TESTDIR/tx.out"
	# No -F: after the timeout, 4.17's text naming the domain.
	t0=$(now_ms)
	run "$XSCONTROL" live-update -t 2 "$XSTORED"
	[ "$rc" -ne 0 ] || fail "the update went ahead"
	[ $(($(now_ms) - t0)) -ge 1900 ] || fail "it did not wait 2 s"
	grep -q 'Domains with long running transactions:' "$ERR" ||
	    fail "no reason: $(cat "$ERR")"
	grep -q '^Domain 0: [0-9]* s' "$ERR" || fail "no domain: $(cat "$ERR")"
	[ ! -e "$XENSTORED_RUNDIR/state_dump" ] || fail "a dump was left"
	ok xenstore-read /t/x
	stdout_is 1
	# -F: the transaction is lost, as in C; its client gets ENOENT.
	live_update -F -t 1
	touch "$TESTDIR/go"
	wait_until "the old transaction refused" 10 \
	    file_has "$TESTDIR/tx.out" "ERROR ENOENT"
	store_check
}

test_lu_new_transactions_wait_while_an_update_waits() {
	lu_client tx "$TESTDIR/go" /w/x >"$TESTDIR/tx.out" 2>&1 &
	wait_until "transaction open" 10 grep -q '^tx ' "$TESTDIR/tx.out"
	local lu_pid
	timeout 30 "$XSCONTROL" live-update -F -t 3 "$XSTORED" \
	    >"$TESTDIR/lu.out" 2>&1 &
	lu_pid=$!
	sleep 0.5
	# A new transaction started now is held until the update is done.
	lu_client tx "$TESTDIR/go2" /w/y >"$TESTDIR/tx2.out" 2>&1 &
	sleep 1
	grep -q '^tx ' "$TESTDIR/tx2.out" && fail "a transaction started" \
	    "while the update waited"
	wait "$lu_pid" || fail "the forced update failed: $(cat "$TESTDIR/lu.out")"
	wait_until "the held transaction started" 10 \
	    grep -q '^tx ' "$TESTDIR/tx2.out"
	touch "$TESTDIR/go2"
	wait_until "its write" 10 file_has "$TESTDIR/tx2.out" OK
	store_check
}

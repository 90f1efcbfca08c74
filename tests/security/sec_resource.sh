# SPDX-License-Identifier: GPL-2.0-only
# Resource exhaustion advisories (xenstore-facts §5.3): XSA-206, 272, 326
# (several tests: unread replies, event floods, the memory quota, huge
# transactions), 330, 416, 421. Domain 5 attacks; domain 6 is the
# bystander (lib.sh).
# shellcheck shell=bash
# shellcheck disable=SC2034 # opts_*: read by run.sh
# shellcheck disable=SC2154 # rc, loop_count: set by the helpers

# tool_tx LABEL READPATH MAXTRIES: dom0 runs 20 transactions that read
# READPATH and write a node of its own, retrying on EAGAIN; each must
# commit within MAXTRIES attempts.
tool_tx() {
	CLIENT_TIMEOUT=60 run "$XSRAW" -t "$(scaled 20000)" \
	    tx 20 "$2" /sectest/tool "$3"
	[ "$rc" -le 1 ] || { show_outputs xs_raw tx; fail "xs_raw tx broke"; }
	note "$1: toolstack transactions: $(cat "$OUT") (most attempts, total)"
	[ "$rc" -eq 0 ] || fail "$1: a toolstack transaction starved:" \
	    "$(cat "$OUT") (most attempts, total; limit $3)"
}

# XSA-206: a guest that writes all the time must not starve the
# toolstack's transactions that read its nodes (EAGAIN forever). Against
# a guest committing transactions of its own, the daemon's priority for
# a client that lost three commits in a row bounds the attempts tightly;
# against plain writes (which no transaction can hold back) the bound is
# loose: timing decides, and a loaded machine widens the window.
test_xsa206_write_starvation() {
	local i
	sec_begin
	guest_is 5 OK write data/hot 0
	guest_is 5 OK write data/txhot 0
	for i in $(seq 1000); do
		echo "txstart"
		echo "write data/txhot $i"
		echo "try-txcommit"
	done >"$TESTDIR/txhot.txt"
	loop_start hot "$XSGUEST" -T 60 -D 5 script "$TESTDIR/txhot.txt"
	wait_until "the writer runs" 20 loop_running hot
	tool_tx "transactional writer" /local/domain/5/data/txhot 8
	good_check "during the transaction flood"
	loop_stop hot
	for i in $(seq 2000); do
		echo "write data/hot $i"
	done >"$TESTDIR/hot.txt"
	loop_start hot "$XSGUEST" -T 60 -D 5 script "$TESTDIR/hot.txt"
	wait_until "the writer runs" 20 loop_running hot
	tool_tx "plain writer" /local/domain/5/data/hot 10
	good_check "during the write flood"
	loop_stop hot
	ok xenstore-rm /sectest/tool
	sec_end
}

# XSA-272: every way of creating nodes is counted against the node
# quota: implicit parents of a deep WRITE, MKDIR, creations inside a
# transaction; the guest never owns more than its quota.
opts_xsa272_create_quota="-Q nodes=30"
test_xsa272_create_quota() {
	local i used owned
	sec_begin
	{
		for i in $(seq 12); do
			echo "req write data/p$i/q/r/s v"
			echo "req mkdir data/m$i"
		done
		echo "txstart"
		for i in $(seq 12); do
			echo "req write data/t$i/u/v v"
		done
		echo "req TRANSACTION_END T"
	} >"$TESTDIR/fill.txt"
	guest_script 5 "$TESTDIR/fill.txt"
	grep -q "ERROR ENOSPC" "$OUT" || { show_outputs; fail "no ENOSPC"; }
	used=$(quota_used 5 nodes)
	owned=$(owned_nodes 5)
	note "dom5: $owned nodes owned, $used counted, quota 30"
	[ "$owned" -le 30 ] || fail "dom5 owns $owned nodes, over its quota 30"
	[ "$used" = "$owned" ] || fail "dom5 owns $owned nodes but $used are counted"
	store_check
	good_check "with dom5 at its node quota"
	sec_end
}

# XSA-326 (unread replies): a guest that sends requests and never reads
# a reply stops being read once 20 replies wait (the outstanding quota):
# the daemon takes a bounded number of its requests and does not grow.
test_xsa326_unread_replies() {
	local consumed growth
	sec_begin
	# Small replies (ENOENT): how many requests does the daemon take?
	spawn hostile "$XSGUEST" -T 30 -D 5 scenario hostile no-read \
	    --path data/none --duration 2500
	wait_until "dom5 sends requests" 10 page_word_is_not 5 2052 0
	good_check "while dom5 does not read"
	if quota_counted 5 outstanding; then
		[ "$(quota_used 5 outstanding)" -le 20 ] ||
		    fail "dom5 has $(quota_used 5 outstanding) outstanding replies"
	fi
	reap hostile
	consumed=$(sed -n 's/^consumed //p' "$TESTDIR/hostile.out")
	growth=$(mem_growth)
	note "small replies: the daemon took $consumed requests; talloc +$growth B"
	# 20 outstanding + what fits in the reply ring (1024 / 23) + slack.
	[ "$consumed" -le 80 ] ||
	    fail "the daemon took $consumed requests from a guest that reads" \
	    "no reply (outstanding quota 20: want at most 80)"
	# Large replies (4000 bytes): the queue stays small too.
	ok xenstore-write /sectest/big "$(head -c 4000 /dev/zero | tr '\0' b)"
	ok xenstore-chmod /sectest/big n0 r5
	spawn hostile "$XSGUEST" -T 30 -R -D 5 scenario hostile no-read \
	    --path /sectest/big --duration 2000
	wait_until "dom5 sends requests" 10 page_word_is_not 5 2052 0
	sleep 1
	growth=$(mem_growth)
	reap hostile
	consumed=$(sed -n 's/^consumed //p' "$TESTDIR/hostile.out")
	note "4000-byte replies: the daemon took $consumed requests; talloc +$growth B"
	[ "$consumed" -le 25 ] ||
	    fail "the daemon took $consumed requests for 4000-byte replies"
	[ "$growth" -le $((24 * 4096 + 32768)) ] ||
	    fail "the daemon grew by $growth bytes for one non-reading guest"
	# A reconnection drops what was queued: only its nodes are charged.
	guest_is 5 OK -R write data/after v
	mem_small 5 4096
	ok xenstore-rm /sectest/big
	sec_end
}

# XSA-326 (a dom0 client that never reads): the socket's output queue
# is bounded too (about 1 MiB, then the client's requests wait): the
# daemon does not grow with the requests sent.
test_xsa326_socket_no_read() {
	local growth sent
	sec_begin
	ok xenstore-write /sectest/big "$(head -c 4000 /dev/zero | tr '\0' b)"
	spawn noread "$XSRAW" -t "$(scaled 20000)" noread /sectest/big 4
	wait_until "the non-reader is stuck" 30 grep -q '^sent' "$TESTDIR/noread.out"
	sent=$(sed -n 's/^sent //p' "$TESTDIR/noread.out")
	growth=$(mem_growth)
	note "dom0 non-reader: $sent READs of 4000 bytes sent; talloc +$growth B"
	[ "$growth" -le $((1024 * 1024 + 256 * 1024)) ] ||
	    fail "the daemon holds $growth bytes for one non-reading client"
	good_check "while a dom0 client does not read"
	alive_read
	reap noread
	ok xenstore-rm /sectest/big
	sec_end
}

# flood_events N PATH: dom0 writes PATH N times over one connection.
flood_events() {
	local i
	for i in $(seq "$1"); do
		echo "WRITE $2 $i"
	done >"$TESTDIR/flood.in"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/flood.in"
}

# big_watcher: domain 5 watches data/ev with a 2000-byte token, then
# never reads again (its guest process is gone).
big_watcher() {
	local tok
	tok=$(head -c 2000 /dev/zero | tr '\0' k)
	guest_script 5 "$(script_from bw "write data/ev 0" "watch data/ev $tok" \
	    "expect-event data/ev $tok")"
}

# XSA-326 (event flood, memory quota): events for a guest that does not
# read them are dropped once its memory is over the quota; the daemon
# does not grow past it.
opts_xsa326_event_flood="-Q memory=262144"
test_xsa326_event_flood() {
	local growth used
	sec_begin
	big_watcher
	# 1000 events of about 2 KB: 2 MB if all were kept.
	flood_events 1000 /local/domain/5/data/ev
	good_check "after 1000 events to a non-reader"
	growth=$(mem_growth)
	note "talloc +$growth B after 2 MB of events for dom5 (memory quota 256 KiB)"
	if quota_counted 5 memory; then
		used=$(quota_used 5 memory)
		note "dom5's memory usage: $used"
		[ "$used" -le 262144 ] || fail "dom5 uses $used bytes, quota 262144"
	fi
	[ "$growth" -le $((262144 + 131072)) ] ||
	    fail "the daemon holds $growth bytes more for dom5's unread" \
	    "events (memory quota 262144)"
	# The guest comes back and is served; its queue is gone.
	guest_is 5 OK -R write data/after v
	mem_small 5 8192
	sec_end
}

# XSA-326 (event timeout): events a guest has not read within the
# watch-event timeout are dropped: the daemon's memory comes back down
# while the guest is still there.
opts_xsa326_event_timeout="-w watch-event=2"
test_xsa326_event_timeout() {
	local growth i
	sec_begin
	big_watcher
	flood_events 200 /local/domain/5/data/ev
	growth=$(mem_growth)
	note "talloc +$growth B right after 200 events (about 400 KB) to dom5"
	[ "$growth" -ge 100000 ] ||
	    note "(the events were not all queued: the check below is weak)"
	for ((i = 0; i < 40; i++)); do
		growth=$(mem_growth)
		[ "$growth" -le 16384 ] && break
		sleep 0.25
	done
	note "talloc +$growth B $((i / 4)) s later"
	[ "$growth" -le 16384 ] ||
	    fail "unread events still held after 10 s (timeout 2 s): +$growth B"
	introduced 5
	mem_small 5 8192
	good_check "after the timeout"
	guest_is 5 OK -R write data/after v
	sec_end
}

# XSA-326 (memory quota): a request that would take a guest's memory
# over its quota fails with ENOMEM; the rest of the daemon is unaffected.
opts_xsa326_memory_quota="-Q memory=65536"
test_xsa326_memory_quota() {
	local i v okays used
	sec_begin
	v=$(head -c 1500 /dev/zero | tr '\0' m)
	for i in $(seq 100); do
		echo "req write data/q/n$i $v"
	done >"$TESTDIR/mem.txt"
	guest_script 5 "$TESTDIR/mem.txt"
	okays=$(grep -c '^OK$' "$OUT")
	note "dom5: $okays of 100 writes of 1500 bytes accepted (memory quota 64 KiB)"
	grep -q "^ERROR ENOMEM$" "$OUT" ||
	    fail "150 KB of nodes under a 64 KiB memory quota: no ENOMEM"
	[ "$okays" -le 44 ] || fail "$okays writes of 1500 bytes accepted"
	if quota_counted 5 memory; then
		used=$(quota_used 5 memory)
		[ "$used" -le 65536 ] || fail "dom5 uses $used bytes, quota 65536"
	fi
	# Freeing makes room again.
	guest_is 5 OK RM data/q
	guest_is 5 OK write data/again "$v"
	good_check "with dom5 at its memory quota"
	sec_end
}

# XSA-326 (huge transactions): a transaction may touch at most
# transaction-nodes nodes; past that it fails, and nothing of it lands.
opts_xsa326_huge_transaction="-Q transaction-nodes=50"
test_xsa326_huge_transaction() {
	local i
	sec_begin
	{
		echo "txstart"
		for i in $(seq 60); do
			echo "req write data/h$i v"
		done
		echo "req TRANSACTION_END T"
	} >"$TESTDIR/huge.txt"
	guest_script 5 "$TESTDIR/huge.txt"
	grep -q "ERROR ENOSPC" "$OUT" || { show_outputs; fail "no ENOSPC"; }
	[ "$(tail -n 1 "$OUT")" != OK ] ||
	    fail "the over-sized transaction committed"
	guest_is 5 "ERROR ENOENT" read data/h1
	[ "$(quota_used 5 transactions)" = 0 ] || fail "a transaction stayed open"
	good_check "after the huge transaction"
	sec_end
}

# XSA-330: RESET_WATCHES (and a reconnection) removes watches from every
# index: no leak in a watch+reset loop, no phantom events afterwards.
test_xsa330_reset_watches_leak() {
	local i
	sec_begin
	{
		for i in $(seq 150); do
			echo "watch data/w$((i % 10)) t$i"
			echo "watch /local/domain/5/data/x$i a$i"
			echo "watch @releaseDomain r$i"
			echo "reset-watches"
		done
		# Initial events sent before each reset: legitimately ours.
		echo "req GET_DOMAIN_PATH 5"
		echo "drop-events"
		echo "watch data/marker m"
		echo "expect-event data/marker m"
		echo "write data/w1 v"
		echo "write data/x7 v"
		echo "write data/marker 1"
		echo "expect-event data/marker m"
		echo "expect-no-event data/w1 t1"
		echo "expect-no-event data/w1 t11"
		echo "expect-no-event /local/domain/5/data/x7 a7"
		echo "reset-watches"
	} >"$TESTDIR/reset.txt"
	guest_script 5 "$TESTDIR/reset.txt"
	mem_snapshot mid
	[ "$(cut -d' ' -f2 "$TESTDIR/mem.mid")" = 0 ] ||
	    fail "$(cut -d' ' -f2 "$TESTDIR/mem.mid") watches left after RESET_WATCHES"
	[ "$(quota_used 5 watches)" = 0 ] || fail "dom5 still charged for watches"
	# The same with a reconnection (kexec) instead of RESET_WATCHES.
	for i in $(seq 100); do
		echo "watch data/k$i k$i"
	done >"$TESTDIR/kexec.txt"
	guest_script 5 "$TESTDIR/kexec.txt"
	[ "$(quota_used 5 watches)" = 100 ] || fail "100 watches not counted"
	guest_is 5 OK -R write data/k1 v
	mem_snapshot mid
	[ "$(cut -d' ' -f2 "$TESTDIR/mem.mid")" = 0 ] ||
	    fail "$(cut -d' ' -f2 "$TESTDIR/mem.mid") watches left after a reconnection"
	# A dom0 watcher on one of the paths is not disturbed.
	bg_start w0 "$XSRAW" -t 60000 watch /local/domain/5/data/k2 k2
	bg_next w0 "/local/domain/5/data/k2 k2"
	guest_is 5 OK write data/k2 v
	bg_next w0 "/local/domain/5/data/k2 k2"
	bg_stop w0
	good_check "after the watch/reset loop"
	sec_end
}

# XSA-416: a request's scratch memory (here a 1900-byte WRITE) is freed
# when its reply is built, not when the guest reads the reply: unread
# small replies cost about their own size.
test_xsa416_request_scratch() {
	local consumed growth inring waiting
	sec_begin
	spawn hostile "$XSGUEST" -T 30 -D 5 scenario hostile no-read \
	    --path data/s --size 1900 --duration 2000
	wait_until "dom5 sends requests" 10 page_word_is_not 5 2052 0
	sleep 1.5
	growth=$(mem_growth)
	reap hostile
	consumed=$(sed -n 's/^consumed //p' "$TESTDIR/hostile.out")
	# Replies "OK" are 19 bytes: those wholly in the ring cost nothing.
	inring=$(((($(page_word 5 2060) - $(page_word 5 2056)) & 0xffffffff) / 19))
	waiting=$((consumed - inring))
	note "dom5's 1900-byte writes: $consumed taken, $inring replies in" \
	    "the ring, $waiting queued; talloc +$growth B"
	if [ "$waiting" -gt 10 ]; then
		[ $((growth / waiting)) -lt 1000 ] ||
		    fail "$((growth / waiting)) bytes held per unread reply" \
		    "to a 1900-byte request"
	fi
	[ "$growth" -le $((waiting * 1000 + 32768)) ] ||
	    fail "talloc +$growth B for $waiting unread replies"
	good_check "after the unread writes"
	sec_end
}

# XSA-421: creating and deleting nodes in one transaction is accounted
# exactly; a transaction that would go over the node quota fails as a
# whole; a conflicting one leaves nothing behind.
opts_xsa421_tx_accounting="-Q nodes=20"
test_xsa421_tx_accounting() {
	local i f
	sec_begin
	{
		echo "txstart"
		for i in a b c d e f g h; do
			echo "write data/t/$i v"
		done
		echo "rm data/t"
		for i in 1 2 3; do
			echo "write data/u/$i v"
		done
		echo "rm data/u/2"
		echo "txcommit"
	} >"$TESTDIR/cd.txt"
	guest_script 5 "$TESTDIR/cd.txt"
	[ "$(quota_used 5 nodes)" = 4 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, owns $(owned_nodes 5)"
	[ "$(owned_nodes 5)" = 4 ] || fail "dom5 owns $(owned_nodes 5) nodes, not 4"
	# Over the quota inside a transaction: the whole of it fails.
	{
		echo "txstart"
		for i in $(seq 25); do
			echo "req write data/v/$i v"
		done
		echo "req TRANSACTION_END T"
	} >"$TESTDIR/over.txt"
	guest_script 5 "$TESTDIR/over.txt"
	[ "$(tail -n 1 "$OUT")" != OK ] || {
		[ "$(owned_nodes 5)" -le 20 ] ||
		    fail "an over-quota transaction committed: $(owned_nodes 5) nodes"
	}
	[ "$(quota_used 5 nodes)" = "$(owned_nodes 5)" ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, owns $(owned_nodes 5)"
	run "$XSGUEST" -D 5 req rm data/v
	[ "$(quota_used 5 nodes)" = 4 ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, owns $(owned_nodes 5)"
	# A conflict: nothing of the transaction lands.
	f=$(script_from conf "txstart" "write data/c1 v" "read data/u/1" \
	    "sleep 500" "write data/c2 v" "expect-error EAGAIN txcommit")
	spawn conf "$XSGUEST" -D 5 script "$f"
	sleep 0.2
	ok xenstore-write /local/domain/5/data/u/1 changed
	reap conf
	guest_is 5 "ERROR ENOENT" read data/c1
	[ "$(quota_used 5 nodes)" = "$(owned_nodes 5)" ] ||
	    fail "dom5 counted $(quota_used 5 nodes) nodes, owns $(owned_nodes 5)"
	store_check
	good_check "after the transactions"
	sec_end
}

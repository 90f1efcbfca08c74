# SPDX-License-Identifier: GPL-2.0-only
# The original race (2014): hvmloader used to zero the ring page by hand
# while the daemon might be reading it. Such a guest may at worst get its own
# connection stopped with the error indicator set; the daemon never crashes
# and other domains see no difference. The same guest using the connection
# word instead never loses a request.
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc, loop_count: set by the helpers

# Domains 5 (the racer) and 6 (a bystander, which also writes the marker a
# dom0 watcher uses to prove that no @releaseDomain came).
race_setup() {
	new_domain 5
	new_domain 6
	ok "$XSGUEST" -D 5 req write data/keep kept
	bg_start w "$XSRAW" -t 120000 watch @releaseDomain r \
	    /local/domain/6/data/m m
	bg_next w "@releaseDomain r"
	bg_next w "/local/domain/6/data/m m"
}

# Nothing outside domain 5's own connection changed.
race_check() {
	daemon_alive
	ok "$XSGUEST" -D 6 req write data/m last
	bg_next w "/local/domain/6/data/m m"
	bg_stop w
	introduced 5
	ok xenstore-read /local/domain/5/data/keep
	stdout_is kept
	# dom0 was served throughout too.
	for i in 1 2 3; do
		ok xenstore-write "/dom0/after$i" "$i"
		ok xenstore-read "/dom0/after$i"
		stdout_is "$i"
	done
	store_check
}

test_sim_zero_race_stops_at_worst_the_racing_guest() {
	local rounds=0 errs
	race_setup
	rw_loop_start other 6 50
	wait_until "domain 6 runs" 20 loop_running other
	# Rounds of a request in flight, then the first 2064 bytes of the page
	# zeroed with no handshake. Each run reports the error word it found
	# (0, or 2 when the daemon saw the indexes move backwards), then
	# revives the ring by reconnecting; the next run starts from there.
	: >"$TESTDIR/race.log"
	for run in 1 2 3 4 5; do
		CLIENT_TIMEOUT=60 run "$XSGUEST" -T 50 -D 5 scenario hostile zero-race -n 200
		cat "$ERR" >>"$TESTDIR/race.log"
		[ "$rc" -eq 0 ] || { cat "$ERR" >&2; fail "zero-race run $run: status $rc"; }
		rounds=$((rounds + 200))
		# dom0 meanwhile.
		ok xenstore-write /dom0/during "$run"
		ok xenstore-read /dom0/during
		stdout_is "$run"
	done
	# Every report names a state the daemon may leave: running (0), or
	# stopped with the ring-index error (2: the indexes went backwards) or
	# the protocol error (3: a header torn between the old and the new
	# stream announced an oversized packet). Never COMM or anything else.
	errs=$(sed -n 's/.*zero-race: .* error word \([0-9]*\) .*/\1/p' "$TESTDIR/race.log" | sort -u | xargs)
	[ "$(grep -c 'zero-race: .* error word' "$TESTDIR/race.log")" -eq 5 ] ||
	    fail "not every zero-race run reported its error word"
	for e in $errs; do
		case $e in
		0 | 2 | 3) ;;
		*) cat "$TESTDIR/race.log" >&2
		   fail "zero-race reported error word $e" ;;
		esac
	done
	rw_loop_stop other 6 50
	note "zero-race: $rounds rounds by dom5 (error words seen: $errs)" \
	    "while dom6 completed $loop_count verified runs of 100 requests"
	race_check
}

test_sim_connection_word_reconnects_never_lose_a_request() {
	local rounds=500 r hex sent got
	race_setup
	rw_loop_start other 6 50
	wait_until "domain 6 runs" 20 loop_running other
	# Each round: a WRITE in flight (raw bytes, no wait), the reconnection
	# handshake at once, then a write and its read back. The in-flight
	# request may be served before the reset or dropped by it; either
	# way, after the handshake no stale byte may reach the guest, and
	# every request made on the fresh connection gets its own reply.
	for ((r = 1; r <= rounds; r++)); do
		hex=$(printf 'data/f/k%d\0f%d' $((r % 8)) "$r" | od -An -v -tx1 | tr -d ' \n')
		printf 'raw 0b000000 %08x 00000000 %02x000000 %s\n' \
		    $((0x10000000 + r)) $((${#hex} / 2)) "$hex"
		echo reconnect
		echo "write data/r/k$((r % 8)) w$r"
		echo "expect-read data/r/k$((r % 8)) w$r"
	done >"$TESTDIR/word.txt"
	CLIENT_TIMEOUT=100 ok "$XSGUEST" -T 90 -v -D 5 script "$TESTDIR/word.txt"
	sent=$(grep -c '^xs-guest: -> ' "$ERR")
	got=$(grep -c '^xs-guest: <- ' "$ERR")
	if [ "$sent" -ne $((rounds * 2)) ] || [ "$got" -ne "$sent" ]; then
		fail "$sent requests, $got replies"
	fi
	if grep -E 'dropping|skipped' "$ERR" >&2; then
		fail "a stale reply reached the guest after a reconnection"
	fi
	# The ring ends clean and the error word was never needed.
	echo reconnect >"$TESTDIR/reconnect.txt"
	ok "$XSGUEST" -D 5 script "$TESTDIR/reconnect.txt"
	expect_fresh_page 5
	for ((r = rounds - 7; r <= rounds; r++)); do
		ok xenstore-read "/local/domain/5/data/r/k$((r % 8))"
		stdout_is "w$r"
	done
	rw_loop_stop other 6 50
	note "$rounds reconnections with a request in flight, $sent requests" \
	    "and replies after them; dom6 completed $loop_count verified runs"
	race_check
}

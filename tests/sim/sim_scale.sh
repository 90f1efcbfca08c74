# SPDX-License-Identifier: GPL-2.0-only
# Many guests at once: a thousand simulated domains connected together, and
# ten thousand reconnections of one guest while fifty others read and write.
# Sizes: SIM_DOMAINS (1000), SIM_RECONNECTS (10000, a multiple of 100),
# SIM_OTHERS (50); SIM_JOBS (nproc) xs-guest processes run at once while
# the thousand domains are created and make their requests, and
# SIM_REQUEST_EVERY (1; 10 with a
# sanitizer build of xs-guest) picks which of them do. Each test prints its
# timings as notes.
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc, loop_count: set by the helpers

# in_stripes FIRST LAST STEP CMD: runs "CMD i" for i = FIRST, FIRST+STEP,
# ... up to LAST, in SIM_JOBS (nproc) processes at once.
in_stripes() {
	local first=$1 last=$2 step=$3 cmd=$4 jobs=${SIM_JOBS:-$(nproc)}
	local j i pids=() st=0 p
	for ((j = 0; j < jobs; j++)); do
		(
			for ((i = first + j * step; i <= last; i += jobs * step)); do
				"$cmd" "$i"
			done
		) &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || st=1
	done
	[ "$st" -eq 0 ] || fail "$cmd failed for a domain in $first..$last"
}

create_domain() {
	timeout -k 2 "$CLIENT_TIMEOUT" "$XSGUEST" create "$1" || fail "create $1"
}

# Guest N writes data/v = vN through its ring.
write_own_value() {
	[ "$(timeout -k 2 "$CLIENT_TIMEOUT" "$XSGUEST" -D "$1" \
	    req write data/v "v$1")" = OK ] || fail "domain $1: write"
}

# toolstack_lines N: what `xs-guest introduce N` sends, as xs_raw batch
# lines: the home in the trimmed libxl form, then INTRODUCE.
toolstack_lines() {
	local h=/local/domain/$1
	printf '%s\n' "WRITE $h \"\"" "SET_PERMS $h n0 r$1" \
	    "WRITE $h/data \"\"" "SET_PERMS $h/data n$1" \
	    "WRITE $h/control \"\"" "SET_PERMS $h/control n0 r$1" \
	    "WRITE $h/control/platform-feature-xs_reset_watches 1" \
	    "SET_PERMS $h/control/platform-feature-xs_reset_watches n0 r$1" \
	    "INTRODUCE $1 1 1"
}

test_sim_thousand_domains_connect_answer_and_release() {
	local n=${SIM_DOMAINS:-1000} step=${SIM_REQUEST_EVERY:-1} i t0 t1 t2 t3 t4
	# A sanitizer build of xs-guest takes ~40 ms to start, so there only
	# every tenth guest makes its request (all 1000 are introduced).
	if [ "$step" -eq 1 ] && grep -qa __asan_init "$XSGUEST"; then
		step=10
	fi
	# One dom0 connection sees every @introduceDomain and @releaseDomain;
	# a marker written after each phase closes it, so the whole output
	# can be compared at the end.
	spawn ev "$XSRAW" -t 280000 watch @introduceDomain i @releaseDomain r \
	    /marker m
	wait_until "the watcher's initial events" 10 \
	    grep -qx "/marker m" "$TESTDIR/ev.out"

	# The hypervisor creates each domain (xs-guest create); the
	# toolstack, one dom0 connection, writes each home and introduces it,
	# as xs-guest introduce does.
	t0=$(now_ms)
	in_stripes 1 "$n" 1 create_domain
	for ((i = 1; i <= n; i++)); do
		toolstack_lines "$i"
	done >"$TESTDIR/intro.in"
	CLIENT_TIMEOUT=120 ok "$XSRAW" batch <"$TESTDIR/intro.in"
	[ "$(grep -cx OK "$OUT")" -eq $((n * 9)) ] ||
	    fail "a toolstack request failed: $(grep -vx OK "$OUT" | head -3)"
	t1=$(now_ms)
	ok xenstore-write /marker 1
	# All introduced at once.
	for ((i = 1; i <= n; i++)); do
		echo "IS_DOMAIN_INTRODUCED $i" >&5
		echo T >&6
	done 5>"$TESTDIR/is.in" 6>"$TESTDIR/is.want"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/is.in"
	cmp -s "$TESTDIR/is.want" "$OUT" || fail "not every domain is introduced"
	ok xenstore-list /local/domain
	sort -n "$OUT" >"$TESTDIR/ls.got"
	seq 1 "$n" >"$TESTDIR/ls.want"
	cmp -s "$TESTDIR/ls.want" "$TESTDIR/ls.got" ||
	    fail "xenstore-list /local/domain does not list domains 1..$n"

	# The guests answer: a write of their own through their rings.
	t2=$(now_ms)
	in_stripes 1 "$n" "$step" write_own_value
	t3=$(now_ms)
	for ((i = 1; i <= n; i += step)); do
		echo "READ /local/domain/$i/data/v" >&5
		echo "v$i" >&6
	done 5>"$TESTDIR/rd.in" 6>"$TESTDIR/rd.want"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/rd.in"
	cmp -s "$TESTDIR/rd.want" "$OUT" || fail "a domain's value is wrong"
	daemon_alive

	# All released, in one dom0 connection.
	t4=$(now_ms)
	seq 1 "$n" | sed 's/^/RELEASE /' >"$TESTDIR/rel.in"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/rel.in"
	[ "$(grep -cx OK "$OUT")" -eq "$n" ] || fail "a RELEASE failed"
	note "$n domains: created and introduced in $((t1 - t0)) ms;" \
	    "$(((n + step - 1) / step)) guests made a request each in" \
	    "$((t3 - t2)) ms; all released in $(($(now_ms) - t4)) ms"
	ok xenstore-write /marker 2
	sed 's/^T$/F/' "$TESTDIR/is.want" >"$TESTDIR/isf.want"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/is.in"
	cmp -s "$TESTDIR/isf.want" "$OUT" || fail "a domain is still introduced"
	# Their own nodes went with them.
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/rd.in"
	[ "$(grep -cx "ERROR ENOENT" "$OUT")" -eq "$(wc -l <"$TESTDIR/rd.in")" ] ||
	    fail "a released domain's data/v is still there"

	# The watcher saw exactly one event per domain and phase.
	wait_until "the watcher's third marker" 30 \
	    test "$(grep -cx "/marker m" "$TESTDIR/ev.out")" -eq 3
	kill "${BG_PID[ev]}" 2>/dev/null
	{
		printf '%s\n' "@introduceDomain i" "@releaseDomain r" "/marker m"
		for ((i = 1; i <= n; i++)); do echo "@introduceDomain i"; done
		echo "/marker m"
		for ((i = 1; i <= n; i++)); do echo "@releaseDomain r"; done
		echo "/marker m"
	} >"$TESTDIR/ev.want"
	cmp -s "$TESTDIR/ev.want" "$TESTDIR/ev.out" ||
	    fail "watch events differ: $(diff "$TESTDIR/ev.want" "$TESTDIR/ev.out" | head -5)"
	daemon_alive
	store_check
}

# storm_batch FILE B PER: the script of batch B of the reconnecting guest:
# PER reconnections, each but the last followed by a write of its own and
# the read back; the script ends with a reconnection, so the page is left
# exactly as the daemon's reset made it.
storm_batch() {
	local file=$1 b=$2 per=$3 j
	for ((j = 1; j < per; j++)); do
		echo reconnect
		echo "write data/s/k$((j % 8)) s-b$b-r$j"
		echo "expect-read data/s/k$((j % 8)) s-b$b-r$j"
	done >"$file"
	echo reconnect >>"$file"
}

test_sim_ten_thousand_reconnections_leave_other_guests_intact() {
	local total=${SIM_RECONNECTS:-10000} others=${SIM_OTHERS:-50} per=100
	local batches b i t0 t1 tb rounds=100 sent got runs=0 slow=0
	batches=$((total / per))
	new_domains 1 $((others + 1))
	# The others (domains 2..others+1) read and write their own values in
	# loops until the storm is over, 10 ms apart. Unpaced, fifty guests
	# keep the daemon's control socket full (net.unix.max_dgram_qlen is 10)
	# and xs-guest drops a notify that meets a full queue, so the storm
	# guest's single notify per reconnection is lost and it waits for the
	# daemon's 2-s rescan almost every time (guest_sim_notify treats
	# EAGAIN as harmless, but the daemon learns which domain to serve only
	# from that datagram).
	for ((i = 2; i <= others + 1; i++)); do
		rw_loop_start "o$i" "$i" "$rounds" 10
	done
	for ((i = 2; i <= others + 1; i++)); do
		wait_until "other guest $i runs" 60 loop_running "o$i"
	done

	# The storm: domain 1 reconnects $total times, $per per guest process.
	# After each process the page must be exactly fresh; within one, each
	# reconnection is followed by a request whose reply must be its own
	# (-v traces every packet: no stale reply may surface).
	t0=$(now_ms)
	for ((b = 1; b <= batches; b++)); do
		storm_batch "$TESTDIR/storm.txt" "$b" "$per"
		tb=$(now_ms)
		CLIENT_TIMEOUT=70 run "$XSGUEST" -T 60 -v -D 1 script "$TESTDIR/storm.txt"
		[ $(($(now_ms) - tb)) -lt 1000 ] || slow=$((slow + 1))
		if [ "$rc" -ne 0 ]; then
			tail -n 20 "$ERR" >&2
			fail "storm batch $b: xs-guest exited $rc"
		fi
		expect_fresh_page 1
		sent=$(grep -c '^xs-guest: -> ' "$ERR")
		got=$(grep -c '^xs-guest: <- ' "$ERR")
		if [ "$sent" -ne $(((per - 1) * 2)) ] || [ "$got" -ne "$sent" ]; then
			fail "storm batch $b: $sent requests, $got replies"
		fi
		if grep -E 'dropping|skipped' "$ERR" >&2; then
			fail "storm batch $b: a stale reply after a reconnection"
		fi
	done
	t1=$(now_ms)
	daemon_alive

	loops_signal $(seq -f 'o%g' 2 $((others + 1)))
	for ((i = 2; i <= others + 1; i++)); do
		rw_loop_stop "o$i" "$i" "$rounds"
		runs=$((runs + loop_count))
	done
	note "$total reconnections of domain 1 in $((t1 - t0)) ms" \
	    "($batches guest processes, $slow of them over 1 s), while" \
	    "$others other guests completed $runs runs of $((rounds * 2))" \
	    "verified requests"
	# The storm guest's own values of its last batch are all there.
	for ((i = 0; i < 8; i++)); do
		ok xenstore-read "/local/domain/1/data/s/k$i"
		stdout_is "s-b$batches-r$((per - 1 - ((per - 1 - i) % 8)))"
	done
	introduced 1
	store_check
}

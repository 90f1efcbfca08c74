# SPDX-License-Identifier: GPL-2.0-only
# Ring and framing advisories (xenstore-facts §5.1): XSA-38, 72, 324, 325,
# 420. Domain 5 attacks over its ring page (or dom0 over the socket);
# domain 6 is the bystander (lib.sh).
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc: set by the helpers

# le32 V: V as 8 hex digits, little-endian (a word for `raw`).
le32() {
	printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
	    $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# hdr TYPE REQ_ID LEN: a request header for `raw` (tx_id 0).
hdr() {
	echo "$(le32 "$1") $(le32 "$2") 00000000 $(le32 "$3")"
}

# error_word_becomes N WANT: the error word of dom N's page becomes WANT.
error_word_becomes() {
	wait_until "error word $2 on dom$1's page (now $(page_word "$1" 2072))" \
	    10 page_word_is "$1" 2072 "$2"
}

# revive N: the guest's own reconnection restarts its stopped ring; the
# error word is 0 again and its data is still there.
revive() {
	guest_is "$1" kept -R read data/keep
	[ "$(page_word "$1" 2072)" = 0 ] || fail "error word not cleared"
}

# cpu_ticks: the daemon's user + system time, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$XSTORED_PID/stat"
}

# not_spinning SECONDS: the daemon, idle, uses under half a CPU meanwhile.
not_spinning() {
	local t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks)
	sleep "$1"
	t1=$(cpu_ticks)
	[ $((t1 - t0)) -lt $((hz * $1 / 2)) ] ||
	    fail "the daemon used $(((t1 - t0) * 100 / hz)) ticks/100 of CPU" \
	    "in $1 s while idle: spinning"
	note "daemon CPU while idle after the attack: $((t1 - t0)) ticks in $1 s"
}

# XSA-38: indexes the guest controls must never steer a copy out of the
# ring: request indexes far apart, a response consumer ahead of the
# producer, an oversized length, and the legal full-ring case.
test_xsa38_bad_indexes() {
	local v f big
	sec_begin
	ok "$XSGUEST" -D 5 req write data/keep kept
	# The built-in scenario: req_prod = req_cons + 2000, error 2, revival.
	ok "$XSGUEST" -D 5 scenario hostile bad-index
	# By hand: requests "pending" 1025 bytes .. 4 GiB - 1 ahead.
	for v in 1025 4096 65536 2147483648 4294967295; do
		page_set_word 5 2052 $(((v + $(page_word 5 2048)) & 0xffffffff))
		ok "$XSRAW" notify "$HV" 5
		error_word_becomes 5 2
		good_check "with dom5's ring stopped (req_prod +$v)"
		revive 5
	done
	# A response consumer 3000 bytes ahead of the producer: the daemon's
	# next reply must find it and stop, not write "backwards".
	f=$(script_from rsp "poke 2056 3000" "raw $(hdr 2 1 10) $(printf 'data/keep' | od -An -tx1 | tr -d ' \n')00")
	ok "$XSGUEST" -R -D 5 script "$f"
	error_word_becomes 5 2
	revive 5
	# The length word of a header over 4096: error 3 before any payload.
	ok "$XSGUEST" -D 5 scenario hostile oversize
	# Legal extremes: a request that fills the request ring exactly
	# (16 + 1008 bytes) and a reply that fills the response ring exactly.
	big=$(head -c 998 /dev/zero | tr '\0' f)
	f=$(script_from full "write data/f $big" "expect-read data/f $big" \
	    "write data/g $big$(printf '%010d' 0)" \
	    "expect-read data/g $big$(printf '%010d' 0)")
	guest_script 5 "$f" -R
	[ "$(page_word 5 2072)" = 0 ] || fail "a full ring was taken for an error"
	guest_is 5 kept read data/keep
	introduced 5
	alive_read
	sec_end
}

# XSA-72: a reply that would be over 4096 bytes is replaced by E2BIG
# (guest and dom0), and DIRECTORY_PART still lists everything. A guest's
# own directories cannot get that big (node-size quota), so dom0 makes a
# readable one, as a toolstack's shared directory would be.
test_xsa72_big_reply() {
	local i name
	sec_begin
	name=$(head -c 60 /dev/zero | tr '\0' n)
	{
		echo "WRITE /sectest/big x"
		echo "SET_PERMS /sectest/big n0 r5"
		for i in $(seq 80); do
			echo "WRITE /sectest/big/$name$i x"
		done
	} >"$TESTDIR/big.in"
	ok "$XSRAW" batch <"$TESTDIR/big.in"
	guest_is 5 x read "/sectest/big/${name}1"
	guest_is 5 "ERROR E2BIG" DIRECTORY /sectest/big
	raw_is "ERROR E2BIG" DIRECTORY /sectest/big
	# DIRECTORY_PART works for the guest: the first part has names.
	run "$XSGUEST" -D 5 req DIRECTORY_PART /sectest/big 0
	if [ "$rc" -ne 0 ] || ! grep -q "${name}1" "$OUT"; then
		show_outputs DIRECTORY_PART
		fail "DIRECTORY_PART failed"
	fi
	# libxenstore's client gets the whole list through DIRECTORY_PART.
	ok xenstore-list /sectest/big
	[ "$(wc -l <"$OUT")" = 80 ] || fail "xenstore-list gave $(wc -l <"$OUT") names"
	good_check "after the E2BIG replies"
	ok xenstore-rm /sectest/big
	sec_end
}

# XSA-324: an event longer than 4096 bytes (a near-maximal token and a
# long path) is dropped; the daemon survives and the watch still works.
test_xsa324_huge_token() {
	local tok long f
	sec_begin
	tok=$(head -c 4000 /dev/zero | tr '\0' t)
	long=data/w/$(head -c 150 /dev/zero | tr '\0' l)
	f=$(script_from huge "watch data/w $tok" "expect-event data/w $tok" \
	    "watch data/m m" "expect-event data/m m" \
	    "write $long x" "write data/m 1" "expect-event data/m m" \
	    "expect-no-event $long $tok" \
	    "write data/w short" "expect-event data/w $tok" \
	    "write data/m 2" "expect-event data/m m" "events")
	guest_script 5 "$f"
	# `events` printed what was left: nothing.
	[ ! -s "$OUT" ] || { show_outputs; fail "unexpected events left"; }
	# The same from dom0's socket: a watcher with a huge token.
	bg_start w0 "$XSRAW" -t 60000 watch /local/domain/5/data/w "$tok" \
	    /sectest/m m
	bg_next w0 "/local/domain/5/data/w $tok"
	bg_next w0 "/sectest/m m"
	ok "$XSGUEST" -D 5 req write "$long" y
	ok xenstore-write /sectest/m 1
	bg_next w0 "/sectest/m m"
	bg_stop w0
	good_check "after the dropped events"
	sec_end
}

# XSA-325: ring protocol errors stop the connection only; the domain is
# not released: no @releaseDomain, its home and nodes stay.
test_xsa325_proto_error_keeps_domain() {
	local hex
	sec_begin
	ok "$XSGUEST" -D 5 req write data/keep kept
	bg_start rel "$XSRAW" -t 60000 watch @releaseDomain r /sectest/m m
	bg_next rel "@releaseDomain r"
	bg_next rel "/sectest/m m"
	# Bad indexes, then (revived) an oversized header, then garbage.
	page_set_word 5 2052 $(($(page_word 5 2048) + 2000))
	ok "$XSRAW" notify "$HV" 5
	error_word_becomes 5 2
	ok "$XSGUEST" -R -D 5 script "$(script_from over "raw $(hdr 11 1 5000)")"
	error_word_becomes 5 3
	hex=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
	ok "$XSGUEST" -R -D 5 script "$(script_from junk "raw $(hdr 2 1 4096) $hex")"
	sleep 0.3
	# Nothing happened to the domain.
	introduced 5
	ok xenstore-read /local/domain/5/data/keep
	stdout_is kept
	ok xenstore-ls /local/domain/5
	stdout_has_line '^control = ""'
	ok xenstore-write /sectest/m 1
	bg_next rel "/sectest/m m"	# no @releaseDomain came first
	good_check "with dom5's ring stopped"
	revive 5
	# The watcher does see the real release.
	ok "$XSGUEST" release 5
	bg_next rel "@releaseDomain r"
	bg_stop rel
	sec_end
}

# XSA-420: lengths of 2 GiB and more (negative as signed) are refused as
# any length over 4096: the ring stops with error 3, a socket client is
# disconnected, and nothing spins.
test_xsa420_negative_length() {
	local v
	sec_begin
	ok "$XSGUEST" -D 5 req write data/keep kept
	for v in 4097 1073741824 2147483648 2147483647 4294967295; do
		ok "$XSGUEST" -R -D 5 script \
		    "$(script_from neg "raw $(hdr 11 7 "$v") 64617461")"
		error_word_becomes 5 3
		revive 5
	done
	for v in 2147483648 4294967295 4294967280; do
		run "$XSRAW" raw "$(hdr 2 1 "$v" | tr -d ' ')"
		stdout_is closed
	done
	not_spinning 2
	good_check "after the negative lengths"
	sec_end
}

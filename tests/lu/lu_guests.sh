# SPDX-License-Identifier: GPL-2.0-only
# Live update with simulated guests attached (--hypervisor=sim): their
# rings are taken over on the same ports, nothing written to the pages.
# shellcheck shell=bash

# A guest that is mid-conversation across the update: a watch set before
# it, an event and requests after it.
guest_script() {
	cat <<EOS
write data/x before
watch data/x tok
expect-event data/x tok
write data/ready 1
sleep $2
expect-event data/x tok
expect-read data/x after-$1
write data/y done
expect-read data/y done
EOS
}

test_lu_hundred_guests_mid_conversation_with_watches() {
	local n=${LU_GUESTS:-100} i pids=() t0
	new_domains 1 "$n"
	for ((i = 1; i <= n; i++)); do
		guest_script "$i" 8000 >"$TESTDIR/g$i.script"
		"$XSGUEST" -t 30000 -D "$i" script "$TESTDIR/g$i.script" \
		    >"$TESTDIR/g$i.out" 2>&1 &
		pids+=($!)
	done
	for ((i = 1; i <= n; i++)); do
		wait_until "guest $i ready" 30 xenstore-read \
		    "/local/domain/$i/data/ready"
	done
	snapshot "$TESTDIR/before" 0 1 "$n"
	t0=$(now_ms)
	live_update
	note "update with $n guests: $(($(now_ms) - t0)) ms"
	snapshot "$TESTDIR/after" 0 1 "$n"
	same_snapshot "$TESTDIR/before" "$TESTDIR/after"
	for ((i = 1; i <= n; i++)); do
		ok xenstore-write "/local/domain/$i/data/x" "after-$i"
	done
	for ((i = 0; i < n; i++)); do
		wait "${pids[$i]}" || fail "guest $((i + 1)):" \
		    "$(cat "$TESTDIR/g$((i + 1)).out")"
	done
	store_check
}

test_lu_guest_reconnects_its_ring_right_after_the_update() {
	new_domain 7
	ok "$XSGUEST" -D 7 req WRITE data/k v1
	live_update
	# The handshake first thing after the update: a fresh ring that works.
	ok "$XSGUEST" -R -D 7 req READ data/k
	stdout_is v1
	ok "$XSGUEST" -D 7 req WRITE data/k v2
	ok xenstore-read /local/domain/7/data/k
	stdout_is v2
	introduced 7
	store_check
}

test_lu_guest_release_after_the_update_fires_release_domain() {
	new_domain 8
	watch_start @releaseDomain
	watch_next @releaseDomain
	live_update
	ok "$XSGUEST" destroy 8
	watch_next @releaseDomain
	not_introduced 8
	store_check
}

# SPDX-License-Identifier: GPL-2.0-only
# Quotas that only a guest over its ring can exercise: the memory a domain
# makes the daemon hold (its nodes, watches, transactions and queued output)
# is counted, bounded by its memory quota and given back; a guest that
# does not read its replies stops being read after its outstanding quota;
# a domain the store only learnt of is forgotten when it dies.
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc: set by the helpers

# quota_used N NAME: prints the "used" figure of NAME in `quota N`.
quota_used() {
	"$XSCONTROL" quota "$1" | sed -n "s/^$2 *: *\([0-9]*\) \/.*/\1/p"
}

# memory_is_at_most N BYTES (for wait_until)
memory_is_at_most() {
	local m
	m=$(quota_used "$1" memory)
	[ -n "$m" ] && [ "$m" -le "$2" ]
}

# value N: N bytes of 'v'.
value() {
	head -c "$1" /dev/zero | tr '\0' v
}

test_sim_quota_memory_follows_guest_nodes_and_goes_with_release() {
	local m0 m1 m2
	new_domain 5
	m0=$(quota_used 5 memory)
	[ "${m0:-0}" -gt 0 ] || fail "no memory charged for dom5's home ($m0)"
	for i in 1 2 3 4 5; do
		ok "$XSGUEST" -D 5 req write "data/sub/n$i" "$(value 1500)"
	done
	m1=$(quota_used 5 memory)
	[ "$m1" -ge $((m0 + 7500)) ] || fail "5 x 1500 bytes charged as $((m1 - m0))"
	# A watch and an open transaction are charged too, until they go.
	ok "$XSGUEST" -D 5 script - <<-'EOF'
		watch data/sub/n1 tok
		txstart
		write data/sub/t "a value held by the transaction"
		req GET_DOMAIN_PATH 5
	EOF
	m2=$(quota_used 5 memory)
	[ "$m2" -gt "$m1" ] || fail "watch + transaction not charged ($m1 -> $m2)"
	# The reconnection drops the watch and the transaction.
	ok "$XSGUEST" -R -D 5 req rm data/sub
	[ "$(quota_used 5 memory)" = "$m0" ] ||
	    fail "after rm and reconnection: $(quota_used 5 memory), not $m0"
	ok "$XSGUEST" -D 5 req write data/again "$(value 1000)"
	ok "$XSGUEST" release 5
	status 3 "$XSCONTROL" quota 5
	stderr_is "Error 2 when trying to execute command."
	store_check
}

test_sim_quota_memory_hard_limit_refuses_with_enomem() {
	local m0
	new_domain 5
	new_domain 6
	m0=$(quota_used 5 memory)
	raw_is OK SET_QUOTA 5 memory $((m0 + 3000))
	ok "$XSGUEST" -D 5 req write data/a "$(value 1500)"
	status 1 "$XSGUEST" -D 5 req write data/b "$(value 1500)"
	stdout_is "ERROR ENOMEM"
	# Nothing of the refused write stayed; shrinking and removing work.
	status 1 "$XSGUEST" -D 5 req read data/b
	stdout_is "ERROR ENOENT"
	ok "$XSGUEST" -D 5 req write data/a small
	ok "$XSGUEST" -D 5 req write data/b "$(value 1000)"
	memory_is_at_most 5 $((m0 + 3000)) || fail "over its quota"
	# Another domain and dom0 are not limited by domain 5's quota.
	ok "$XSGUEST" -D 6 req write data/a "$(value 2000)"
	ok xenstore-write /local/domain/5/data/bydom0 "$(value 2000)"
	store_check
}

test_sim_quota_outstanding_stops_reading_a_guest_that_does_not_read() {
	local m0
	new_domain 5
	new_domain 6
	m0=$(quota_used 5 memory)
	ok "$XSGUEST" -D 5 scenario hostile no-read --duration 1500
	# 20 replies wait beyond what the full ring holds; no more are read.
	[ "$(quota_used 5 outstanding)" = 20 ] ||
	    fail "outstanding is $(quota_used 5 outstanding), not 20"
	memory_is_at_most 5 $((m0 + 20 * 200)) ||
	    fail "queued replies hold $(quota_used 5 memory) bytes"
	ok "$XSGUEST" -D 6 req write data/x served
	daemon_alive
	# The guest's reconnection drops the queue and its charge.
	ok "$XSGUEST" -R -D 5 req read data
	[ "$(quota_used 5 outstanding)" = 0 ] || fail "outstanding not reset"
	[ "$(quota_used 5 memory)" = "$m0" ] ||
	    fail "memory $(quota_used 5 memory) after reconnection, not $m0"
	store_check
}

test_sim_quota_events_beyond_the_memory_quota_are_dropped() {
	local m0 mw i
	new_domain 5
	m0=$(quota_used 5 memory)
	# dom0's nodes that dom5 may read: their events are charged to dom5,
	# the nodes are not. The watch stays after the guest process exits;
	# nobody reads.
	ok xenstore-write /evt ""
	ok xenstore-chmod /evt n0 r5
	ok "$XSGUEST" -D 5 req watch /evt tok
	mw=$(quota_used 5 memory)
	raw_is OK SET_QUOTA 5 memory $((mw + 4000))
	# Each write makes a different event: identical queued ones are
	# merged (as in C), which would not fill anything.
	for ((i = 0; i < 300; i++)); do
		echo "WRITE /evt/e$i event-number-$i"
	done | "$XSRAW" batch >/dev/null || fail "dom0's writes failed"
	daemon_alive
	memory_is_at_most 5 $((mw + 4000)) ||
	    fail "queued events hold $(quota_used 5 memory) bytes, quota $((mw + 4000))"
	[ "$(quota_used 5 memory)" -gt $((mw + 2000)) ] ||
	    fail "events were not queued at all ($(quota_used 5 memory))"
	ok xenstore-read /evt/e299
	stdout_is event-number-299
	ok "$XSGUEST" -R -D 5 req read /evt/e299
	[ "$(quota_used 5 memory)" -le "$mw" ] ||
	    fail "memory $(quota_used 5 memory) after reconnection, above $mw"
	[ "$(quota_used 5 memory)" -ge "$m0" ] || fail "charged below its nodes"
	store_check
}

test_sim_quota_domain_known_only_by_permissions_is_forgotten_on_death() {
	ok "$XSGUEST" create 7
	ok xenstore-write /shared v
	ok xenstore-chmod /shared n0 r7
	ok "$XSCONTROL" quota 7
	ok "$XSGUEST" destroy 7
	wait_until "dom7 forgotten" 10 sh -c "! '$XSCONTROL' quota 7"
	ok xenstore-ls -p /shared
	stdout_lacks r7
	# A new domain 7 does not inherit the old grant (XSA-322).
	new_domain 7
	status 1 "$XSGUEST" -D 7 req read /shared
	stdout_is "ERROR EACCES"
	store_check
}

# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the live-update tests (sourced, never run). The simulator
# suite's helpers come first (tests/sim/lib.sh: guests, background
# clients, wait_until), then:
#   live_update [ARG...]  xenstore-control live-update ARG... $XSTORED:
#                         must print nothing and exit 0 (the OK came from
#                         the new process); the dump must be gone after
#   snapshot FILE [DOMID...]  the tree with permissions, the global quotas
#                         and each domain's usage and quotas
#   same_snapshot A B     the two are identical (a diff otherwise)
#   lu_client ARG...      tests/lu/lu_client.py (raw socket clients)
# shellcheck shell=bash

# shellcheck source=tests/sim/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sim/lib.sh"

: "${XENSTORED_RUNDIR:?}"
LU_CLIENT=$(dirname "${BASH_SOURCE[0]}")/lu_client.py

live_update() {
	run timeout -k 2 "$(scaled 60)" "$XSCONTROL" live-update "$@" \
	    "$XSTORED"
	if [ "$rc" -ne 0 ]; then
		show_outputs xenstore-control live-update "$@" "$XSTORED"
		fail "live update failed (status $rc)"
	fi
	[ ! -e "$XENSTORED_RUNDIR/state_dump" ] ||
	    fail "the dump is still there after the update"
	daemon_alive
}

snapshot() {
	local out=$1 id
	shift
	{
		xenstore-ls -p /
		"$XSCONTROL" quota
		for id in "$@"; do
			"$XSCONTROL" quota "$id"
		done
	} >"$out" 2>&1 || fail "snapshot into $out"
}

same_snapshot() {
	if ! diff -u "$1" "$2" >"$TESTDIR/snapshot.diff"; then
		cat "$TESTDIR/snapshot.diff"
		fail "the state changed across the update"
	fi
}

lu_client() {
	"$LU_CLIENT" "$@"
}

# SPDX-License-Identifier: GPL-2.0-only
# Live update between Debian's C xenstored 4.17 and xstored, both ways,
# without Xen: C runs under bench/xenshim.so (as the benchmarks run it),
# preloaded for the whole chain since the exec keeps the environment
# (xstored, with no hypervisor, calls none of it). The runner's own
# daemon is not used here: the chain has its own directory and socket.
# shellcheck shell=bash

C_XENSTORED=${C_XENSTORED:-/usr/lib/xen-4.17/bin/xenstored}

# Starts C xenstored in $TESTDIR/c; sets CDIR, CPID and the clients'
# environment (XENSTORED_PATH, XENSTORED_RUNDIR) to its socket.
start_c() {
	CDIR=$TESTDIR/c
	mkdir -p "$CDIR/run" "$CDIR/lib"
	printf 1 >"$CDIR/xsd_port"
	head -c 4096 /dev/zero >"$CDIR/xsd_kva"
	[ -x "$C_XENSTORED" ] || fail "no $C_XENSTORED"
	[ -f "$BUILD/bench/xenshim.so" ] || fail "no $BUILD/bench/xenshim.so"
	export XENSTORED_PATH=$CDIR/socket XENSTORED_RUNDIR=$CDIR/run
	# Under SANITIZE=1 the xstored the chain execs is an ASan build, and
	# the shim (not sanitized) would be preloaded before ASan's runtime.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    XSBENCH_DIR=$CDIR LD_PRELOAD=$BUILD/bench/xenshim.so \
	    "$C_XENSTORED" -N >"$CDIR/log" 2>&1 </dev/null &
	CPID=$!
	wait_until "C xenstored answers" 10 xenstore-read /tool/xenstored
}

# cross_update LABEL ARG...: one update of the chain, then the tree is
# the one saved in $TESTDIR/tree and the process is the same.
cross_update() {
	local label=$1
	shift
	run timeout -k 2 "$(scaled 60)" "$XSCONTROL" live-update "$@"
	if [ "$rc" -ne 0 ]; then
		show_outputs live-update "$@"
		tail -20 "$CDIR/log"
		fail "$label: the update failed (status $rc)"
	fi
	kill -0 "$CPID" 2>/dev/null || fail "$label: the daemon is gone"
	[ ! -e "$CDIR/run/state_dump" ] || fail "$label: the dump is left"
	xenstore-ls -p / >"$TESTDIR/now" 2>&1 || fail "$label: xenstore-ls"
	same_snapshot "$TESTDIR/tree" "$TESTDIR/now"
}

test_lu_c_to_xstored_to_c_to_xstored_with_clients() {
	local step v=0
	start_c
	ok xenstore-write /a/b hello /a/c world /deep/x/y/z 1
	ok xenstore-chmod /a/b n0 r0
	watch_start /a
	watch_next /a
	lu_client unread "$TESTDIR/go" /a/c 50 >"$TESTDIR/unread.out" 2>&1 &
	wait_until "reads sent" 10 grep -qx sent "$TESTDIR/unread.out"
	for step in "C -> xstored" "xstored -> C" "C -> xstored" \
	    "xstored -> C" "C -> xstored"; do
		v=$((v + 1))
		ok xenstore-write /a/b "v$v"
		watch_next /a/b
		xenstore-ls -p / >"$TESTDIR/tree" 2>&1
		case $step in
		"C -> xstored")
			# 4.17's argv (-N) plus -U is fine for xstored.
			cross_update "$step" "$XSTORED" ;;
		*)
			cross_update "$step" -c -N "$C_XENSTORED" ;;
		esac
	done
	# The replies queued before the first update all arrived.
	touch "$TESTDIR/go"
	wait_until "the unread replies read" 10 \
	    grep -qx "read 50 world" "$TESTDIR/unread.out"
	ok xenstore-write /a/c last
	watch_next /a/c
	store_check
	grep -q 'unknown state record 78730001' "$CDIR/log" ||
	    fail "C did not see (and skip) xstored's extra records"
	kill "$CPID"
	note "C -> xstored -> C -> xstored -> C -> xstored, one watcher"
}

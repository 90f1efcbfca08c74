#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench.sh: runs every workload against xstored, Debian's C xenstored and
# oxenstored (through xenshim.so) and the null server, each run in a fresh
# daemon and a fresh temp dir, and writes medians.
#
# Usage: bench.sh [--smoke] [--runs N] [--out FILE]
#   --smoke   each workload once at a small size, xstored and the null
#             server, plus point read/write against each reference daemon
#             (when installed) so the shim is exercised; asserts only that
#             every run produced numbers (make check)
#   --runs N  runs per (workload, daemon), median reported (default 5)
#   --out F   the Markdown table (default: stdout); raw lines go to F.raw
# Env: BENCH_BIN (xsbench, xsbench-lib, nullsrv, xenshim.so), XSTORED,
#      XSGUEST (optional: the simulated-guest rows, sim.sh and reconn.sh),
#      BENCH_ROWS (optional: only these row names; "sim" for sim.sh and
#      reconn.sh, "reconn" for reconn.sh alone, "lu" for the live-update
#      rows, lu.sh).
# Every client run is bounded by timeout(1); a daemon that does not start
# or a client that fails makes the script exit non-zero.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${BENCH_BIN:?}" "${XSTORED:?}"
smoke=0 runs=5 out=
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 runs=1 ;;
	--runs) runs=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: bench.sh [--smoke] [--runs N] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done
XEN=/usr/lib/xen-4.17/bin
refs=
for d in cxenstored:xenstored oxenstored:oxenstored; do
	[ -x "$XEN/${d#*:}" ] && refs="$refs ${d%%:*}"
done
# 1,000 watcher connections plus the daemon's own.
# shellcheck disable=SC3045 # dash and bash both have ulimit -n and -H
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -H -n)"

tmp=$(mktemp -d /tmp/xsbench.XXXXXX)
raw=${out:+$out.raw}
raw=${raw:-$tmp/raw}
: >"$raw"
dpid=
cleanup() {
	if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# alive PID: running and not yet a zombie (the daemon is not our child:
# run-one.sh started it, so init reaps it, sometimes a second later).
alive() {
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" != Z ]
}

# row NAME DAEMONS CLIENT ARGS...: one measured row, RUNS runs per daemon,
# each against a freshly started daemon.  CLIENT is raw (xsbench) or lib.
row() {
	wl=$1 ds=$2 client=$3
	shift 3
	case " ${BENCH_ROWS:-$wl} " in
	*" $wl "*) ;;
	*) return 0 ;;
	esac
	for daemon in $ds; do
		r=0
		while [ $r -lt "$runs" ]; do
			r=$((r + 1))
			dir=$tmp/$daemon.$r
			started=$(BENCH_BIN=$BENCH_BIN XSTORED=$XSTORED \
			    "$here/run-one.sh" "$daemon" "$dir") || exit 1
			dpid=${started%% *} sock=${started#* } fail=0
			if [ "$client" = lib ]; then
				XENSTORED_PATH=$sock timeout 300 \
				    "$BENCH_BIN/xsbench-lib" --pid "$dpid" \
				    --tag "$wl" "$@" >"$tmp/out" || fail=1
			else
				timeout 300 "$BENCH_BIN/xsbench" --socket "$sock" \
				    --pid "$dpid" --tag "$wl" "$@" \
				    >"$tmp/out" || fail=1
			fi
			kill "$dpid" 2>/dev/null || true
			i=0
			while alive "$dpid" && [ $i -lt 100 ]; do
				sleep 0.05
				i=$((i + 1))
			done
			kill -9 "$dpid" 2>/dev/null || true
			dpid=
			rm -rf "$dir"
			if [ $fail = 1 ] ||
			    ! grep -q '^RESULT .*ops_s=[0-9]' "$tmp/out"; then
				echo "bench.sh: $wl on $daemon produced no numbers" >&2
				exit 1
			fi
			sed "s/^RESULT /$daemon /" "$tmp/out" >>"$raw"
		done
	done
}

all="xstored$refs null"
daemons="xstored$refs"
if [ $smoke = 1 ]; then
	all="xstored null" daemons=xstored
	for d in $refs; do row point-ref "$d" raw point 50 10 4; done
	row point-flat "$all" raw point 200 0 8
	row point-100 "$all" raw point 200 10 8
	row lib-flat "$all" lib 100 0
	row rm-flat "$daemons" raw rm 200 flat
	row rm-tree "$daemons" raw rm 1000 tree
	row conc-100 "$all" raw concurrent 4 40
	row tx-hot "$daemons" raw tx hot 2 20
	row tx-disjoint "$daemons" raw tx disjoint 2 20
	row watch-100 "$daemons" raw watch 3 5
	row watch-1000 "$daemons" raw watch 10 3
	row dir-1000 "$daemons" raw dir 100 small 2
	row dir-11k "$daemons" raw dir 500 big 2
else
	row point-flat "$all" raw point 10000 0 32
	row point-100 "$all" raw point 10000 100 32
	row lib-flat "$all" lib 10000 0
	row lib-100 "$all" lib 10000 100
	row rm-flat "$daemons" raw rm 10000 flat
	row rm-tree "$daemons" raw rm 100000 tree
	row conc-100 "$all" raw concurrent 100 20000
	row tx-hot "$daemons" raw tx hot 10 2000
	row tx-disjoint "$daemons" raw tx disjoint 10 2000
	row watch-100 "$daemons" raw watch 100 200
	row watch-1000 "$daemons" raw watch 1000 50
	row dir-1000 "$daemons" raw dir 1000 small 500
	row dir-11k "$daemons" raw dir 1100 big 500
fi
# Simulated guests over rings, xstored only (skipped without XSGUEST):
# per-request latency with N domains (sim.sh; setting up 10,000 domains
# takes a few minutes), then reconnections per second (reconn.sh; 1 guest
# in a tight loop, 100 guests at once, 1 guest dropping 10 watches each
# time).  BENCH_ROWS "sim" selects both, "reconn" the second alone.
selected() {
	for w in ${BENCH_ROWS:-sim}; do
		for x in "$@"; do [ "$w" = "$x" ] && return 0; done
	done
	return 1
}
if [ -n "${XSGUEST:-}" ] && selected sim; then
	if [ $smoke = 1 ]; then
		set -- 5 1 3
	else
		set -- 200 "$runs" 10 1000 10000
	fi
	XSTORED=$XSTORED XSGUEST=$XSGUEST timeout 1800 "$here/sim.sh" "$@" \
	    >"$tmp/out" || { echo "bench.sh: sim.sh failed" >&2; exit 1; }
	grep -q 'ops_s=[0-9]' "$tmp/out" ||
	    { echo "bench.sh: sim.sh produced no numbers" >&2; exit 1; }
	cat "$tmp/out" >>"$raw"
fi
if [ -n "${XSGUEST:-}" ] && selected sim reconn; then
	if [ $smoke = 1 ]; then
		set -- 1 1:20 3:5 1:5:2
	else
		set -- "$runs" 1:20000 100:200 1:2000:10
	fi
	XSTORED=$XSTORED XSGUEST=$XSGUEST BENCH_BIN=$BENCH_BIN timeout 1800 \
	    "$here/reconn.sh" "$@" >"$tmp/out" ||
	    { echo "bench.sh: reconn.sh failed" >&2; exit 1; }
	# One line with numbers per run of each spec.
	n=$(grep -c '^xstored reconn-[0-9w-]*\.reconnect .*ops_s=[0-9]' \
	    "$tmp/out" || true)
	[ "$n" -eq $(($1 * ($# - 1))) ] ||
	    { echo "bench.sh: reconn.sh produced no numbers" >&2; exit 1; }
	cat "$tmp/out" >>"$raw"
fi
# Live update (lu.sh): xstored -> xstored next to C -> C, the time from
# xenstore-control live-update to its OK and the longest pause a reading
# client sees. BENCH_ROWS "lu" selects it.
if [ -z "${BENCH_ROWS:-}" ] || selected lu; then
	if [ $smoke = 1 ]; then
		set -- 100:10
	else
		set -- 1000:100 100000:1000
	fi
	BENCH_BIN=$BENCH_BIN XSTORED=$XSTORED timeout 3600 \
	    "$here/lu.sh" "$runs" "$@" >"$tmp/out" ||
	    { echo "bench.sh: lu.sh failed" >&2; exit 1; }
	grep -q '^xstored lu-.*pause_ms=[0-9]' "$tmp/out" ||
	    { echo "bench.sh: lu.sh produced no numbers" >&2; exit 1; }
	cat "$tmp/out" >>"$raw"
fi
"$here/report.sh" "$raw" "$runs" >"${out:-/dev/stdout}"

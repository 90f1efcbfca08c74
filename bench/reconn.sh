#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# reconn.sh: reconnections per second over simulated rings, xstored only
# (Xen's daemons cannot run simulated guests).  For each SPEC
# GUESTS:COUNT[:WATCHES] and each of RUNS runs: a fresh xstored
# --hypervisor=sim:DIR, GUESTS domains created and introduced by xs-guest,
# then xsreconn has every guest run COUNT reconnection handshakes at once
# (connection word 2068 = 1, notify, wait for 0), each guest first setting
# WATCHES watches that the reconnection drops (0 if omitted).  Prints one
# raw line per run:
#   xstored reconn-G[-wK].reconnect ops=G*COUNT secs=.. ops_s=<handshakes/s>
#       p50_us=.. p99_us=.. (store of 1 to the load that saw 0)
#       cpu_us_op=<daemon CPU per handshake, watch requests included>
#       rss_kb=.. guests=G watches=K
# Usage: reconn.sh RUNS SPEC...   Env: XSTORED, XSGUEST, BENCH_BIN (xsreconn).
# Bounded: every xs-guest call has its own -T deadline, xsreconn --timeout.
set -eu
: "${XSTORED:?}" "${XSGUEST:?}" "${BENCH_BIN:?}"
runs=$1
shift
tmp=$(mktemp -d /tmp/xsreconn.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for spec in "$@"; do
	IFS=: read -r guests count watches <<EOF
$spec
EOF
	watches=${watches:-0}
	tag=reconn-$guests
	[ "$watches" = 0 ] || tag=$tag-w$watches
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		dir=$tmp/$tag.$r
		mkdir -p "$dir/sim"
		export XS_GUEST_DIR="$dir/sim" XENSTORED_PATH="$dir/socket"
		"$XSTORED" -N --hypervisor=sim:"$dir/sim" >"$dir/log" 2>&1 \
		    </dev/null &
		pid=$!
		i=0
		while [ ! -S "$dir/socket" ]; do
			i=$((i + 1))
			[ $i -lt 500 ] ||
			    { echo "reconn.sh: xstored did not start" >&2; exit 1; }
			sleep 0.02
		done
		d=1
		while [ $d -le "$guests" ]; do
			"$XSGUEST" -T 20 create $d >/dev/null
			"$XSGUEST" -T 20 introduce $d >/dev/null
			d=$((d + 1))
		done
		"$BENCH_BIN/xsreconn" --dir "$dir/sim" --guests "$guests" \
		    --count "$count" --watches "$watches" --pid "$pid" \
		    --tag "$tag" --timeout 120 >"$dir/out" ||
		    { echo "reconn.sh: $tag failed" >&2; exit 1; }
		sed 's/^RESULT /xstored /' "$dir/out"
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
		rm -rf "$dir"
	done
done

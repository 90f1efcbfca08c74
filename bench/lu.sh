#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# lu.sh RUNS NODES:CONNS...: the live-update rows of bench.sh. For each
# NODES:CONNS, RUNS times each for xstored -> xstored and (when installed)
# Debian's C xenstored -> C xenstored under xenshim.so, against a fresh
# daemon (run-one.sh): bench/lu_pause.py fills the store, attaches the
# connections and times one update and the longest pause a reading
# client sees. Prints raw lines "DAEMON lu-NODES-CONNS.update key=value...".
# Env: BENCH_BIN, XSTORED (as bench.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runs=$1
shift
XEN=/usr/lib/xen-4.17/bin
daemons=xstored
[ -x "$XEN/xenstored" ] && daemons="$daemons cxenstored"
tmp=$(mktemp -d /tmp/xslu-bench.XXXXXX)
dpid=
cleanup() {
	if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for spec in "$@"; do
	nodes=${spec%%:*} conns=${spec#*:}
	for daemon in $daemons; do
		r=0
		while [ $r -lt "$runs" ]; do
			r=$((r + 1))
			dir=$tmp/$daemon.$r
			mkdir -p "$dir/run"
			# xstored's dump goes to its rundir (C's: run-one.sh).
			started=$(XENSTORED_RUNDIR=$dir/run BENCH_BIN=$BENCH_BIN \
			    XSTORED=$XSTORED "$here/run-one.sh" "$daemon" "$dir") ||
			    exit 1
			dpid=${started%% *} sock=${started#* }
			case $daemon in
			xstored) bin=$XSTORED ;;
			*) bin=$XEN/xenstored ;;
			esac
			if ! out=$(XENSTORED_PATH=$sock timeout 600 \
			    "$here/lu_pause.py" "$nodes" "$conns" "$bin"); then
				echo "lu.sh: $daemon $spec failed" >&2
				tail -5 "$dir/log" >&2
				exit 1
			fi
			echo "$daemon lu-$nodes-$conns.update $out"
			kill "$dpid" 2>/dev/null || true
			sleep 0.2
			kill -9 "$dpid" 2>/dev/null || true
			dpid=
			rm -rf "$dir"
		done
	done
done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sim.sh: xstored only (Xen's daemons cannot run simulated guests).  For
# each domain count N: a fresh xstored --hypervisor=sim:DIR, N domains
# created and introduced by xs-guest, each with one watch set from its own
# ring (data/w, never written); then domain 1's guest runs OPS write+read
# pairs over its ring, REPS times; prints one raw line per repetition:
#   xstored sim-N.ring ops=.. secs=.. ops_s=.. p50_us=<mean per op> ...
# (xs-guest is one process per script, so the per-op figure is the mean
# wall time of a script of OPS*2 requests, start-up included.)
# Usage: sim.sh OPS REPS N...   Env: XSTORED, XSGUEST.  Bounded: every
# xs-guest call has its own -T deadline.
set -eu
: "${XSTORED:?}" "${XSGUEST:?}"
ops=$1 reps=$2
shift 2
tmp=$(mktemp -d /tmp/xssim.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
now_ns() { date +%s%N; }
cpu_ns() {
	s=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r ns _ <"$f" && s=$((s + ns))
	done
	echo $s
}
seq 1 "$ops" | awk '{ print "write data/b" $1 " v" $1; print "read data/b" $1 }' \
    >"$tmp/script"
for n in "$@"; do
	dir=$tmp/$n
	mkdir -p "$dir/sim"
	export XS_GUEST_DIR="$dir/sim" XENSTORED_PATH="$dir/socket"
	"$XSTORED" -N --hypervisor=sim:"$dir/sim" >"$dir/log" 2>&1 </dev/null &
	pid=$!
	i=0
	while [ ! -S "$dir/socket" ]; do
		i=$((i + 1))
		[ $i -lt 500 ] || { echo "sim.sh: xstored did not start" >&2; exit 1; }
		sleep 0.02
	done
	t0=$(now_ns)
	d=1
	while [ $d -le "$n" ]; do
		"$XSGUEST" -T 20 create $d >/dev/null
		"$XSGUEST" -T 20 introduce $d >/dev/null
		echo "watch data/w tok" | "$XSGUEST" -T 20 -D $d script - >/dev/null
		d=$((d + 1))
	done
	setup_ms=$((($(now_ns) - t0) / 1000000))
	r=0
	while [ $r -lt "$reps" ]; do
		r=$((r + 1))
		c0=$(cpu_ns $pid)
		t0=$(now_ns)
		"$XSGUEST" -T 60 -D 1 script "$tmp/script" >/dev/null
		t=$(($(now_ns) - t0))
		c=$(($(cpu_ns $pid) - c0))
		rss=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)
		awk -v n="$n" -v ops=$((ops * 2)) -v t="$t" -v c="$c" -v rss="$rss" \
		    -v setup="$setup_ms" 'BEGIN {
			printf("xstored sim-%d.ring ops=%d secs=%.6f ops_s=%.1f " \
			    "p50_us=%.1f p99_us=0 cpu_us_op=%.3f rss_kb=%d " \
			    "setup_ms=%d\n", n, ops, t / 1e9, ops / (t / 1e9),
			    t / 1000 / ops, c / 1000 / ops, rss, setup)
		}'
	done
	kill $pid
	pid=
done

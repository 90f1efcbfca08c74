#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run-one.sh DAEMON DIR: starts one daemon (xstored, cxenstored, oxenstored,
# null) in the fresh directory DIR, waits (at most 10 s) for its socket, and
# prints "PID SOCKET".  The caller stops it with kill PID.
# Env: BENCH_BIN (the build dir holding xsbench, xenshim.so, nullsrv),
#      XSTORED (our daemon).
set -eu
daemon=$1 dir=$2
XEN=/usr/lib/xen-4.17/bin
mkdir -p "$dir/run" "$dir/lib"
printf 1 >"$dir/xsd_port"                 # oxenstored wants no newline
head -c 4096 /dev/zero >"$dir/xsd_kva"    # dom0's ring page, empty
case $daemon in
xstored)
	sock=$dir/socket
	XENSTORED_PATH=$sock "$XSTORED" -N --hypervisor=none \
	    >"$dir/log" 2>&1 </dev/null &
	;;
cxenstored)
	sock=$dir/socket
	XSBENCH_DIR=$dir XENSTORED_PATH=$sock XENSTORED_RUNDIR=$dir/run \
	    LD_PRELOAD=$BENCH_BIN/xenshim.so \
	    "$XEN/xenstored" -N >"$dir/log" 2>&1 </dev/null &
	;;
oxenstored)
	sock=$dir/run/socket
	cat >"$dir/ox.conf" <<CONF
pid-file = $dir/ox.pid
quota-activate = false
persistent = false
xenstored-log-file = $dir/ox.log
access-log-file = $dir/ox-access.log
xenstored-kva = /proc/xen/xsd_kva
xenstored-port = /proc/xen/xsd_port
CONF
	XSBENCH_DIR=$dir LD_PRELOAD=$BENCH_BIN/xenshim.so \
	    "$XEN/oxenstored" --no-fork --config-file "$dir/ox.conf" \
	    >"$dir/log" 2>&1 </dev/null &
	;;
null)
	sock=$dir/socket
	"$BENCH_BIN/nullsrv" "$sock" >"$dir/log" 2>&1 </dev/null &
	;;
*)
	echo "run-one.sh: unknown daemon $daemon" >&2
	exit 2
	;;
esac
pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 500 ] || ! kill -0 $pid 2>/dev/null; then
		echo "run-one.sh: $daemon did not start:" >&2
		tail -5 "$dir/log" >&2
		kill $pid 2>/dev/null || true
		exit 1
	fi
	sleep 0.02
done
echo "$pid $sock"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A short demonstration: starts xstored socket-only in a temporary
# directory and talks to it with Debian's own xenstore clients.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
export XENSTORED_PATH="$dir/socket"
"$here/build/xstored" -N >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
while [ ! -S "$XENSTORED_PATH" ]; do
	i=$((i + 1))
	if [ $i -gt 50 ]; then
		echo "xstored did not start:" >&2
		cat "$dir/log" >&2
		exit 1
	fi
	sleep 0.1
done
set -x
xenstore-write /demo/greeting "hello from xstored" /demo/answer 42
xenstore-read /demo/greeting
xenstore-ls /demo
xenstore-chmod /demo/answer n0 r5
xenstore-ls -p /demo
xenstore-watch -n 2 /demo &
sleep 0.3
xenstore-write /demo/answer 43
wait $!
xenstore-rm /demo
xenstore-exists /demo || echo "/demo is gone"
/usr/lib/xen-4.17/bin/test-xenstore

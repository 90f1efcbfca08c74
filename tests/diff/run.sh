#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run.sh: the differential tester (tests/diff/README.md). For each seed,
# starts a fresh reference daemon (Debian's C xenstored or oxenstored,
# through bench/xenshim.so, as bench/run-one.sh does) and a fresh xstored,
# runs xsdiff against both, stops them.
#
# Usage: run.sh [--ref c|ox] [--seeds A-B] [--steps N] [-v|-t]
#   --ref    the reference daemon (default c: /usr/lib/xen-4.17/bin/xenstored)
#   --seeds  seeds A to B inclusive (default 1-10)
#   --steps  random steps per seed (default 2000)
# Env: BUILD (the build directory: xstored, tests/diff/xsdiff,
#      bench/xenshim.so), set by `make diff`.
# Output: one line per seed from xsdiff (differences on stderr), then
# exactly "N passed, M failed" (seeds). Exit 1 if M > 0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${BUILD:?set BUILD to the build directory (make diff does)}"
ref=c seeds=1-10 steps=2000 verbose=
while [ $# -gt 0 ]; do
	case $1 in
	--ref) ref=$2; shift ;;
	--seeds) seeds=$2; shift ;;
	--steps) steps=$2; shift ;;
	-v) verbose=-v ;;
	-t) verbose=-t ;;
	*) echo "usage: run.sh [--ref c|ox] [--seeds A-B] [--steps N] [-v|-t]" >&2
	   exit 2 ;;
	esac
	shift
done
case $ref in
c) daemon=cxenstored bin=/usr/lib/xen-4.17/bin/xenstored ;;
ox) daemon=oxenstored bin=/usr/lib/xen-4.17/bin/oxenstored ;;
*) echo "run.sh: --ref c or ox" >&2; exit 2 ;;
esac
if [ ! -x "$bin" ]; then
	echo "run.sh: $bin not installed (scripts/deps.sh)" >&2
	exit 2
fi
first=${seeds%-*} last=${seeds#*-}
tmp=$(mktemp -d /tmp/xsdiff.XXXXXX)
apid= bpid=
stop() {
	for p in $apid $bpid; do
		kill "$p" 2>/dev/null || true
	done
	apid= bpid=
}
trap 'stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
passed=0 failed=0
seed=$first
while [ "$seed" -le "$last" ]; do
	started=$(BENCH_BIN=$BUILD/bench XSTORED=$BUILD/xstored \
	    "$top/bench/run-one.sh" "$daemon" "$tmp/a$seed") || exit 2
	apid=${started%% *} asock=${started#* }
	started=$(BENCH_BIN=$BUILD/bench XSTORED=$BUILD/xstored \
	    "$top/bench/run-one.sh" xstored "$tmp/b$seed") || { stop; exit 2; }
	bpid=${started%% *} bsock=${started#* }
	if timeout 600 "$BUILD/tests/diff/xsdiff" -a "$asock" -b "$bsock" \
	    -s "$seed" -n "$steps" -r "$ref" -l "$here/allow-$ref.txt" $verbose
	then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  replay: tests/diff/run.sh --ref $ref --seeds $seed-$seed --steps $steps -v"
	fi
	for p in $apid $bpid; do
		kill -0 "$p" 2>/dev/null ||
		    echo "  seed $seed: daemon $p died (log in $tmp)" >&2
	done
	stop
	rm -rf "$tmp/a$seed" "$tmp/b$seed"
	seed=$((seed + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs the libFuzzer harnesses of tests/fuzz (see README.md).
#   run.sh replay BUILD NAME...  runs each harness once on every file of
#                                regressions/NAME and corpus/NAME: fails if
#                                any input crashes (make check, make fuzz)
#   run.sh fuzz BUILD NAME...    fuzzes each harness for $FUZZ_SECONDS (60)
#                                from its seed corpus; new inputs go to
#                                BUILD/corpus/NAME, crashers to
#                                BUILD/artifacts/NAME/ (make fuzz, make test)
# Exits non-zero on the first harness that fails; a crasher found while
# fuzzing belongs in regressions/NAME/ once understood.
set -eu
mode=$1 build=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-60}

# Longest input per harness: several whole requests for framer and request.
max_len() {
	case $1 in
	framer|request) echo 16384 ;;
	*) echo 4200 ;;
	esac
}

status=0
for name in "$@"; do
	bin=$build/fuzz_$name
	case $mode in
	replay)
		set --
		for dir in "$here/regressions/$name" "$here/corpus/$name"; do
			[ -d "$dir" ] || continue
			for f in "$dir"/*; do
				[ -f "$f" ] && set -- "$@" "$f"
			done
		done
		[ $# -gt 0 ] || continue
		if ! "$bin" "$@" >"$build/replay_$name.log" 2>&1; then
			echo "fuzz replay $name: FAILED ($build/replay_$name.log)"
			tail -n 40 "$build/replay_$name.log"
			status=1
		else
			echo "fuzz replay $name: $# inputs ok"
		fi
		;;
	fuzz)
		work=$build/corpus/$name
		art=$build/artifacts/$name
		mkdir -p "$work" "$art"
		log=$build/fuzz_$name.log
		echo "fuzz $name: ${secs}s"
		# Allocation stacks cost half the run time in the daemon-level
		# harnesses; a crasher is replayed below with full stacks.
		if ! ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0} \
		    "$bin" -max_total_time="$secs" -timeout=25 \
		    -rss_limit_mb=2048 -max_len="$(max_len "$name")" \
		    -print_final_stats=1 -artifact_prefix="$art/" \
		    "$work" "$here/corpus/$name" >"$log" 2>&1; then
			echo "fuzz $name: FAILED (crasher in $art/, log $log)"
			tail -n 20 "$log"
			for f in "$art"/*; do
				[ -f "$f" ] || continue
				echo "fuzz $name: replaying $f with full stacks"
				"$bin" "$f" 2>&1 | tail -n 60 || true
			done
			status=1
			continue
		fi
		grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 |
		    sed "s/^/fuzz $name: /"
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' \
		    "$log" | sed "s/^/fuzz $name: /"
		;;
	*)
		echo "usage: run.sh replay|fuzz BUILD NAME..." >&2
		exit 2
		;;
	esac
done
exit $status

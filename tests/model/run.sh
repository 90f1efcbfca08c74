#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Model checks of the ring reconnection handshake (tests/model/reconnect.pml,
# docs/ring.md "The handshake, model-checked"), run by `make model`.
#
# Usage: tests/model/run.sh
# Environment: MODEL_OUT, a directory for the generated verifiers, their
# output and any error trail (`make model`: build/model); without it a
# temporary directory is used and removed at exit. Nothing is written into
# the source tree: each check copies the model into its own directory, so
# the trail pan writes (reconnect.pml.trail) lands there too.
#
# Each check is an exhaustive search by pan, the verifier spin generates:
#   safety   assertions and invalid end states (-DSAFETY; no never claim)
#   ltl:N    the LTL formula N, acceptance cycles under weak fairness (-a -f)
# The real model must give 0 errors. Each broken variant (a -DBROKEN_*
# symbol) must give at least one error, and for the right reason: an
# expected assertion is named by the marker comment on its source line
# (P_FRESH, P_REPLY, P_REQUEST), read back from the replayed trail
# (spin -t); an expected hang is an acceptance cycle of the named formula.
#
# Output: one "PASS name: ..." or "FAIL name: ..." line per check (states
# stored and pan's own search time), then exactly "N passed, M failed".
# Exit status 1 if a check failed, 2 if spin or gcc is missing.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/reconnect.pml
passed=0
failed=0

for prog in spin gcc; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		echo "run.sh: $prog not found (scripts/deps.sh installs it)" >&2
		exit 2
	fi
done

if [ -n "${MODEL_OUT:-}" ]; then
	OUT=$MODEL_OUT
	mkdir -p "$OUT"
else
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/xstored-model.XXXXXX")
	# Kept when a check failed: the FAIL lines point at its trail.
	trap 'if [ "$failed" -eq 0 ]; then rm -rf "$OUT"; else
	    echo "run.sh: kept $OUT" >&2; fi' EXIT
fi

# pan's limits: the deepest run is about 1,200 steps; 2^22 hash slots (32 MB
# instead of the default 128 MB) suit the 1.4 to 1.8 million states of the
# real model's checks.
PAN_LIMITS="-m100000 -w22"

pass() {
	echo "PASS $1: $2"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# verify NAME DEFINES KIND [PANFLAGS]: generates and compiles the verifier
# for the model with cpp DEFINES in $OUT/NAME and runs it; KIND is
# "safety" or "ltl:FORMULA". Leaves pan's output in $dir/pan.out and sets
# errors, states and secs from it. Returns 1 if spin or gcc failed.
# pan.c is compiled at -O0: -O2 takes about 6 s more per verifier and
# saves about 1 s on the longest search.
verify() {
	name=$1
	defs=$2
	kind=$3
	extra=${4:-}
	dir=$OUT/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$MODEL" "$dir/reconnect.pml"
	case $kind in
	safety)
		cflags="-DSAFETY -DNOCLAIM"
		runflags="$PAN_LIMITS $extra"
		;;
	ltl:*)
		cflags=""
		runflags="$PAN_LIMITS -a -f -N ${kind#ltl:} $extra"
		;;
	esac
	# $defs, $cflags and $runflags are word lists: split on purpose.
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin $defs -a reconnect.pml >spin.log 2>&1 &&
	    gcc -O0 $cflags -o pan pan.c >gcc.log 2>&1); then
		return 1
	fi
	# pan's exit status does not tell errors apart; its report does.
	# shellcheck disable=SC2086
	(cd "$dir" && ./pan $runflags >pan.out 2>&1) || true
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$dir/pan.out")
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' \
	    "$dir/pan.out")
	secs=$(sed -n 's/^pan: elapsed time \([^ ]*\) seconds.*/\1/p' \
	    "$dir/pan.out")
	errors=${errors:-none}
	return 0
}

# replay DEFINES: the trail of the last verify, replayed by spin (in $dir).
# spin replays an LTL trail against the model's first formula, which is the
# only one a broken variant is checked against here.
replay() {
	# shellcheck disable=SC2086
	(cd "$dir" && spin $1 -t reconnect.pml >replay.out 2>&1) || true
}

# expect_ok NAME DEFINES KIND: the real model, no error allowed.
expect_ok() {
	if ! verify "$1" "$2" "$3"; then
		fail "$1" "spin -a or gcc failed (see $dir)"
		return
	fi
	if [ "$errors" = 0 ]; then
		pass "$1" "0 errors, $states states, ${secs} s"
		return
	fi
	fail "$1" "$errors errors; replay the trail: cd $dir && spin ${2:+$2 }-t -p reconnect.pml"
	grep '^pan:' "$dir/pan.out" | head -3 | sed 's/^/    /'
	replay "$2"
	grep 'Error\|text of failed' "$dir/replay.out" | head -2 | sed 's/^/    /'
}

# expect_bad NAME DEFINES KIND WHY [PANFLAGS]: a broken variant; WHY is
# the marker of the assertion that must fail (P_...), or "cycle" for an
# acceptance cycle of the formula in KIND.
expect_bad() {
	why=$4
	if ! verify "$1" "$2" "$3" "${5:-}"; then
		fail "$1" "spin -a or gcc failed (see $dir)"
		return
	fi
	if [ "$errors" = none ] || [ "$errors" = 0 ]; then
		fail "$1" "not caught ($errors errors, $states states)"
		return
	fi
	replay "$2"
	case $why in
	cycle)
		if grep -q 'acceptance cycle' "$dir/pan.out" &&
		    grep -q 'START OF CYCLE' "$dir/replay.out"; then
			pass "$1" "caught: acceptance cycle of ${3#ltl:}, $states states, ${secs} s"
		else
			fail "$1" "an error, but not an acceptance cycle (see $dir)"
		fi
		;;
	*)
		line=$(sed -n 's/^spin: reconnect\.pml:\([0-9][0-9]*\), Error: assertion violated.*/\1/p' \
		    "$dir/replay.out" | head -1)
		if [ -n "$line" ] &&
		    sed -n "${line}p" "$dir/reconnect.pml" | grep -q "$why"; then
			pass "$1" "caught: assertion $why (line $line), $states states, ${secs} s"
		else
			fail "$1" "an error, but not assertion $why (see $dir)"
			grep '^pan:' "$dir/pan.out" | head -2 | sed 's/^/    /'
		fi
		;;
	esac
}

# The real model (ringio's order): every property holds.
expect_ok safety "" safety
expect_ok reconnect_completes "" ltl:reconnect_completes
expect_ok request_answered "" ltl:request_answered

# connection = 0 before the indexes are zeroed: the guest (hvmloader)
# sees the word clear on a ring that still holds the old indexes.
expect_bad broken_clear_first -DBROKEN_CLEAR_FIRST safety P_FRESH
# No notify after the reset: hvmloader waits for an event for ever.
expect_bad broken_no_notify -DBROKEN_NO_NOTIFY ltl:reconnect_completes cycle
# The notify before the reset: Linux, woken by it, starts on a ring still
# in transition. (The same run also ends with hvmloader hung; -E leaves
# invalid end states out so that the search goes on to the assertion.)
expect_bad broken_notify_early -DBROKEN_NOTIFY_EARLY safety P_FRESH -E
# The daemon keeps its queue across ECONNRESET: an old reply reaches the
# fresh ring and the guest reads it as the answer to its new request.
expect_bad broken_keep_queue -DBROKEN_KEEP_QUEUE safety P_REPLY
# ringio keeps half a request across the reset: the new request's header
# is taken as the old one's payload.
expect_bad broken_keep_partial -DBROKEN_KEEP_PARTIAL safety P_REQUEST
# ringio keeps the offset of a half-written packet across the reset: the
# first reply after it starts with its payload.
expect_bad broken_keep_out_off -DBROKEN_KEEP_OUT_OFF safety P_REPLY

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

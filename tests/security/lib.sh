# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the security tests (sourced, never run).
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc: set by the integration helpers (run)
#
# A test is a function test_xsa<N>_<what> in a tests/security/sec_*.sh
# file; run.sh runs each in its own bash process against its own fresh
# daemon (--hypervisor=sim:$XS_GUEST_DIR), with the environment of the
# simulator tests (tests/sim/lib.sh, whose helpers this file builds on):
# XENSTORED_PATH, XS_GUEST_DIR, TESTDIR, XSTORED_PID, XSGUEST, XSRAW.
#
# Every test follows the same frame, so that each one checks the three
# things every advisory needs besides its own point:
#
#   sec_begin            domain 6 (the well-behaved guest) is introduced
#                        and timed, the memory baseline is taken, then
#                        domain 5 (the hostile one) is introduced
#   ... the attack, with good_check during or after it ...
#   sec_end [N...]       the hostile domains (5 by default) are released
#                        and destroyed; the daemon answers a READ; domain
#                        6 is still served in time; memory is back near
#                        the baseline (mem_back); CONTROL check says OK
#
# The well-behaved guest: good_check runs a script of GOOD_ROUNDS writes
# and read-backs as domain 6 and fails if one fails or if it takes more
# than GOOD_RATIO times the baseline (with an absolute floor of
# GOOD_FLOOR_MS, so a loaded machine does not make a test flaky).
#
# Memory: mem_snapshot records memreport's counts (nodes, watches, open
# transactions, connections), talloc's total and the daemon's VmRSS.
# mem_back waits (at most MEM_WAIT s) until the counts equal the
# baseline's, the talloc total is within TALLOC_SLACK bytes or
# TALLOC_PCT % of it, and VmRSS within RSS_SLACK_KB or RSS_PCT % (not
# with SEC_RSS=0: under ASan or valgrind freed memory is held back, so
# VmRSS says nothing; run.sh sets it for an ASan build and under
# XSTORED_WRAP).

# shellcheck source=tests/sim/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sim/lib.sh"

# shellcheck disable=SC2034 # used by the test files
HOSTILE=5			# the attacker
GOOD=6				# the bystander
GOOD_ROUNDS=${GOOD_ROUNDS:-25}	# write + read-back pairs per good_check
GOOD_RATIO=10			# allowed slowdown
GOOD_FLOOR_MS=3000		# ... but never less than this
TALLOC_SLACK=16384		# bytes
TALLOC_PCT=1
RSS_SLACK_KB=1024
RSS_PCT=20
MEM_WAIT=15			# seconds for memory to settle after release
SEC_RSS=${SEC_RSS:-1}		# 0: VmRSS means nothing (ASan, valgrind)

good_base_ms=
good_runs=0

# --- Simple checks ---------------------------------------------------------

# alive_read: the daemon process runs and answers a READ over the socket.
alive_read() {
	daemon_alive
	ok xenstore-read /sectest/alive
	stdout_is yes
}

# guest_is N WANT [-R] TYPE ARG...: guest N's request (after the
# reconnection handshake with -R) answers exactly WANT (one line, "ERROR
# EACCES" for an error reply).
guest_is() {
	local n=$1 want=$2 r=
	shift 2
	if [ "$1" = -R ]; then
		r=-R
		shift
	fi
	run "$XSGUEST" $r -D "$n" req "$@"
	if [ "$rc" -gt 1 ]; then
		show_outputs "$XSGUEST" $r -D "$n" req "$@"
		fail "xs-guest -D $n req $* broke (status $rc)"
	fi
	if [ "$(cat "$OUT")" != "$want" ]; then
		show_outputs "$XSGUEST" $r -D "$n" req "$@"
		fail "dom$n: $* answered '$(head -c 200 "$OUT")', expected '$want'"
	fi
}

# guest_script N FILE [EXTRA OPTIONS...]: runs a script as guest N; must pass.
guest_script() {
	local n=$1 file=$2
	shift 2
	ok "$XSGUEST" "$@" -D "$n" script "$file"
}

# script_from NAME LINE...: writes $TESTDIR/NAME.txt, one line per argument;
# prints its path.
script_from() {
	local f=$TESTDIR/$1.txt
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

# quota_used N NAME: the "used" column of `xenstore-control quota N` for
# quota NAME ("-" where the daemon does not count it).
quota_used() {
	local line
	run "$XSCONTROL" quota "$1"
	[ "$rc" -eq 0 ] || { show_outputs quota "$1"; fail "quota $1 failed"; }
	line=$(grep -E "^$2 *:" "$OUT") || fail "no '$2' line in quota $1"
	line=${line#*:}
	line=${line%%/*}
	echo "${line//[[:space:]]/}"
}

# mem_small N MAX: domain N is charged at most MAX bytes (if the daemon
# counts memory), e.g. after a reconnection dropped what was queued.
mem_small() {
	local used
	quota_counted "$1" memory || return 0
	used=$(quota_used "$1" memory)
	note "dom$1 is charged $used bytes now"
	[ "$used" -le "$2" ] || fail "dom$1 is still charged $used bytes (max $2)"
}

# quota_counted N NAME: quota_used N NAME is a number (the daemon counts
# it); else notes that it does not and returns 1.
quota_counted() {
	local v
	v=$(quota_used "$1" "$2")
	if [ "$v" = - ]; then
		note "quota $1: '$2' usage not reported by this daemon yet"
		return 1
	fi
	return 0
}

# owned_nodes N: how many nodes of the whole tree domain N owns.
owned_nodes() {
	CLIENT_TIMEOUT=60 ok xenstore-ls -p /
	grep -c "(n$1[,)]" "$OUT"
}

# --- The well-behaved guest -----------------------------------------------

# good_run: domain 6 writes and reads back GOOD_ROUNDS values; prints the
# time it took in ms; fails the test if any step failed.
good_run() {
	local t0 t1 st=0
	good_runs=$((good_runs + 1))
	rw_script "$TESTDIR/good.txt" "$GOOD" good "$GOOD_ROUNDS" "g$good_runs"
	t0=$(now_ms)
	timeout -k 2 60 "$XSGUEST" -T 55 -D "$GOOD" script "$TESTDIR/good.txt" \
	    >"$TESTDIR/good.out" 2>"$TESTDIR/good.err" || st=$?
	t1=$(now_ms)
	if [ "$st" -ne 0 ]; then
		tail -n 5 "$TESTDIR/good.err" >&2
		fail "the well-behaved guest (dom$GOOD) failed (status $st)"
	fi
	echo $((t1 - t0))
}

# good_baseline: times the well-behaved guest (best of three).
good_baseline() {
	local i t best=
	for i in 1 2 3; do
		t=$(good_run) || exit 1
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then
			best=$t
		fi
	done
	good_base_ms=$best
}

# good_check LABEL: the well-behaved guest is served, within the limit.
good_check() {
	local t limit
	t=$(good_run) || exit 1
	limit=$((good_base_ms * GOOD_RATIO))
	[ "$limit" -ge "$GOOD_FLOOR_MS" ] || limit=$GOOD_FLOOR_MS
	if [ "$t" -gt "$limit" ]; then
		fail "dom$GOOD took ${t} ms for $((2 * GOOD_ROUNDS)) requests" \
		    "$1 (baseline ${good_base_ms} ms, limit ${limit} ms)"
	fi
	note "dom$GOOD: $((2 * GOOD_ROUNDS)) requests in ${t} ms $1" \
	    "(baseline ${good_base_ms} ms)"
}

# --- Memory -----------------------------------------------------------------

# mem_snapshot NAME: records "nodes watches transactions connections
# talloc rss_kb" in $TESTDIR/mem.NAME.
mem_snapshot() {
	local nodes watches txs conns total rss
	ok "$XSCONTROL" memreport
	read -r nodes watches txs < <(sed -n \
	    's/^store: \([0-9]*\) nodes, \([0-9]*\) watches, \([0-9]*\) open transactions.*/\1 \2 \3/p' \
	    "$OUT")
	conns=$(sed -n 's/^connections: \([0-9]*\)$/\1/p' "$OUT")
	total=$(sed -n 's/^talloc report on .*(total *\([0-9]*\) bytes.*/\1/p' \
	    "$OUT" | head -n 1)
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' \
	    "/proc/$XSTORED_PID/status")
	if [ -z "$nodes" ] || [ -z "$conns" ] || [ -z "$total" ] ||
	    [ -z "$rss" ]; then
		show_outputs "$XSCONTROL" memreport
		fail "cannot read memreport or VmRSS"
	fi
	echo "$nodes $watches $txs $conns $total $rss" >"$TESTDIR/mem.$1"
}

# mem_baseline: the snapshot mem_back compares with.
mem_baseline() {
	mem_snapshot base
	read -r -a base_mem <"$TESTDIR/mem.base"
	note "baseline: ${base_mem[0]} nodes, ${base_mem[1]} watches," \
	    "${base_mem[2]} transactions, ${base_mem[3]} connections," \
	    "talloc ${base_mem[4]} B, VmRSS ${base_mem[5]} kB"
}

# mem_within BASE NOW SLACK PCT: NOW <= BASE + max(SLACK, BASE * PCT / 100).
mem_within() {
	local allow=$(($1 * $4 / 100))
	[ "$allow" -ge "$3" ] || allow=$3
	[ "$2" -le $(($1 + allow)) ]
}

# mem_is_back: the current snapshot is near the baseline (see the top).
mem_is_back() {
	local -a b c
	mem_snapshot now
	read -r -a b <"$TESTDIR/mem.base"
	read -r -a c <"$TESTDIR/mem.now"
	[ "${c[0]}" = "${b[0]}" ] && [ "${c[1]}" = "${b[1]}" ] &&
	    [ "${c[2]}" = "${b[2]}" ] && [ "${c[3]}" = "${b[3]}" ] &&
	    mem_within "${b[4]}" "${c[4]}" "$TALLOC_SLACK" "$TALLOC_PCT" &&
	    { [ "$SEC_RSS" = 0 ] ||
	    mem_within "${b[5]}" "${c[5]}" "$RSS_SLACK_KB" "$RSS_PCT"; }
}

# mem_back: waits until mem_is_back holds; fails with both snapshots.
mem_back() {
	local i
	for ((i = 0; i < MEM_WAIT * 5; i++)); do
		mem_is_back && {
			note "after: $(cat "$TESTDIR/mem.now")" \
			    "(nodes watches txs conns talloc rss_kb)"
			return 0
		}
		sleep 0.2
	done
	fail "memory not back to the baseline:" \
	    "before $(cat "$TESTDIR/mem.base"), after $(cat "$TESTDIR/mem.now")" \
	    "(nodes watches txs conns talloc rss_kb)"
}

# mem_growth: talloc bytes above the baseline now (may be negative).
mem_growth() {
	local -a b c
	mem_snapshot now
	read -r -a b <"$TESTDIR/mem.base"
	read -r -a c <"$TESTDIR/mem.now"
	echo $((c[4] - b[4]))
}

# --- The frame -----------------------------------------------------------

# sec_begin [--no-hostile]: the bystander, the baselines, then the
# attacker's domain (unless --no-hostile: the test introduces its own).
sec_begin() {
	ok xenstore-write /sectest/alive yes /sectest/m 0
	new_domain "$GOOD"
	good_baseline
	mem_baseline
	note "dom$GOOD baseline: $((2 * GOOD_ROUNDS)) requests in ${good_base_ms} ms"
	[ "${1:-}" = --no-hostile ] || new_domain "$HOSTILE"
}

# gone_domain N: releases and destroys domain N as a toolstack does
# (RELEASE if still introduced, the simulator's files, the home).
gone_domain() {
	local n=$1
	if [ "$("$XSRAW" req IS_DOMAIN_INTRODUCED "$n" 2>/dev/null)" = T ]; then
		ok "$XSGUEST" release "$n"
	fi
	if [ -d "$HV/dom$n" ]; then
		ok "$XSGUEST" destroy "$n"
	fi
	wait_until "dom$n not introduced" 10 is_introduced_now "$n" F
	run xenstore-rm "/local/domain/$n"
}

# accounting_gone N: the daemon charges nothing to released domain N: it
# has forgotten the domain (quota N fails), or counts 0 nodes, watches,
# transactions and bytes for it.
accounting_gone() {
	local q
	run "$XSCONTROL" quota "$1"
	[ "$rc" -ne 0 ] && return 0
	for q in nodes watches transactions memory outstanding; do
		case $(quota_used "$1" "$q") in
		0 | -) ;;
		*) fail "released dom$1 still has $q $(quota_used "$1" "$q")" ;;
		esac
	done
}

# sec_end [N...]: the hostile domains go (default 5); then the checks
# every test shares.
sec_end() {
	local n
	end_background
	wait 2>/dev/null
	[ "$#" -gt 0 ] || set -- "$HOSTILE"
	for n in "$@"; do
		gone_domain "$n"
		accounting_gone "$n"
	done
	alive_read
	good_check "after the attack"
	mem_back
	store_check
	alive_read
}

# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the simulator tests (sourced, never run).
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc: set by the integration helpers (run)
#
# A test is a function named test_<behaviour> in a tests/sim/sim_*.sh file.
# run.sh runs each one in its own bash process, against its own fresh
# daemon started with --hypervisor=sim:$XS_GUEST_DIR, with:
#   XENSTORED_PATH  the daemon's dom0 socket (Debian's clients honour it)
#   XS_GUEST_DIR    the simulator directory (xs-guest's default -d)
#   TESTDIR         a private scratch directory (the daemon's log is there)
#   XSTORED_PID     the daemon's pid (daemon_alive checks it mid-test)
#   XSGUEST, XSRAW  the guest simulator and the raw dom0 client
# The generic helpers (ok, status, stdout_is, ls_p_line, fail...) are the
# integration suite's (tests/integration/lib.sh); the ones below play the
# toolstack and the guests, read the ring page and follow background
# watchers. A test fails by exiting non-zero; the helpers print what differed
# and exit 1 themselves, so a test is a flat list of steps.
#
# Waiting: every wait is bounded. A condition that can be observed is
# polled (wait_until); the absence of an event is shown by a marker event
# that must come first on the same connection, never by sleeping.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

: "${XS_GUEST_DIR:?}" "${XSGUEST:?}" "${XSRAW:?}" "${XSTORED_PID:?}"

HV=$XS_GUEST_DIR
XSCONTROL=$XEN_BIN/xenstore-control
PAGE_FRESH="0 0 0 0 15 0 0 0"	# indexes, features (15), connection, error, port
BG_TIMEOUT=${BG_TIMEOUT:-280}	# seconds a background client may live (the test: 300)
# Every time limit below is scaled by XS_TIME_FACTOR (`scaled`, from the
# integration lib.sh; `make valgrind` sets it): BG_TIMEOUT, wait_until's
# SECONDS, the waits for a background client's next line, CLIENT_TIMEOUT.

declare -A BG_PID BG_FD
loop_count=0			# set by loop_stop

# Background clients still running when the test ends (a failure) go too.
end_background() {
	local pids
	pids=$(jobs -p)
	# shellcheck disable=SC2086 # one word per pid
	[ -z "$pids" ] || kill $pids 2>/dev/null
}
trap end_background EXIT

# note TEXT: shown under the test's PASS line (timings, counts).
note() {
	echo "$*" >>"$TESTDIR/notes"
	echo "note: $*"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# daemon_alive: the daemon is still running (not a zombie).
daemon_alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$XSTORED_PID/status" 2>/dev/null)
	if [ -z "$state" ] || [ "${state#Z}" != "$state" ]; then
		fail "the daemon (pid $XSTORED_PID) died"
	fi
}

# wait_until DESC SECONDS CMD...: polls CMD every 20 ms until it succeeds.
wait_until() {
	local desc=$1 secs=$2 i
	shift 2
	secs=$(scaled "$secs")
	for ((i = 0; i < secs * 50; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.02
	done
	fail "not within ${secs}s: $desc"
}

# --- The toolstack --------------------------------------------------------

# new_domain N: creates simulated domain N, writes its home and introduces it.
new_domain() {
	ok "$XSGUEST" create "$1"
	ok "$XSGUEST" introduce "$1"
	stdout_is OK
}

# new_domains FIRST LAST: the same for a range.
new_domains() {
	local i
	for ((i = $1; i <= $2; i++)); do
		timeout -k 2 "$(scaled "$CLIENT_TIMEOUT")" "$XSGUEST" create "$i" ||
		    fail "create $i"
		[ "$(timeout -k 2 "$(scaled "$CLIENT_TIMEOUT")" "$XSGUEST" introduce "$i")" = OK ] ||
		    fail "introduce $i"
	done
}

# raw_is WANT TYPE ARG...: a dom0 request over the socket answers exactly WANT
# (one line; "ERROR EACCES" for an error reply).
raw_is() {
	local want=$1
	shift
	run "$XSRAW" req "$@"
	if [ "$rc" -gt 1 ]; then
		show_outputs "$XSRAW" req "$@"
		fail "xs_raw req $* broke (status $rc)"
	fi
	stdout_is "$want"
}

# introduced N: IS_DOMAIN_INTRODUCED says T. not_introduced N: F.
introduced() {
	raw_is T IS_DOMAIN_INTRODUCED "$1"
}
not_introduced() {
	raw_is F IS_DOMAIN_INTRODUCED "$1"
}
# is_introduced_now N T|F: the answer is that now (for wait_until).
is_introduced_now() {
	[ "$("$XSRAW" req IS_DOMAIN_INTRODUCED "$1" 2>/dev/null)" = "$2" ]
}

# store_check: CONTROL check (xenstore-control check) says OK.
store_check() {
	ok "$XSCONTROL" check
	stdout_is OK
}

# --- The ring page --------------------------------------------------------

page_of() {
	echo "$HV/dom$1/page"
}

# page_words N: the eight control words at offset 2048, as decimal numbers:
# req_cons req_prod rsp_cons rsp_prod features connection error evtchn_port.
page_words() {
	od -An -v -tu4 -j2048 -N32 "$(page_of "$1")" | xargs
}

# page_word N OFFSET: one 32-bit word.
page_word() {
	od -An -tu4 -j"$2" -N4 "$(page_of "$1")" | xargs
}

# page_set_word N OFFSET VALUE: stores a little-endian word into the page, as
# the guest (or anything with the page mapped) may at any time.
page_set_word() {
	local v=$3
	# shellcheck disable=SC2059 # the format is built on purpose
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v & 255)) \
	    $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))" |
	    dd of="$(page_of "$1")" bs=4 count=1 seek="$2" oflag=seek_bytes \
	    conv=notrunc status=none || fail "cannot write the page of $1"
}

page_word_is() {
	[ "$(page_word "$1" "$2")" = "$3" ]
}
page_word_is_not() {
	[ "$(page_word "$1" "$2")" != "$3" ]
}

# expect_fresh_page N: indexes 0, features 15, connection and error 0, and
# both data rings hold "deadbeef" repeated, byte for byte.
expect_fresh_page() {
	local words
	words=$(page_words "$1")
	[ "$words" = "$PAGE_FRESH" ] ||
	    fail "dom$1 page words are '$words', expected '$PAGE_FRESH'"
	if [ ! -e "$TESTDIR/scrub" ]; then
		printf 'deadbeef%.0s' $(seq 256) >"$TESTDIR/scrub"
	fi
	if ! head -c 2048 "$(page_of "$1")" | cmp -s - "$TESTDIR/scrub"; then
		echo "--- dom$1 rings:" >&2
		head -c 2048 "$(page_of "$1")" | od -An -c | head -20 >&2
		fail "dom$1 rings are not 'deadbeef' repeated"
	fi
}

# --- Background clients ---------------------------------------------------

# bg_start NAME CMD...: runs CMD in the background with its stdout on a fifo
# that bg_next reads line by line as soon as the client prints it.
bg_start() {
	local name=$1 fifo=$TESTDIR/$1.fifo fd
	shift
	rm -f "$fifo"
	mkfifo "$fifo" || fail "mkfifo $fifo"
	timeout -k 2 "$(scaled "$BG_TIMEOUT")" "$@" >"$fifo" 2>"$TESTDIR/$name.err" &
	BG_PID[$name]=$!
	exec {fd}<"$fifo"
	BG_FD[$name]=$fd
}

# bg_next NAME LINE: NAME's next line is exactly LINE (waits at most 10 s,
# scaled).
bg_next() {
	local line
	if ! IFS= read -r -t "$(scaled 10)" line <&"${BG_FD[$1]}"; then
		fail "$1 printed no line within $(scaled 10) s (wanted '$2');" \
		    "its stderr: $(cat "$TESTDIR/$1.err")"
	fi
	[ "$line" = "$2" ] || fail "$1 printed '$line', expected '$2'"
}

# bg_end NAME: NAME exits 0 by itself and has printed nothing more.
bg_end() {
	local st=0 line
	wait "${BG_PID[$1]}" || st=$?
	[ "$st" -eq 0 ] || fail "$1 exited with status $st;" \
	    "stderr: $(cat "$TESTDIR/$1.err")"
	if IFS= read -r -t "$(scaled 5)" line <&"${BG_FD[$1]}"; then
		fail "$1 printed an extra line '$line'"
	fi
	bg_close "$1"
}

bg_close() {
	local fd=${BG_FD[$1]}
	exec {fd}<&-
}

# bg_stop NAME: ends a client that runs until stopped (its output is done
# with).
bg_stop() {
	kill "${BG_PID[$1]}" 2>/dev/null
	wait "${BG_PID[$1]}" 2>/dev/null
	bg_close "$1"
}

# spawn NAME CMD...: runs CMD in the background, stdout in $TESTDIR/NAME.out,
# stderr in $TESTDIR/NAME.err. reap NAME [STATUS]: waits for it, wants
# STATUS (0).
spawn() {
	local name=$1
	shift
	timeout -k 2 "$(scaled "$BG_TIMEOUT")" "$@" >"$TESTDIR/$name.out" \
	    2>"$TESTDIR/$name.err" &
	BG_PID[$name]=$!
}
reap() {
	local want=${2:-0} st=0
	wait "${BG_PID[$1]}" || st=$?
	if [ "$st" -ne "$want" ]; then
		echo "--- $1 stdout (last 20 lines):" >&2
		tail -n 20 "$TESTDIR/$1.out" | sed 's/^/    /' >&2
		echo "--- $1 stderr (last 20 lines):" >&2
		tail -n 20 "$TESTDIR/$1.err" | sed 's/^/    /' >&2
		fail "$1 exited with status $st, expected $want"
	fi
}

# --- Guest scripts --------------------------------------------------------

# rw_script FILE N PREFIX ROUNDS [TAG [PACE]]: a guest script that writes
# ROUNDS values of its own under data/PREFIX (cycling through 8 keys) and
# reads each back at once; every value names the domain, the tag and the
# round, so a value that reached the wrong domain or came from another run
# cannot pass. PACE (ms) adds a sleep after each round.
rw_script() {
	local file=$1 n=$2 prefix=$3 rounds=$4 tag=${5:-t} pace=${6:-0} r
	for ((r = 1; r <= rounds; r++)); do
		echo "write data/$prefix/k$((r % 8)) d$n-$tag-r$r"
		echo "expect-read data/$prefix/k$((r % 8)) d$n-$tag-r$r"
		[ "$pace" -eq 0 ] || echo "sleep $pace"
	done >"$file"
}

# rw_verify N PREFIX ROUNDS [TAG]: dom0 reads back the values the last rounds
# of rw_script left under /local/domain/N/data/PREFIX (ROUNDS >= 8), exactly.
rw_verify() {
	local n=$1 prefix=$2 rounds=$3 tag=${4:-t} k r
	for ((k = 0; k < 8; k++)); do
		# The last round r <= rounds with r % 8 == k.
		r=$((rounds - ((rounds - k) % 8 + 8) % 8))
		echo "READ /local/domain/$n/data/$prefix/k$k" >&5
		echo "d$n-$tag-r$r" >&6
	done 5>"$TESTDIR/rw.in" 6>"$TESTDIR/rw.want"
	CLIENT_TIMEOUT=60 ok "$XSRAW" batch <"$TESTDIR/rw.in"
	if ! cmp -s "$TESTDIR/rw.want" "$OUT"; then
		diff "$TESTDIR/rw.want" "$OUT" >&2
		fail "dom$n's values under data/$prefix differ (expected vs read)"
	fi
}

# rw_loop_start NAME N ROUNDS [PACE]: domain N runs rw_script in a loop
# (loop_start) under data/loop, alternating two tags so that consecutive runs
# write different values. rw_loop_stop NAME N ROUNDS: stops it and has dom0
# check the values of the last completed run.
rw_loop_start() {
	rw_script "$TESTDIR/$1.0.txt" "$2" loop "$3" even "${4:-0}"
	rw_script "$TESTDIR/$1.1.txt" "$2" loop "$3" odd "${4:-0}"
	loop_start "$1" "$XSGUEST" -T 60 -D "$2" script "$TESTDIR/$1.@P@.txt"
}
rw_loop_stop() {
	local tag=even
	loop_stop "$1"
	[ $((loop_count % 2)) -eq 1 ] && tag=odd
	rw_verify "$2" loop "$3" "$tag"
}

# loop_start NAME CMD...: runs CMD again and again in the background until
# loop_stop NAME, so that whatever the test does meanwhile overlaps it for
# sure. "@I@" in an argument becomes the iteration number (1, 2, ...), "@P@"
# its parity (1, 0, 1, ...). The first failing iteration ends the loop with
# its status.
loop_start() {
	local name=$1
	shift
	rm -f "$TESTDIR/$name.stop"
	echo 0 >"$TESTDIR/$name.count"
	# shellcheck disable=SC2016 # expanded by the inner bash
	spawn "$name" bash -c 'i=0
	    while [ ! -e "$0.stop" ]; do
		i=$((i + 1))
		args=("${@//@I@/$i}")
		args=("${args[@]//@P@/$((i % 2))}")
		"${args[@]}" || { st=$?; echo "iteration $i failed ($st)" >&2; exit "$st"; }
		echo "$i" >"$0.count"
	    done' "$TESTDIR/$name" "$@"
}

# loop_stop NAME: ends the loop after its current iteration; it must have
# succeeded throughout. Sets $loop_count to the iterations it completed.
loop_stop() {
	touch "$TESTDIR/$1.stop"
	reap "$1"
	loop_count=$(cat "$TESTDIR/$1.count")
	[ "$loop_count" -ge 1 ] || fail "$1 completed no iteration"
}

# loops_signal NAME...: asks loops to stop (loop_stop then waits for each),
# so that many loops end together rather than one after the other.
loops_signal() {
	local name
	for name in "$@"; do
		touch "$TESTDIR/$name.stop"
	done
}

# loop_running NAME: the loop has completed at least one iteration.
loop_running() {
	[ "$(cat "$TESTDIR/$1.count" 2>/dev/null)" != 0 ]
}

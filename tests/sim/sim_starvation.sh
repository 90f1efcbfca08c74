# SPDX-License-Identifier: GPL-2.0-only
# A guest that writes without pause must not starve the toolstack's
# transactions (XSA-206): after a few lost commits the toolstack's
# transaction gets priority and the guests wait until it ends.
# shellcheck shell=bash
# shellcheck disable=SC2154 # rc, loop_count: set by the helpers

test_sim_toolstack_transaction_commits_despite_a_guest_writing_nonstop() {
	local i max
	new_domain 5
	new_domain 6
	for ((i = 0; i < 2000; i++)); do
		echo "write data/x $i"
	done >"$TESTDIR/writes"
	loop_start writer "$XSGUEST" -T 120 -D 5 script "$TESTDIR/writes"
	wait_until "the writer runs" 10 loop_running writer
	# Each commit may lose 3 times, then has priority (4 attempts). On a
	# loaded machine or under valgrind the 500 ms hold may lapse once or
	# twice, hence the margin; without the hold a commit takes ~100.
	ok "$XSRAW" -t "$(scaled 10000)" txinc /local/domain/5/data/x 20
	max=$(sed -n 's/.* max \([0-9]*\)$/\1/p' "$OUT")
	note "$(cat "$OUT")"
	[ "${max:-999}" -le $((8 * XS_TIME_FACTOR)) ] ||
	    fail "a commit took $max attempts"
	# The guests were only delayed: the writer and another guest go on.
	ok "$XSGUEST" -D 6 req write data/y after
	loop_stop writer
	ok "$XSGUEST" -D 5 req read data/x
	store_check
}

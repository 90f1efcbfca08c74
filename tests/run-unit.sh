#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs every unit test binary given; each is a Check runner that prints its
# own summary line. Fails if any binary fails. $VALGRIND, if set, prefixes
# each run (make valgrind).
set -u
fail=0
for t in "$@"; do
	echo "== $t"
	if ! ${VALGRIND:-} "$t"; then
		echo "FAILED: $t" >&2
		fail=1
	fi
done
exit "$fail"

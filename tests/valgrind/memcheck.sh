#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs a command under valgrind memcheck, for the test runners: `make
# valgrind` sets XSTORED_WRAP to this script, and tests/integration/run.sh
# and tests/sim/run.sh (through tests/lib/runner.sh) then start every
# daemon as
#   XSTORED_WRAP_DIR=$dir/wrap tests/valgrind/memcheck.sh xstored -N ...
# It execs valgrind (the pid the runner holds stays the daemon's, so its
# SIGTERM reaches the daemon and `wait` gets valgrind's verdict). Each
# process writes $XSTORED_WRAP_DIR/valgrind.<pid>.log (a forked child its
# own); -q leaves a log empty unless memcheck found something, and the
# runners fail a test whose log is not empty and print it.
#
# Failures: every memcheck error, and definite and indirect leaks at exit
# (possible leaks and still-reachable memory are not counted: the daemon
# frees its talloc tree at a clean exit, so anything left is reported as
# definite or indirect). A run with errors exits with status 99, which the
# runners also count as a failure (only 0 or death by their SIGTERM pass).
#
# --trace-children=no: an exec'd program (none in -N mode) is not followed;
# forked children are, with their own log (%p).
# tests/valgrind/xstored.supp holds the suppressions, each with its reason;
# only errors inside third-party libraries may be suppressed there.
here=$(cd "$(dirname "$0")" && pwd)
dir=${XSTORED_WRAP_DIR:-.}
exec valgrind -q --tool=memcheck --error-exitcode=99 \
    --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect \
    --trace-children=no --num-callers=30 \
    --suppressions="$here/xstored.supp" \
    --log-file="$dir/valgrind.%p.log" "$@"

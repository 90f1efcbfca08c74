#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Adds xstored's SPDX licence identifier line to source files that lack it.
#
# Usage: scripts/add-spdx.sh [--check] [FILE...]
#   FILE...   the files to treat; none: every file git tracks (run from
#             anywhere inside the tree; names are then relative to its top)
#   --check   change nothing; print each source file without its line and
#             exit 1 if there is one (what tests/check-spdx.sh runs)
#
# Which files are source, and where the line goes (tests/check-spdx.sh
# states the same rule):
#   *.c, *.h                     first line: /* SPDX-License-Identifier: GPL-2.0-only */
#   *.sh, *.py, Makefile, and    # SPDX-License-Identifier: GPL-2.0-only
#   any other file whose first   as the first line, or the second when the
#   two bytes are "#!" (such as  first is a "#!" line
#   debian/rules, .ci/run)
# Everything else (documentation, the man page, debian/ metadata, configs,
# the fuzz corpus, benchmark data) is not source and is left alone.
#
# Idempotent: a file that already has its line in its place is not touched,
# so it can be run again on a whole tree after a merge. A file whose first
# lines name some SPDX identifier, but not ours in our place, is reported
# and left alone (status 1). The file's mode is kept (it is rewritten in
# place). Output: "added FILE" per file changed.

set -eu

C_LINE='/* SPDX-License-Identifier: GPL-2.0-only */'
HASH_LINE='# SPDX-License-Identifier: GPL-2.0-only'

# spdx_kind FILE: prints c, hash or none.
spdx_kind() {
	case ${1##*/} in
	*.c | *.h) echo c; return ;;
	*.sh | *.py | Makefile) echo hash; return ;;
	esac
	if [ "$(head -c 2 "$1" | tr -d '\000')" = '#!' ]; then
		echo hash
	else
		echo none
	fi
}

# has_line KIND FILE: true if FILE has KIND's line in its place.
has_line() {
	case $1 in
	c)
		[ "$(head -n 1 "$2")" = "$C_LINE" ]
		;;
	hash)
		if [ "$(head -c 2 "$2")" = '#!' ]; then
			[ "$(sed -n 2p "$2")" = "$HASH_LINE" ]
		else
			[ "$(head -n 1 "$2")" = "$HASH_LINE" ]
		fi
		;;
	esac
}

# add_line KIND FILE: puts KIND's line in its place.
add_line() {
	tmp=$(mktemp)
	case $1 in
	c)
		{ echo "$C_LINE"; cat "$2"; } >"$tmp"
		;;
	hash)
		if [ "$(head -c 2 "$2")" = '#!' ]; then
			awk -v line="$HASH_LINE" '{ print } NR == 1 { print line }' \
			    "$2" >"$tmp"
		else
			{ echo "$HASH_LINE"; cat "$2"; } >"$tmp"
		fi
		;;
	esac
	cat "$tmp" >"$2"
	rm -f "$tmp"
}

check=
if [ "${1:-}" = --check ]; then
	check=yes
	shift
fi
set -f
if [ "$#" -eq 0 ]; then
	cd "$(git rev-parse --show-toplevel)"
	# One name per line: no tracked file has a blank in its name.
	# shellcheck disable=SC2046 # split into names on purpose
	set -- $(git ls-files)
fi

status=0
for f in "$@"; do
	[ -f "$f" ] || continue
	[ -s "$f" ] || continue
	kind=$(spdx_kind "$f")
	[ "$kind" != none ] || continue
	has_line "$kind" "$f" && continue
	if [ -n "$check" ]; then
		echo "$f: no SPDX-License-Identifier line in its place" >&2
		status=1
	elif head -n 5 "$f" | grep -q 'SPDX-License-Identifier'; then
		echo "$f: has another SPDX line; left alone" >&2
		status=1
	else
		add_line "$kind" "$f"
		echo "added $f"
	fi
done
exit "$status"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every source file carries the licence's SPDX identifier line (xstored is
# GPL-2.0-only, COPYING); run by `make check` (the spdx target). Fails,
# naming each file, if a tracked source file lacks its line;
# scripts/add-spdx.sh adds the missing ones.
#
# Source files, by name or first bytes (scripts/add-spdx.sh spdx_kind):
#   *.c, *.h        first line exactly
#                   /* SPDX-License-Identifier: GPL-2.0-only */
#   *.sh, *.py, Makefile, and every other file that starts with "#!"
#   (debian/rules, .ci/run)
#                   # SPDX-License-Identifier: GPL-2.0-only
#                   as the first line, or right after the "#!" line
# Not source: everything else: documentation (*.md, docs/xstored.8),
# debian/ metadata (control, changelog, copyright, ...), configs (the
# systemd unit, tests/xen-vm/guest.cfg, the valgrind suppressions,
# .gitignore), the fuzz corpus and benchmark data. debian/copyright
# states their licence.
#
# The files checked are those git tracks (outside a git tree: every file
# under the top directory but the build directories and .git).
set -eu
cd "$(dirname "$0")/.."
set -f
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# One name per line: no tracked file has a blank in its name.
	files=$(git ls-files)
else
	files=$(find . -path ./.git -prune -o -path './build*' -prune -o \
	    -type f -print | sed 's|^\./||')
fi
# shellcheck disable=SC2086 # split into names on purpose
if scripts/add-spdx.sh --check $files; then
	echo "spdx: ok"
else
	echo "spdx: the files above need scripts/add-spdx.sh" >&2
	exit 1
fi

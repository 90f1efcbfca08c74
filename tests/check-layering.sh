#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The libraries (protocol/, store/, ringio/, state/, oxconf/) must not reach
# into daemon/ nor into the Xen control libraries: only the hypervisor
# backends in daemon/ may.
# xs_wire.h is allowed in protocol/ and ringio/: it is the wire definition.
set -eu
cd "$(dirname "$0")/.."
bad=0
for dir in protocol store ringio state oxconf; do
	[ -d "$dir" ] || continue
	if grep -nE '#include[[:space:]]*[<"](daemon/|xenctrl|xenevtchn|xengnttab|xenforeignmemory|xenstore\.h|systemd)' \
	    "$dir"/*.[ch] 2>/dev/null; then
		echo "layering: $dir/ includes something it must not" >&2
		bad=1
	fi
done
if grep -nE '#include[[:space:]]*[<"](xen/|protocol/|store/|ringio/)' state/*.[ch] 2>/dev/null; then
	echo "layering: state/ stands alone (no Xen headers, no other library)" >&2
	bad=1
fi
if grep -nE '#include[[:space:]]*[<"]xen/' store/*.[ch] oxconf/*.[ch] 2>/dev/null; then
	echo "layering: store/ and oxconf/ must not include Xen headers" >&2
	bad=1
fi
[ "$bad" -eq 0 ] && echo "layering: ok"
exit "$bad"

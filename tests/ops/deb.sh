#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds the Debian package and checks what it installs.
#
# Usage: tests/ops/deb.sh [OUTDIR]    (`make deb`; `make test` runs it)
#
# The build runs `dpkg-buildpackage -us -uc -b` in a temporary copy of the
# tree (the files git tracks or would track), so the working tree gets no
# build artefacts. Then, on the .deb:
#   - its files: /usr/sbin/xstored, the unit in /lib/systemd/system, the
#     man page, the docs;
#   - its dependencies: the runtime libraries, found by ${shlibs:Depends};
#   - its maintainer scripts neither enable nor start the service;
#   - apt accepts it for installation (a simulation);
#   - lintian finds nothing wrong with debian/copyright (DEP-5) or a
#     licence, in the source package (dpkg-source -b of the same copy,
#     made before the build: lintian's DEP-5 checks read the source) and
#     in the .deb; its other tags are printed, not judged;
#   - in CI (CI=true, as root) it is really installed and purged again: the
#     install must succeed without Xen or a running systemd, and leave the
#     unit disabled and no daemon running.
# OUTDIR, if given, receives the .deb. Output: one PASS/FAIL line per
# check, then "N passed, M failed".

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUTDIR=${1:-}
BUILD_TIMEOUT=900

passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/xstored-deb.XXXXXX")
installed=

cleanup() {
	if [ -n "$installed" ]; then
		dpkg -P xstored >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

pass() {
	echo "PASS deb_$1"
	passed=$((passed + 1))
}

flunk() {
	echo "FAIL deb_$1" >&2
	shift
	printf '    %s\n' "$@" >&2
	failed=$((failed + 1))
}

# Is a process running the installed binary?
runs_installed() {
	local exe
	for exe in /proc/[0-9]*/exe; do
		[ "$(readlink "$exe" 2>/dev/null)" = /usr/sbin/xstored ] && return 0
	done
	return 1
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
src=$work/xstored-$version
mkdir -p "$src"

# The tree as git sees it (tracked and new files, not ignored ones).
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
	    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	    tar -xf - -C "$src"
else
	tar -C "$ROOT" --exclude=./build --exclude='./build-*' \
	    --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
rm -rf "$src/build" "$src/build-san" "$src/build-clang" "$src/xstored"

# The source package, for lintian (3.0 (native): a .dsc and a tarball).
dsc=
if (cd "$work" && dpkg-source -b "$(basename "$src")") \
    >"$work/source.log" 2>&1; then
	dsc=$work/xstored_$version.dsc
fi

if ! (cd "$src" && timeout "$BUILD_TIMEOUT" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1; then
	flunk builds "dpkg-buildpackage -us -uc -b failed; the end of its log:" \
	    "$(tail -n 40 "$work/build.log")"
	finish
fi
deb=$(ls "$work"/xstored_"$version"_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	flunk builds "no xstored_${version}_*.deb in $work:" "$(ls "$work")"
	finish
fi
pass builds

contents=$(dpkg-deb -c "$deb")
missing=
for f in ./usr/sbin/xstored ./lib/systemd/system/xstored.service \
    ./usr/share/man/man8/xstored.8.gz ./usr/share/doc/xstored/copyright \
    ./usr/share/doc/xstored/operations.md; do
	grep -Eq " ${f//./\\.}(\\.gz)?\$" <<<"$contents" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	pass installs_binary_unit_and_man_page
else
	flunk installs_binary_unit_and_man_page "missing:$missing" "$contents"
fi

depends=$(dpkg-deb -f "$deb" Depends)
if grep -q 'libtalloc2' <<<"$depends" && grep -q 'libsystemd0' <<<"$depends" &&
    grep -q 'libc6' <<<"$depends"; then
	pass depends_on_runtime_libraries
else
	flunk depends_on_runtime_libraries "Depends: $depends"
fi

# The maintainer scripts: no start or restart at all, and a fresh install
# must not enable the unit. The postinst runs with stand-ins for the
# systemd helpers that record their calls (a fresh install: the unit was
# never installed, and "was-enabled" answers yes, as it does for new units).
mkdir -p "$work/control" "$work/fakebin"
dpkg-deb -e "$deb" "$work/control"
for tool in deb-systemd-helper deb-systemd-invoke systemctl; do
	cat >"$work/fakebin/$tool" <<EOF_FAKE
#!/bin/sh
echo "$tool \$*" >>"$work/calls"
[ "\$1" = debian-installed ] && exit 1
exit 0
EOF_FAKE
	chmod +x "$work/fakebin/$tool"
done
scripts=$(cat "$work/control"/postinst "$work/control"/prerm \
    "$work/control"/postrm 2>/dev/null)
: >"$work/calls"
if [ -f "$work/control/postinst" ]; then
	PATH=$work/fakebin:$PATH DPKG_MAINTSCRIPT_PACKAGE=xstored \
	    sh "$work/control/postinst" configure "" >/dev/null 2>&1 ||
	    echo "postinst failed" >>"$work/calls"
fi
if grep -Eq 'deb-systemd-invoke +(start|restart)|systemctl +[^|]*(start|restart)' <<<"$scripts"; then
	flunk never_enables_or_starts_the_service "a script starts it:" "$scripts"
elif grep -Eq ' enable|failed' "$work/calls"; then
	flunk never_enables_or_starts_the_service "postinst configure:" \
	    "$(cat "$work/calls")"
else
	pass never_enables_or_starts_the_service
fi

if apt-get install -s "$deb" >"$work/apt.log" 2>&1 &&
    grep -q '^Inst xstored' "$work/apt.log"; then
	pass apt_accepts_it
else
	flunk apt_accepts_it "$(cat "$work/apt.log")"
fi

# Tags about the copyright file or a licence fail (such as
# missing-license-paragraph-in-dep5-copyright,
# license-problem-undefined-license, copyright-without-copyright-notice).
if ! command -v lintian >/dev/null 2>&1; then
	flunk lintian_accepts_the_copyright "lintian is not installed" \
	    "(scripts/deps.sh installs it)"
elif [ -z "$dsc" ]; then
	flunk lintian_accepts_the_copyright "dpkg-source -b failed:" \
	    "$(tail -n 20 "$work/source.log")"
else
	lintian -I --pedantic "$dsc" "$deb" 2>&1 |
	    grep -v '^running with root privileges' >"$work/lintian.log"
	bad=$(grep -Ei '^[EWIPX]: [^:]*: [^ ]*(copyright|dep5|licen[cs]e)' \
	    "$work/lintian.log")
	if [ -n "$bad" ]; then
		flunk lintian_accepts_the_copyright "$bad"
	else
		pass lintian_accepts_the_copyright
	fi
	sed 's/^/    lintian: /' "$work/lintian.log"
fi

if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
	if dpkg -s xstored >/dev/null 2>&1; then
		flunk installs_and_purges "xstored is already installed here"
	elif ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
		installed=yes
		flunk installs_and_purges "$(cat "$work/dpkg.log")"
	else
		installed=yes
		state=$(systemctl is-enabled xstored.service 2>&1)
		if [ "$state" = enabled ]; then
			flunk installs_and_purges "the unit is enabled"
		elif runs_installed; then
			flunk installs_and_purges "an xstored runs after install"
		elif ! /usr/sbin/xstored --version | grep -q "^xstored $version\$"; then
			flunk installs_and_purges "/usr/sbin/xstored --version"
		elif ! dpkg -P xstored >"$work/purge.log" 2>&1; then
			flunk installs_and_purges "$(cat "$work/purge.log")"
		else
			installed=
			pass installs_and_purges
		fi
	fi
fi

if [ -n "$OUTDIR" ]; then
	mkdir -p "$OUTDIR" && cp "$deb" "$OUTDIR"/ && echo "deb: $OUTDIR/$(basename "$deb")"
fi
finish

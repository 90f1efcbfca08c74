# SPDX-License-Identifier: GPL-2.0-only
# What ships: the systemd unit, the man page, make install. (The Debian
# package is tests/ops/deb.sh, run by `make deb` and `make test`.)
# shellcheck shell=bash

# systemd-analyze verify checks that ExecStart's binary exists and that
# the Documentation= man page opens, so it runs on a copy of the unit
# naming the built binary, with MANPATH pointing at our page.
test_systemd_unit_passes_systemd_analyze_verify() {
	command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/deps.sh installs systemd)"
	mkdir -p "$TESTDIR/unit" "$TESTDIR/man/man8"
	sed "s|/usr/sbin/xstored|$XSTORED|" "$ROOT/systemd/xstored.service" \
	    >"$TESTDIR/unit/xstored.service"
	cp "$ROOT/docs/xstored.8" "$TESTDIR/man/man8/"
	MANPATH=$TESTDIR/man ok systemd-analyze verify \
	    "$TESTDIR/unit/xstored.service"
	[ ! -s "$ERR" ] || { show_outputs systemd-analyze; fail "warnings"; }
}

test_systemd_unit_is_shaped_like_xens() {
	local u=$ROOT/systemd/xstored.service
	has "$u" '^Type=notify$'
	has "$u" '^NotifyAccess=all$'
	has "$u" '^RemainAfterExit=true$'
	has "$u" '^RefuseManualStop=true$'
	has "$u" '^ConditionPathExists=/proc/xen/capabilities$'
	has "$u" '^ExecStartPre=/bin/grep -q control_d /proc/xen/capabilities$'
	has "$u" '^ExecStart=/usr/sbin/xstored --no-fork --pid-file /run/xen/xenstored.pid \$XENSTORED_ARGS$'
	has "$u" '^Alias=xenstored.service$'
}

test_man_page_renders_without_warnings() {
	ok groff -man -ww -z "$ROOT/docs/xstored.8"
	[ ! -s "$ERR" ] || { show_outputs groff; fail "groff warnings"; }
	MANWIDTH=80 ok man -l "$ROOT/docs/xstored.8"
	has "$OUT" 'xstored - '
	# Every long option the daemon accepts is documented.
	local opt
	for opt in pid-file no-fork trace-file trace-control access-log \
	    entry-nb entry-size watch-nb transaction perm-nb path-max quota \
	    quota-soft timeout keep-orphans master-domid priv-domid event \
	    live-update no-domain-init no-recovery internal-db verbose \
	    output-pid hypervisor help version config-file config-test \
	    no-access-log disable-socket reraise-top-level restart live; do
		grep -qF -- "\\-\\-${opt//-/\\-}" "$ROOT/docs/xstored.8" ||
		    fail "xstored.8 does not mention --$opt"
	done
}

test_make_install_puts_files_where_debian_expects_them() {
	local dest=$TESTDIR/root
	ok make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr
	[ -x "$dest/usr/sbin/xstored" ] || fail "no /usr/sbin/xstored"
	cmp -s "$dest/lib/systemd/system/xstored.service" \
	    "$ROOT/systemd/xstored.service" || fail "unit not installed as is"
	cmp -s "$dest/usr/share/man/man8/xstored.8" "$ROOT/docs/xstored.8" ||
	    fail "man page not installed"
}

test_make_install_with_another_prefix_fixes_the_unit() {
	local dest=$TESTDIR/root
	ok make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$dest" \
	    PREFIX=/usr/local
	[ -x "$dest/usr/local/sbin/xstored" ] || fail "no /usr/local/sbin/xstored"
	has "$dest/usr/local/lib/systemd/system/xstored.service" \
	    '^ExecStart=/usr/local/sbin/xstored '
	[ -f "$dest/usr/local/share/man/man8/xstored.8" ] || fail "no man page"
}

# The documented switch, done on a scratch root (systemctl --root needs no
# running systemd): enabling xstored.service makes the name
# xenstored.service point at it, shadowing Xen's unit; the way back
# restores Xen's.
test_systemd_unit_switch_with_xens_unit_and_back() {
	command -v systemctl >/dev/null || fail "systemctl is missing"
	local r=$TESTDIR/root u=$TESTDIR/root/lib/systemd/system
	mkdir -p "$u" "$r/etc/systemd/system"
	cp "$ROOT/systemd/xstored.service" "$u/"
	# Xen's unit and one that requires it, as Xen installs them.
	printf '%s\n' '[Unit]' 'Description=The Xen xenstore' '[Service]' \
	    'Type=notify' 'ExecStart=/usr/lib/xen/bin/launch-xenstore' \
	    '[Install]' 'WantedBy=multi-user.target' >"$u/xenstored.service"
	ok systemctl --root="$r" enable xenstored.service
	ok systemctl --root="$r" disable xenstored.service
	ok systemctl --root="$r" enable xstored.service
	[ "$(readlink "$r/etc/systemd/system/xenstored.service")" = \
	    /lib/systemd/system/xstored.service ] ||
	    fail "xenstored.service does not point at xstored.service"
	ok systemctl --root="$r" disable xstored.service
	ok systemctl --root="$r" enable xenstored.service
	[ ! -e "$r/etc/systemd/system/xenstored.service" ] ||
	    fail "the alias is still there"
	[ "$(readlink "$r/etc/systemd/system/multi-user.target.wants/xenstored.service")" = \
	    /lib/systemd/system/xenstored.service ] || fail "Xen's unit is not back"
}

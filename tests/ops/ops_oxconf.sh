# SPDX-License-Identifier: GPL-2.0-only
# oxenstored's configuration file (--config-file) and options: Debian's own
# /etc/xen/oxenstored.conf, a hand-tuned one with every key changed, broken
# ones, and the command line winning over the file (issue 16).
# shellcheck shell=bash

DEBIAN_CONF=/etc/xen/oxenstored.conf

# The package's file, copied as it is (the test needs xen-utils-common).
debian_conf() {
	[ -r "$DEBIAN_CONF" ] || fail "$DEBIAN_CONF is missing (xen-utils-common)"
	cp "$DEBIAN_CONF" "$TESTDIR/oxenstored.conf"
	grep -q '^quota-maxentity = 1000$' "$TESTDIR/oxenstored.conf" ||
	    fail "$DEBIAN_CONF is not Debian's default"
}

# quota_line NAME VALUE: `xenstore-control quota` output ($OUT) shows it.
oxquota() {
	has "$OUT" "^$1 *: +$2 "
}

# Every key oxenstored's Debian file sets, each to another value where
# xstored has another (the others are tested as refusals below), and the
# logging keys it leaves commented out.
tuned_conf() {
	cat >"$TESTDIR/tuned.conf" <<EOF_CONF
# hand-tuned
pid-file = $TESTDIR/ox.pid
test-eagain = false
merge-activate = true
conflict-burst-limit = 7.5
conflict-max-history-seconds = 0.2
conflict-rate-limit-is-aggregate = false
perms-activate = true
perms-watch-activate = true
quota-activate = true
quota-maxentity = 321
quota-maxsize = 1500
quota-maxwatch = 42
quota-transaction = 4
quota-maxrequests = 77
quota-path-max = 900
quota-maxoutstanding = 33
quota-maxwatchevents = 55
persistent = false
xenstored-log-file = $TESTDIR/xenstored.log
xenstored-log-level = info
xenstored-log-nb-files = 3
xenstored-log-nb-lines = 1000
xenstored-log-nb-chars = 300
	access-log-file = $TESTDIR/access.log
access-log-nb-files = 3
access-log-nb-lines = 6
access-log-nb-chars = 70
access-log-read-ops = true
access-log-transactions-ops = true
access-log-special-ops = true
ring-scan-interval = 10
gc-max-overhead = 150
allow-debug = false
xenstored-kva = /proc/xen/xsd_kva
xenstored-port = /proc/xen/xsd_port
EOF_CONF
}

test_oxconf_debian_file_sets_oxenstoreds_quotas() {
	debian_conf
	start_forking --config-file "$TESTDIR/oxenstored.conf" \
	    --access-log "$TESTDIR/access"
	ok "$CONTROL" quota
	oxquota nodes 1000		# quota-maxentity
	oxquota node-size 2048		# quota-maxsize
	oxquota watches 100		# quota-maxwatch
	oxquota transactions 10		# quota-transaction
	oxquota transaction-nodes 1024	# quota-maxrequests
	oxquota outstanding 1024	# quota-maxoutstanding
	oxquota path-max 1024		# quota-path-max
	ok xenstore-write /ops/a 1
	stop_forking
	# oxenstored's access log: reads are left out by default.
	has "$TESTDIR/access" 'write +/ops/a 1$'
}

test_oxconf_hand_tuned_file_every_key_applies() {
	local st=0 pid
	tuned_conf
	# As an administrator's XENSTORED_ARGS: the pid file is the file's.
	timeout -k 2 "$WAIT_SECONDS" "$XSTORED" --config-file "$TESTDIR/tuned.conf" \
	    </dev/null >"$TESTDIR/start.out" 2>"$TESTDIR/start.err" || st=$?
	[ -f "$TESTDIR/ox.pid" ] && track "$(cat "$TESTDIR/ox.pid")"
	[ "$st" -eq 0 ] || fail "exit $st: $(cat "$TESTDIR/start.err")"
	pid=$(cat "$TESTDIR/ox.pid")
	ok "$CONTROL" quota
	oxquota nodes 321
	oxquota node-size 1500
	oxquota watches 42
	oxquota transactions 4
	oxquota transaction-nodes 77
	oxquota outstanding 33
	oxquota path-max 900
	ok xenstore-write /ops/a 1
	ok xenstore-read /ops/a
	ok xenstore-write /ops/long "$(printf '%080d' 0)"
	kill -TERM "$pid"
	wait_until "xstored to exit" gone "$pid"
	wait_until "the pid file to go" test ! -e "$TESTDIR/ox.pid"
	# The daemon's log in oxenstored's file format, at level info.
	has "$TESTDIR/xenstored.log" \
	    '^\[[0-9]{8}T[0-9:.]{12}Z\| info\|xenstored\] .*quota-maxentity = 321 applied as quota nodes = 321$'
	has "$TESTDIR/xenstored.log" 'accepted with no effect.*conflict-burst-limit'
	has "$TESTDIR/xenstored.log" 'ring-scan-interval = 10: rings scanned every 10 s$'
	# The access log: read ops on, rotated after 6 lines (3 files at
	# most), lines cut at 69 characters ending in "..".
	[ -e "$TESTDIR/access.log.1" ] || fail "the access log was not rotated"
	[ ! -e "$TESTDIR/access.log.3" ] || fail "more than 3 access log files"
	cat "$TESTDIR"/access.log* >"$TESTDIR/access.all"
	has "$TESTDIR/access.all" 'read +/ops/a'
	has "$TESTDIR/access.all" 'write +/ops/long 0+\.\.$'
	if awk 'length($0) > 69 { exit 1 }' "$TESTDIR/access.all"; then :; else
		fail "an access log line is longer than access-log-nb-chars - 1"
	fi
	[ "$(wc -l <"$TESTDIR/access.log")" -le 7 ] || fail "access.log not rotated at 6 lines"
}

test_oxconf_quota_activate_false_turns_node_quotas_off() {
	debian_conf
	sed -i 's/^quota-activate = true$/quota-activate = false/' \
	    "$TESTDIR/oxenstored.conf"
	start_forking --config-file "$TESTDIR/oxenstored.conf" --no-access-log
	ok "$CONTROL" quota
	oxquota nodes 0
	oxquota node-size 0
	oxquota watches 100
	stop_forking
}

test_oxconf_command_line_wins_and_the_log_says_so() {
	debian_conf
	start_foreground --config-file "$TESTDIR/oxenstored.conf" \
	    --no-access-log --hypervisor none -E 500 -W 7 -M 600 \
	    --pid-file "$TESTDIR/xstored.pid"
	ok "$CONTROL" quota
	oxquota nodes 500
	oxquota watches 7
	oxquota path-max 600
	oxquota transactions 10
	stop_foreground
	has "$TESTDIR/daemon.log" 'oxenstored.conf:[0-9]+: quota-maxentity = 1000 overridden by the command line: quota nodes = 500$'
	has "$TESTDIR/daemon.log" 'quota-maxwatch = 100 overridden by the command line: quota watches = 7$'
	has "$TESTDIR/daemon.log" 'quota-transaction = 10 applied as quota transactions = 10$'
	has "$TESTDIR/daemon.log" 'access log: off \(--no-access-log\)$'
	has "$TESTDIR/daemon.log" 'pid-file = /var/run/xen/xenstored.pid overridden by the command line: '
}

# broken NAME LINE REGEX: FILE $TESTDIR/NAME fails the start with exit
# status 2 and a message naming it (and LINE, unless empty), matching REGEX.
broken() {
	local f=$TESTDIR/$1
	status 2 "$XSTORED" -N --hypervisor none --config-file "$f"
	if [ -n "$2" ]; then
		has "$ERR" "^xstored: $f:$2: $3"
	else
		has "$ERR" "^xstored: --config-file $f: $3"
	fi
	[ ! -s "$OUT" ] || fail "stdout: $(cat "$OUT")"
	[ ! -e "$XENSTORED_PATH" ] || fail "$1 made a socket"
}

test_oxconf_broken_files_exit_2_naming_file_and_line() {
	debian_conf
	cp "$TESTDIR/oxenstored.conf" "$TESTDIR/unknown.conf"
	echo 'acesss-log-nb-chars = 180' >>"$TESTDIR/unknown.conf"
	broken unknown.conf "$(wc -l <"$TESTDIR/unknown.conf")" \
	    "unknown key 'acesss-log-nb-chars'"
	sed 's/^quota-maxentity = 1000$/quota-maxentity = 1O00/' \
	    "$TESTDIR/oxenstored.conf" >"$TESTDIR/number.conf"
	broken number.conf "$(grep -n maxentity "$TESTDIR/number.conf" | cut -d: -f1)" \
	    'quota-maxentity = 1O00: expected a whole number'
	printf 'quota-maxwatch = 0\n' >"$TESTDIR/zero.conf"
	broken zero.conf 1 'quota-maxwatch = 0: expected a whole number from 1'
	printf '\nperms-activate = false\n' >"$TESTDIR/perms.conf"
	broken perms.conf 2 'perms-activate = false is not supported: '
	printf 'persistent = true\n' >"$TESTDIR/persistent.conf"
	broken persistent.conf 1 'persistent = true is not supported: '
	printf 'test-eagain = yes\n' >"$TESTDIR/bool.conf"
	broken bool.conf 1 'test-eagain = yes: expected true or false$'
	printf 'access-log-file = syslog:nosuch\n' >"$TESTDIR/facility.conf"
	broken facility.conf 1 "access-log-file = syslog:nosuch: unknown syslog facility 'nosuch'"
	printf 'quota-maxwatch 5\n' >"$TESTDIR/syntax.conf"
	broken syntax.conf 1 "'quota-maxwatch 5': expected KEY = VALUE$"
	broken no-such.conf "" 'No such file or directory$'
	mkdir "$TESTDIR/dir.conf"
	broken dir.conf "" 'Is a directory$'
	# Unreadable for the user running xstored (root reads anything:
	# then the test drops to nobody).
	printf 'quota-maxwatch = 5\n' >"$TESTDIR/secret.conf"
	chmod 000 "$TESTDIR/secret.conf"
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		chmod 755 "$TESTDIR"
		status 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$XSTORED" -N --hypervisor none \
		    --config-file "$TESTDIR/secret.conf"
		has "$ERR" "^xstored: --config-file $TESTDIR/secret.conf: Permission denied$"
	elif [ "$(id -u)" != 0 ]; then
		broken secret.conf "" 'Permission denied$'
	fi
}

test_oxconf_config_test_checks_the_file_and_exits() {
	debian_conf
	ok "$XSTORED" --config-file "$TESTDIR/oxenstored.conf" --config-test
	has "$OUT" "^Configuration valid at $TESTDIR/oxenstored.conf\$"
	[ ! -e "$XENSTORED_PATH" ] || fail "--config-test made a socket"
	printf 'nonsense = 1\n' >"$TESTDIR/bad.conf"
	status 2 "$XSTORED" --config-file "$TESTDIR/bad.conf" --config-test
	has "$ERR" "bad.conf:1: unknown key 'nonsense'"
	status 2 "$XSTORED" --config-test
	has "$ERR" 'needs --config-file'
}

test_oxconf_oxenstored_options_with_its_meanings() {
	# --disable-socket: no socket; the daemon runs until SIGTERM.
	start_forking --disable-socket --no-access-log --hypervisor none
	[ ! -e "$XENSTORED_PATH" ] || fail "--disable-socket made a socket"
	alive "$daemon_pid" || fail "xstored --disable-socket is not running"
	kill -TERM "$daemon_pid"
	wait_until "xstored to exit" gone "$daemon_pid"
	# Accepted: --reraise-top-level (no effect), --no-domain-init,
	# --no-fork (tested elsewhere), -T.
	start_forking --reraise-top-level --no-domain-init -T "$TESTDIR/trace"
	ok xenstore-write /ops/x 1
	stop_forking
	has "$TESTDIR/trace" 'WRITE \(/ops/x 1\)$'
	# Refused with the reason: --restart, --live.
	status 2 "$XSTORED" -N --restart
	has "$ERR" '^xstored: --restart is not supported: '
	status 2 "$XSTORED" -N --live
	has "$ERR" '^xstored: --live is not supported: '
	status 2 "$XSTORED" -N --no-access-log --access-log "$TESTDIR/a"
	has "$ERR" 'contradict'
	ok "$XSTORED" --help
	has "$OUT" '--config-file FILE'
	has "$OUT" '--disable-socket'
}

test_oxconf_access_log_file_in_the_file_and_no_access_log() {
	debian_conf
	echo "access-log-file = $TESTDIR/fromfile.log" >>"$TESTDIR/oxenstored.conf"
	start_forking --config-file "$TESTDIR/oxenstored.conf"
	ok xenstore-write /ops/a 1
	ok xenstore-read /ops/a
	stop_forking
	has "$TESTDIR/fromfile.log" '^\[[0-9]{8}T[0-9:.]{12}Z\]  A[0-9]+ +write +/ops/a 1$'
	lacks "$TESTDIR/fromfile.log" 'read +/ops/a'
	rm "$TESTDIR/fromfile.log"
	start_forking --config-file "$TESTDIR/oxenstored.conf" --no-access-log
	ok xenstore-write /ops/a 1
	stop_forking
	[ ! -e "$TESTDIR/fromfile.log" ] || fail "--no-access-log wrote the file's log"
}

test_oxconf_syslog_targets_are_accepted() {
	printf 'xenstored-log-file = syslog:local3\nxenstored-log-level = debug\naccess-log-file = syslog:local4\n' \
	    >"$TESTDIR/syslog.conf"
	start_foreground --config-file "$TESTDIR/syslog.conf" \
	    --hypervisor none
	ok xenstore-write /ops/a 1
	stop_foreground
	# Through syslog (local3); the foreground copy on stderr shows it.
	has "$TESTDIR/daemon.log" 'access log: syslog \(.*syslog.conf:3\)$'
	has "$TESTDIR/daemon.log" 'serving '
}

# The access log's default path with --config-file is oxenstored's. The
# test mounts a tmpfs over /var/log/xen in a mount namespace of its own,
# so the host's log is never touched (needs root; else it says so).
test_oxconf_access_log_defaults_to_oxenstoreds_path() {
	debian_conf
	if [ "$(id -u)" != 0 ] || [ ! -d /var/log/xen ]; then
		echo "not root or no /var/log/xen: default path not tested"
		return 0
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	XENSTORED_PATH=$XENSTORED_PATH timeout -k 2 30 \
	    unshare --mount --propagation private bash -c '
		set -u
		mount -t tmpfs xstored-test /var/log/xen || exit 3
		timeout -k 1 20 "$1" -N --hypervisor none --config-file "$2" \
		    --pid-file "$3/xstored.pid" >"$3/daemon.log" 2>&1 &
		pid=$!
		for i in $(seq 500); do
			timeout 2 xenstore-write /ops/a 1 2>/dev/null && break
			sleep 0.02
		done
		kill -TERM "$pid"
		wait "$pid" || exit 4
		cp /var/log/xen/xenstored-access.log "$3/default-access.log"
	' _ "$XSTORED" "$TESTDIR/oxenstored.conf" "$TESTDIR" ||
	    fail "the run in a mount namespace failed ($?): $(cat "$TESTDIR/daemon.log")"
	has "$TESTDIR/daemon.log" "access log: /var/log/xen/xenstored-access.log \\(oxenstored's default\\)$"
	has "$TESTDIR/default-access.log" 'write +/ops/a 1$'
}

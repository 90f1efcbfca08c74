#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0's /init in the xen-vm rig (tests/xen-vm, docs/xen-vm.md).
# Kernel command line: xsd=xstored (ours, the default), xsd=debian (Debian's
# C xenstored, the control), xsd=oxenstored (Debian's OCaml daemon, with
# Debian's oxenstored.conf) or xsd=xstored-broken (the negative control: an
# xstored whose ring reset never clears the connection word; only the HVM
# firmware scenario runs, and it must fail). Every step prints
# "XVM <step> ok|FAIL t=<secs>" on the console (hvc0 -> Xen's serial);
# run.sh turns them into pass/fail. Every wait is bounded: a broken daemon
# gives a FAIL line, never a hang.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run && mkdir -p /run/xen /run/xenstored /var/run
exec </dev/console >/dev/console 2>&1

XSD=xstored LUCHAIN=xstored:xstored-next:debian ONLY=
for a in $(cat /proc/cmdline); do
	case $a in xsd=*) XSD=${a#xsd=} ;; luchain=*) LUCHAIN=${a#luchain=} ;;
	xvmonly=*) ONLY=${a#xvmonly=} ;; esac
done
# run NAME: whether the scenario NAME runs (xvmonly=NAME:NAME... from
# run.sh's XEN_VM_ONLY keeps only those; by default every one runs). Lists
# are ':'-separated: QEMU's -initrd splits its argument on ','.
run() { [ -z "$ONLY" ] || case ":$ONLY:" in *":$1:"*) ;; *) false ;; esac; }
FAILS=0
now() { cut -d' ' -f1 /proc/uptime; }
ok() { echo "XVM $1 ok t=$(now) $2"; }
fail() { echo "XVM $1 FAIL t=$(now) $2"; FAILS=$((FAILS + 1)); }
# step NAME SECS CMD...: run CMD bounded by SECS, mark ok/FAIL.
step() {
	n=$1 s=$2; shift 2
	if timeout "$s" "$@" > /tmp/step.out 2>&1; then ok "$n"; else
		rc=$?; fail "$n" "rc=$rc"; sed 's/^/XVM|  /' /tmp/step.out | tail -n 30; return 1; fi
}
# wait_key NAME SECS KEY: poll until KEY exists (value in $VAL).
wait_key() {
	n=$1 s=$2 k=$3 end=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
	i=0
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		if VAL=$(timeout 5 xenstore-read "$k" 2>/dev/null); then ok "$n" "$k=$VAL"; return 0; fi
		sleep 1
		# A slow boot (the HVM guest under nested emulation) shows progress.
		i=$((i + 1))
		if [ -n "${PROGRESS:-}" ] && [ $((i % 20)) = 0 ]; then
			echo "XVM|  waiting ${i}s: $(tail -c 300 "$PROGRESS" 2>/dev/null | tr -d '\r' | tail -n 1 | cut -c1-150)"
		fi
	done
	fail "$n" "$k not written within ${s}s"; return 1
}
# wait_gone NAME SECS DOMID: until xl list no longer shows DOMID.
wait_gone() {
	n=$1 s=$2 d=$3 end=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		timeout 10 xl list "$d" >/dev/null 2>&1 || { ok "$n" "domain $d gone"; return 0; }
		sleep 1
	done
	fail "$n" "domain $d still listed after ${s}s"; return 1
}
# diag: what the daemon is doing (after a failed step).
diag() {
	echo "XVM|  --- diagnostics"
	pid=$(cat /run/xenstore.pid 2>/dev/null)
	ps -o pid,stat,args 2>/dev/null | grep -v ' \[' | sed 's/^/XVM|  ps: /'
	ls -la /var/run/xenstored /run 2>&1 | sed 's/^/XVM|  ls: /'
	if [ -n "$pid" ] && [ -d /proc/$pid ]; then
		echo "XVM|  pid $pid wchan=$(cat /proc/$pid/wchan 2>/dev/null) $(grep State /proc/$pid/status)"
		cat /proc/$pid/stack 2>/dev/null | sed 's/^/XVM|  stack: /'
		ls -l /proc/$pid/fd 2>&1 | sed 's/^/XVM|  fd: /'
	else echo "XVM|  daemon pid '$pid' not running"; fi
	echo "XVM|  xsd_port=$(cat /proc/xen/xsd_port 2>&1)"
	tail -n 40 /var/log/messages 2>/dev/null | cut -c1-220 | sed 's/^/XVM|  syslog: /'
	tail -n 20 /var/log/xen/xenstored.log 2>/dev/null | cut -c1-220 | sed 's/^/XVM|  oxenstored: /'
}
finish() {
	[ "$FAILS" -ne 0 ] && diag
	echo "XVM|  --- xl list"; timeout 10 xl list 2>&1 | sed 's/^/XVM|  /'
	for f in /var/log/xen/console/guest-*.log /var/log/xen/*-serial.log \
	    /var/log/xen/qemu-dm-*.log; do
		[ -f "$f" ] || continue
		echo "XVM|  --- $f (tail)"; tail -n ${TAILN:-25} "$f" | sed 's/^/XVM|  /'
	done
	if [ "$FAILS" -ne 0 ] && [ -f /var/log/xen/xenstored-trace.log ]; then
		echo "XVM|  --- xenstored trace (tail)"
		tail -n 60 /var/log/xen/xenstored-trace.log | cut -c1-200 | sed 's/^/XVM|  /'
	fi
	grep -a 'connection' $TRACE 2>/dev/null | tail -n 12 | cut -c1-160 | sed 's/^/XVM|  trace: /'
	# Error replies by errno: compare the two daemons' logs side by side.
	echo "XVM|  trace: $(grep -Eac '(^|: )IN ' $TRACE 2>/dev/null) requests in, $(grep -Eac '(^|: )OUT ' $TRACE 2>/dev/null) packets out"
	grep -Ea '(^|: )OUT .* ERROR \(' $TRACE 2>/dev/null | sed 's/.* ERROR (\([A-Z]*\).*/\1/' | sort | uniq -c |
		sed 's/^/XVM|  trace errors: /'
	if [ "$FAILS" -eq 0 ]; then echo "XVM RESULT PASS xsd=$XSD t=$(now)"
	else echo "XVM RESULT FAIL xsd=$XSD fails=$FAILS t=$(now)"; fi
	echo "XVM END"
	sync
	poweroff -f
	sleep 100000
}

# busybox 1.35's syslogd has no -s: with it, syslogd never started and no
# daemon's log reached /var/log/messages.
syslogd -O /var/log/messages
ok init "xsd=$XSD kernel=$(uname -r)"
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod /modules/$m.ko || fail "insmod-$m"
done
mkdir -p /proc/xen
mount -t xenfs xenfs /proc/xen || fail mount-xenfs
grep -q control_d /proc/xen/capabilities && ok xenfs "$(ls /proc/xen | tr '\n' ' ')" || fail xenfs "no control_d"
ls /dev/xen >/dev/null 2>&1 && ok devxen "$(ls /dev/xen | tr '\n' ' ')" || fail devxen

# Start the daemon as Xen's scripts do: forking, pid file, then wait (30 s)
# for a socket reply (Debian's /etc/init.d/xen: xenstore-read -s /).
TRACE=/var/log/xen/xenstored-trace.log
case $XSD in
debian|live-update) DAEMON="/usr/lib/xen-4.17/bin/xenstored --pid-file /run/xenstore.pid -T $TRACE" ;;
oxenstored) DAEMON="/usr/lib/xen-4.17/bin/oxenstored --pid-file /run/xenstore.pid" ;;
xstored-broken) DAEMON="/usr/sbin/xstored-broken --pid-file /run/xenstore.pid -T $TRACE" ;;
*)      DAEMON="/usr/sbin/xstored --pid-file /run/xenstore.pid -T $TRACE" ;;
esac
echo "XVM|  starting: $DAEMON"
T0=$(now)
if timeout 30 $DAEMON > /tmp/daemon.out 2>&1; then ok daemon-start "parent exited 0"
else fail daemon-start "rc=$?"; fi
sed 's/^/XVM|  daemon: /' /tmp/daemon.out
end=$(( $(cut -d. -f1 /proc/uptime) + 30 )); up=
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
	if timeout 5 xenstore-read -s / >/dev/null 2>&1; then up=1; break; fi
	sleep 0.2
done
if [ -n "$up" ]; then ok daemon-ready "pid=$(cat /run/xenstore.pid 2>/dev/null) since-start=$(echo "$(now) $T0" | awk '{print $1-$2}')s"
else fail daemon-ready "no reply to xenstore-read -s / in 30 s"; finish; fi
[ -s /run/xenstore.pid ] && kill -0 "$(cat /run/xenstore.pid)" && ok pidfile || fail pidfile
step xen-init-dom0 60 xen-init-dom0 || finish

# teardown NAME HOW DOMID: HOW (shutdown: xl shutdown -w; destroy: xl
# destroy), then the domain, its subtree and its connection must be gone and
# @releaseDomain must have fired.
teardown() {
	name=$1 how=$2 id=$3 home=/local/domain/$3
	# @releaseDomain: the watch fires once at registration, then per death.
	rm -f /tmp/rel.log
	timeout 120 xenstore-watch @releaseDomain > /tmp/rel.log 2>&1 &
	wp=$!
	sleep 1
	if [ "$how" = shutdown ]; then step "$name-xl-shutdown" 90 xl shutdown -w "$name" || timeout 30 xl destroy "$name"
	else step "$name-xl-destroy" 60 xl destroy "$name"; fi
	wait_gone "$name-gone" 60 "$id"
	end=$(( $(cut -d. -f1 /proc/uptime) + 20 ))
	while [ "$(wc -l < /tmp/rel.log)" -lt 2 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do sleep 0.5; done
	n=$(grep -c releaseDomain /tmp/rel.log)
	[ "$n" -ge 2 ] && ok "$name-releaseDomain" "events=$n" || fail "$name-releaseDomain" "events=$n: $(tr '\n' ' ' < /tmp/rel.log)"
	kill $wp 2>/dev/null
	if timeout 5 xenstore-exists $home 2>/dev/null; then
		fail "$name-subtree-gone" "$home still exists"; timeout 5 xenstore-ls $home 2>&1 | head -n 10 | sed 's/^/XVM|  /'
	else ok "$name-subtree-gone"; fi
	# xstored's trace names each connection's domain: its ring connection
	# must be destroyed (the other daemons do not name the domain: skipped,
	# also when a live update has handed over to one of them).
	c=$(grep -c "CREATE connection .* (d$id)" $TRACE 2>/dev/null)
	case $(readlink /proc/"$(cat /run/xenstore.pid 2>/dev/null)"/exe 2>/dev/null) in
	/usr/sbin/xstored*) ;;
	*) c=0 ;;
	esac
	if [ "${c:-0}" -gt 0 ]; then
		x=$(grep -c "DESTROY connection .* (d$id)" $TRACE)
		[ "$x" -ge "$c" ] && ok "$name-conn-gone" "created=$c destroyed=$x" ||
			fail "$name-conn-gone" "created=$c destroyed=$x"
	fi
}

# create NAME CFG: xl create from CFG with @NAME@ replaced; sets $id.
create() {
	name=$1
	sed "s/@NAME@/$name/g" "$2" > /tmp/$name.cfg
	t=$(now)
	step "$name-create" 180 xl create /tmp/$name.cfg || { sed 's/^/XVM|  /' /tmp/step.out; return 1; }
	ok "$name-create-time" "xl-create=$(echo "$(now) $t" | awk '{print $1-$2}')s"
	id=$(timeout 10 xl domid "$name") && ok "$name-domid" "domid=$id" || { fail "$name-domid"; return 1; }
	timeout 10 xl list | sed 's/^/XVM|  /'
}

# guest_cycle NAME HOW CFG READY_SECS: a Linux guest (PV, or HVM booted
# directly after hvmloader and SeaBIOS) runs guest-init.sh: its handshake
# with dom0 over xenstore, then teardown.
guest_cycle() {
	name=$1 how=$2
	create "$name" "$3" || return 1
	home=/local/domain/$id
	# The guest writes data/hello, registers a watch on data/from-dom0,
	# then writes data/guest-ready.
	PROGRESS=/var/log/xen/$name-serial.log
	wait_key "$name-guest-ready" "$4" $home/data/guest-ready || { PROGRESS=; return 1; }
	PROGRESS=
	# An HVM guest's ring was first hvmloader's, handed over before the
	# kernel's xenbus connected.
	case $3 in *hvm*) handshake_seen "$name" "$id" ;; esac
	ok "$name-guest-ready-time" "create-to-ready=$(echo "$(now) $t" | awk '{print $1-$2}')s"
	VAL=
	timeout 5 xenstore-read $home/data/hello > /tmp/hello 2>&1 && ok "$name-read-guest-key" "$(cat /tmp/hello)" ||
		fail "$name-read-guest-key" "$(cat /tmp/hello)"
	step "$name-write-for-guest" 10 xenstore-write $home/data/from-dom0 "hello-$id"
	wait_key "$name-guest-saw-watch" 60 $home/data/result || return 1
	[ "$VAL" = "ok hello-$id" ] && ok "$name-guest-result" || fail "$name-guest-result" "got '$VAL'"
	teardown "$name" "$how" "$id"
	ok "$name-cycle-time" "total=$(echo "$(now) $t" | awk '{print $1-$2}')s"
}

# wait_dmesg NAME SECS DOMID TEXT: until Xen's console has a "(dDOMID)"
# line with TEXT (hvmloader and SeaBIOS write to port 0xe9).
wait_dmesg() {
	n=$1 s=$2 d=$3 text=$4 end=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		if timeout 10 xl dmesg 2>/dev/null | grep -a "(d$d)" | grep -qa "$text"; then
			ok "$n" "after=$(echo "$(now) $t" | awk '{print $1-$2}')s"; return 0; fi
		sleep 0.2
	done
	fail "$n" "no '(d$d) ... $text' in xl dmesg within ${s}s"
	timeout 10 xl dmesg 2>/dev/null | grep -a "(d$d)" | tail -n 8 | sed 's/^/XVM|  /'
	return 1
}

# handshake_seen NAME DOMID: the daemon's own record of hvmloader's
# reconnection (xstored: its info log line and its trace; oxenstored: its
# log; Debian's C daemon neither advertises the feature nor logs).
handshake_seen() {
	name=$1 id=$2
	case $XSD in
	xstored*)
		l=$(grep -a "domain $id: ring reconnected by the guest" /var/log/messages | head -n 1)
		tr=$(grep -a "RECONNECT connection .* (d$id)" $TRACE | head -n 1)
		[ -n "$l" ] && ok "$name-reconnect-logged" "$(echo "$l" | cut -c1-200)" ||
			fail "$name-reconnect-logged" "no info line in /var/log/messages"
		[ -n "$tr" ] && ok "$name-reconnect-traced" "$(echo "$tr" | cut -c1-200)" ||
			fail "$name-reconnect-traced" "no RECONNECT line in $TRACE" ;;
	oxenstored)
		l=$(grep -a "D$id requests a reconnect" /var/log/xen/xenstored.log | head -n 1)
		[ -n "$l" ] && ok "$name-reconnect-logged" "$(echo "$l" | cut -c1-200)" ||
			fail "$name-reconnect-logged" "no 'D$id requests a reconnect' in xenstored.log" ;;
	esac
}

# hvm_firmware NAME: an HVM guest with no disk. hvmloader reads its keys
# over the ring, hands the ring back (with xstored and oxenstored by the
# reconnection handshake, which it waits for without a timeout; with C by
# filling it with 0xff) and invokes SeaBIOS. Right after, dom0 reads the
# ring page: each daemon's path leaves its own state.
hvm_firmware() {
	name=$1
	case $XSD in
	debian) want="features=0x0 connection=0 error=0 idx=0,0,0,0 req=ff rsp=ff" ;;
	oxenstored) want="features=0x1 connection=0 error=0 idx=0,0,0,0 req=ff rsp=ff" ;;
	xstored) want="features=0xf connection=0 error=0 idx=0,0,0,0 req=deadbeef rsp=deadbeef" ;;
	# The broken reset scrubs but leaves the guest's word set.
	xstored-broken) want="features=0xf connection=1 error=0 idx=0,0,0,0 req=deadbeef rsp=deadbeef" ;;
	esac
	create "$name" /etc/xen/hvm-nodisk.cfg || return 1
	wait_dmesg "$name-invoking-seabios" "$HVM_WAIT" "$id" "Invoking SeaBIOS"
	peek=$(timeout 10 ringpeek "$id" 2>&1)
	[ "$peek" = "$want" ] && ok "$name-ring-state" "$peek" || fail "$name-ring-state" "got '$peek' want '$want'"
	# hvmloader's reads (relative paths, one at a time) reached the daemon.
	case $XSD in
	oxenstored) f=/var/log/xen/xenstored-access.log ;;
	*) f=$TRACE ;;
	esac
	r=$(grep -a 'hvmloader/bios' "$f" 2>/dev/null | grep -ac -e READ -e read)
	a=$(grep -a -e 'bios-strings/' -e 'platform/' "$f" 2>/dev/null | grep -ac -e READ -e read)
	[ "${r:-0}" -ge 1 ] && ok "$name-hvmloader-reads" "hvmloader/bios=$r bios-strings+platform=$a in $f" ||
		fail "$name-hvmloader-reads" "no read of hvmloader/bios in $f"
	handshake_seen "$name" "$id"
	# hvmloader waits with the word set and sends no event: xstored resets
	# on an event or its periodic scan, never in a loop (the broken build
	# shows it best: the word stays 1 for the whole wait).
	case $XSD in xstored*)
		n=$(grep -c "RECONNECT connection .* (d$id)" $TRACE)
		[ "$n" -le 100 ] && ok "$name-no-reset-loop" "resets=$n" ||
			fail "$name-no-reset-loop" "resets=$n: the ring was reset in a loop" ;;
	esac
	teardown "$name" destroy "$id"
	ok "$name-cycle-time" "total=$(echo "$(now) $t" | awk '{print $1-$2}')s"
}

# lu_bin NAME: the daemon binary for a name in luchain.
lu_bin() {
	case $1 in
	debian) echo /usr/lib/xen-4.17/bin/xenstored ;;
	xstored) echo /usr/sbin/xstored ;;
	xstored-next) echo /usr/sbin/xstored-next ;;
	*) echo "/nonexistent/$1" ;;
	esac
}

# lu_hop K NAME: live-updates dom0's daemon to NAME (xenstore-control
# live-update, as an administrator would) while PV guest $id runs. The same
# process must then run NAME's binary, the tree must be there, and the
# guest's connection and both watches must have come across: dom0 writes
# data/from-dom0, the guest's watch fires and it answers in data/result
# (a read and a write over its ring), and dom0's watch on data/result fires.
lu_hop() {
	k=$1 bin=$(lu_bin "$2") home=/local/domain/$id
	pid=$(cat /run/xenstore.pid 2>/dev/null)
	t=$(now)
	step "lu$k-to-$2" 120 xenstore-control live-update -t 30 "$bin" || {
		sed 's/^/XVM|  /' /tmp/step.out; return 1; }
	ok "lu$k-time" "update=$(echo "$(now) $t" | awk '{print $1-$2}')s"
	exe=$(readlink /proc/$pid/exe 2>/dev/null)
	[ "$exe" = "$bin" ] && ok "lu$k-exec" "pid $pid runs $exe" ||
		fail "lu$k-exec" "pid $pid runs '$exe', not $bin"
	v=$(timeout 5 xenstore-read $home/data/hello 2>&1)
	[ "$v" = "from-guest-$id" ] && ok "lu$k-tree" "data/hello=$v" || fail "lu$k-tree" "data/hello: '$v'"
	n0=$(wc -l < /tmp/dom0w.log)
	step "lu$k-write" 10 xenstore-write $home/data/from-dom0 "lu-$k"
	end=$(( $(cut -d. -f1 /proc/uptime) + 60 ))
	while [ "$(timeout 5 xenstore-read $home/data/result 2>/dev/null)" != "ok lu-$k" ] &&
	    [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do sleep 0.5; done
	v=$(timeout 5 xenstore-read $home/data/result 2>&1)
	[ "$v" = "ok lu-$k" ] && ok "lu$k-guest-answered" "$v" || fail "lu$k-guest-answered" "data/result: '$v'"
	end=$(( $(cut -d. -f1 /proc/uptime) + 20 ))
	while [ "$(wc -l < /tmp/dom0w.log)" -le "$n0" ] && [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do sleep 0.5; done
	n1=$(wc -l < /tmp/dom0w.log)
	[ "$n1" -gt "$n0" ] && ok "lu$k-dom0-watch" "events $n0 -> $n1" || fail "lu$k-dom0-watch" "no event ($n0 lines)"
}

# lu_chain: a PV guest, dom0 watching its answers, then one live update per
# name in $LUCHAIN, then xl destroy (@releaseDomain must fire).
lu_chain() {
	create lu /etc/xen/guest.cfg || return 1
	wait_key lu-guest-ready 180 /local/domain/$id/data/guest-ready || return 1
	: > /tmp/dom0w.log
	timeout 900 xenstore-watch /local/domain/$id/data/result >> /tmp/dom0w.log 2>&1 &
	sleep 1
	k=0
	for n in $(echo "$LUCHAIN" | tr ':' ' '); do
		k=$((k + 1))
		lu_hop $k "$n" || break
	done
	step lu-xenstore-ls 30 xenstore-ls /local/domain/$id
	teardown lu destroy "$id"
}

# How long hvmloader gets to reach SeaBIOS (about 3 s on a quiet host).
HVM_WAIT=60
mkdir -p /var/log/xen/console
step xenconsoled 30 xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
if [ "$XSD" = xstored-broken ]; then
	# The negative control: only the firmware handshake, which must hang.
	HVM_WAIT=45
	hvm_firmware hvm1
	finish
fi
if [ "$XSD" = live-update ]; then
	lu_chain
	finish
fi
step xenstore-ls 30 xenstore-ls /
sed 's/^/XVM|  /' /tmp/step.out | head -n 20
if run test-xenstore; then
	step test-xenstore 180 test-xenstore
	tail -n 14 /tmp/step.out | sed 's/^/XVM|  /'
fi
run guest1 && guest_cycle guest1 shutdown /etc/xen/guest.cfg 180
run guest2 && guest_cycle guest2 destroy /etc/xen/guest.cfg 180
run hvm1 && hvm_firmware hvm1
run hvmlinux && guest_cycle hvmlinux destroy /etc/xen/hvm-linux.cfg 600
step xenstore-alive 10 xenstore-read -s /local/domain/0/name
finish

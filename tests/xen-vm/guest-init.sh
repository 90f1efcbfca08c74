#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The PV guest's /init in the xen-vm rig. It talks to xenstore through the
# kernel's /dev/xen/xenbus (Debian's xenstore-* tools): writes data/hello,
# watches data/from-dom0, writes data/guest-ready, and each time dom0 writes
# the watched key writes data/result = "ok <value>". Relative paths are under
# its own /local/domain/<id>. Markers "XVMG ..." go to hvc0 (xenconsoled log).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
ln -s /bin/busybox /sbin/poweroff 2>/dev/null
# xl shutdown: the kernel runs /sbin/poweroff, which signals init (USR2).
trap 'echo "XVMG poweroff"; poweroff -f' USR2 TERM
now() { cut -d' ' -f1 /proc/uptime; }
echo "XVMG init t=$(now) $(ls /dev/xen 2>&1 | tr '\n' ' ')"
export XENSTORED_PATH=/dev/xen/xenbus
echo "XVMG domid=$(xenstore-read domid 2>&1) name=$(xenstore-read name 2>&1)"
xenstore-write data/hello "from-guest-$(xenstore-read domid 2>/dev/null)" || echo "XVMG write FAIL"
mkdir -p /tmp
: > /tmp/w.log
# One watch for the guest's life: its initial event, then one per write of
# dom0's; each is answered with data/result = "ok <value>" (read, then
# write), so dom0 can check the guest is served after each live update.
xenstore-watch data/from-dom0 >> /tmp/w.log 2>&1 &
i=0
while [ "$(wc -l < /tmp/w.log)" -lt 1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
echo "XVMG watch registered ($(cat /tmp/w.log))"
xenstore-write data/guest-ready 1
i=0 seen=1
while [ "$(wc -l < /tmp/w.log)" -lt 2 ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(wc -l < /tmp/w.log)" -lt 2 ]; then
	xenstore-write data/result "no-event $(xenstore-read data/from-dom0 2>&1)"
	echo "XVMG watch did not fire"
fi
while :; do
	n=$(wc -l < /tmp/w.log)
	if [ "$n" -gt "$seen" ]; then
		seen=$n
		v=$(xenstore-read data/from-dom0 2>&1)
		xenstore-write data/result "ok $v" || echo "XVMG write FAIL"
		echo "XVMG watch fired: $v"
	fi
	sleep 0.1
done

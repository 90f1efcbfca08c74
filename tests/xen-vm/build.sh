#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Assembles the real-Xen test rig (tests/xen-vm/README in docs/xen-vm.md):
#   $OUT/xen          Xen 4.17 (xen-hypervisor-4.17-amd64), gunzipped to the
#                     plain ELF that QEMU's multiboot -kernel loads
#   $OUT/vmlinuz      Debian's kernel (linux-image-amd64): dom0 and the guest
#   $OUT/dom0.cpio.gz dom0's initramfs: busybox, the Xen modules, xl and its
#                     libraries, xstored, Debian's xenstored, test-xenstore,
#                     xenconsoled, xenstore-* and dom0-init.sh as /init; it
#                     also holds the guest's kernel and initramfs
#   $OUT/guest.cpio.gz the guest's initramfs: busybox, xenstore-*, guest-init.sh
#                     (the PV guests and the Linux HVM guest boot the same one)
# dom0 also gets what HVM guests need: Debian's device model
# (qemu-system-xen's /usr/libexec/xen-qemu-system-i386 and its libraries,
# the en-us keymap that qemu reads even with VNC off, the linuxboot option
# ROM for direct kernel boot), hvmloader and SeaBIOS; oxenstored with
# Debian's oxenstored.conf; ringpeek ($RINGPEEK), which reads a guest's
# ring page; and the negative control $XSTORED_BROKEN (make
# BROKEN_RECONNECT=1) as /usr/sbin/xstored-broken.
# (XEN_VM_KEEP=1 keeps the staging trees stage/, dom0-root/, guest-root/.)
# The kernel, the hypervisor and busybox are downloaded with apt-get download
# into $CACHE and unpacked with dpkg-deb -x (never installed on the host, never
# committed). xl, the xenstore tools and their libraries are copied from the
# host's own Debian packages (xen-utils-4.17, xenstore-utils: scripts/deps.sh
# installs them, and xstored links against the same libraries).
# Needs: apt-get, dpkg-deb, cpio, gzip; a built build/xstored, ringpeek and
# build-broken/xstored (make xen-vm-test builds them).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${XEN_VM_OUT:-$TOP/build/xen-vm}
CACHE=${XEN_VM_CACHE:-$OUT/cache}
XSTORED=${XSTORED:-$TOP/build/xstored}
XSTORED_BROKEN=${XSTORED_BROKEN:-$TOP/build-broken/xstored}
RINGPEEK=${RINGPEEK:-$TOP/build/tests/xen-vm/ringpeek}
QEMU_DM=/usr/libexec/xen-qemu-system-i386
XENBIN=/usr/lib/xen-4.17/bin

mkdir -p "$OUT" "$CACHE"
for t in "$XSTORED" "$XSTORED_BROKEN" "$RINGPEEK"; do
	[ -x "$t" ] || { echo "build.sh: $t missing: run make xen-vm-test" >&2; exit 1; }
done
for t in "$XENBIN/xl" "$XENBIN/xenstored" "$XENBIN/oxenstored" "$XENBIN/test-xenstore" \
	 "$XENBIN/xen-init-dom0" "$XENBIN/xenconsoled" /usr/bin/xenstore "$QEMU_DM" \
	 /usr/lib/xen-4.17/boot/hvmloader /usr/share/seabios/bios-256k.bin \
	 /usr/share/qemu/keymaps/en-us /usr/share/qemu/linuxboot.bin \
	 /usr/share/qemu/linuxboot_dma.bin /etc/xen/oxenstored.conf; do
	[ -e "$t" ] || { echo "build.sh: $t missing: run scripts/deps.sh" >&2; exit 1; }
done

# 1. Debian packages: the kernel (the versioned package linux-image-amd64
#    depends on), the hypervisor, busybox-static.
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || { echo "build.sh: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
for p in "$KPKG" xen-hypervisor-4.17-amd64 busybox-static; do
	if ! ls "$CACHE/${p}_"*.deb >/dev/null 2>&1; then
		echo "build.sh: apt-get download $p"
		(cd "$CACHE" && apt-get download -q "$p") >&2
	fi
done

# The staging trees are removed on exit: they hold directories named *.d
# (modprobe.d, ...), which the Makefile's "find $(BUILD) -name '*.d'"
# would try to include.
STAGE=$OUT/stage G=$OUT/guest-root D=$OUT/dom0-root
[ "${XEN_VM_KEEP:-0}" = 1 ] || trap 'rm -rf "$STAGE" "$G" "$D"' EXIT
rm -rf "$STAGE"
mkdir -p "$STAGE"
for d in "$CACHE"/*.deb; do dpkg-deb -x "$d" "$STAGE"; done
KVER=$(ls "$STAGE/lib/modules" | head -n 1)
cp "$STAGE/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
gzip -dc "$STAGE"/boot/xen-4.17*-amd64.gz > "$OUT/xen"
BUSYBOX=$STAGE/bin/busybox

# copy_bin ROOT FILE [DEST]: FILE and every library ldd lists into ROOT.
copy_bin() {
	root=$1 f=$2 dest=${3:-$2}
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest"
	ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

base_root() {
	root=$1
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/proc" \
		"$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/etc" "$root/root"
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	# /lib64 -> the usr-merged layout the libraries expect.
	ln -s usr/lib "$root/lib" 2>/dev/null || true
	mkdir -p "$root/usr/lib" "$root/usr/lib64"
	ln -s usr/lib64 "$root/lib64"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
}

mkcpio() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"; }

# 2. The guest's initramfs.
base_root "$G"
copy_bin "$G" /usr/bin/xenstore /usr/bin/xenstore
for a in read write ls rm list exists chmod watch; do ln -s xenstore "$G/usr/bin/xenstore-$a"; done
cp "$HERE/guest-init.sh" "$G/init"
chmod +x "$G/init"
mkcpio "$G" "$OUT/guest.cpio.gz"

# 3. dom0's initramfs.
base_root "$D"
MODDIR=$STAGE/lib/modules/$KVER
mkdir -p "$D/modules"
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	f=$(find "$MODDIR" -name "$m.ko*" | head -n 1)
	[ -n "$f" ] || { echo "build.sh: module $m not found in $KVER" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" > "$D/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" > "$D/modules/$m.ko" ;;
	*) cp "$f" "$D/modules/$m.ko" ;;
	esac
done
for b in xl xenstored oxenstored test-xenstore xen-init-dom0 xenconsoled xenstore-control; do
	copy_bin "$D" "$XENBIN/$b"
done
copy_bin "$D" /usr/bin/xenstore /usr/bin/xenstore
for a in read write ls rm list exists chmod watch; do ln -s xenstore "$D/usr/bin/xenstore-$a"; done
copy_bin "$D" "$XSTORED" /usr/sbin/xstored
copy_bin "$D" "$XSTORED_BROKEN" /usr/sbin/xstored-broken
# The live-update chain's "second build": another file, so that the exec
# is seen to change the process's binary.
cp "$D/usr/sbin/xstored" "$D/usr/sbin/xstored-next"
copy_bin "$D" "$RINGPEEK" /usr/bin/ringpeek
# HVM guests: the device model libxl has built in, its data files, the
# firmware (hvmloader loads SeaBIOS; SeaBIOS boots the kernel qemu hands it
# through the linuxboot option ROM).
copy_bin "$D" "$QEMU_DM"
for f in /usr/share/qemu/keymaps/en-us /usr/share/qemu/linuxboot.bin \
	 /usr/share/qemu/linuxboot_dma.bin /usr/lib/xen-4.17/boot/hvmloader /usr/share/seabios/bios-256k.bin; do
	mkdir -p "$D$(dirname "$f")"
	cp -L "$f" "$D$f"
done
# xl dlopens libgcc_s (pthread_cancel) without listing it.
gcc_s=$(ldconfig -p | sed -n 's/.*libgcc_s.so.1 (libc6,x86-64) => \(.*\)/\1/p' | head -n 1)
mkdir -p "$D$(dirname "$gcc_s")"
cp -L "$gcc_s" "$D$gcc_s"
# Xen's scripts and xl's data (hotplug scripts are not needed: no devices).
mkdir -p "$D/etc/xen" "$D/var/lib/xen" "$D/var/run/xen" "$D/var/run/xenstored" \
	"$D/var/log/xen" "$D/var/lib/xenstored" "$D/var/lib/xen/xenstore"
[ -d /etc/xen/scripts ] && cp -a /etc/xen/scripts "$D/etc/xen/" || true
cp "$HERE/dom0-init.sh" "$D/init"
chmod +x "$D/init"
cp "$HERE/guest.cfg" "$HERE/hvm-nodisk.cfg" "$HERE/hvm-linux.cfg" "$D/etc/xen/"
# oxenstored: Debian's own file, plus its debug log and the reads in its
# access log (the rig checks that hvmloader's reads reached the daemon).
{ cat /etc/xen/oxenstored.conf
  echo 'xenstored-log-level = debug'
  echo 'access-log-read-ops = true'; } > "$D/etc/xen/oxenstored.conf"
: > "$D/etc/xen/xl.conf"
mkdir -p "$D/guest"
cp "$OUT/vmlinuz" "$D/guest/vmlinuz"
cp "$OUT/guest.cpio.gz" "$D/guest/initrd"
mkcpio "$D" "$OUT/dom0.cpio.gz"

echo "build.sh: kernel $KVER; $(du -h "$OUT/dom0.cpio.gz" | cut -f1) dom0 initramfs in $OUT"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what xstored needs to build and test on Debian 12 (bookworm):
# the Xen headers and libraries, talloc, Check, libsystemd, the compilers
# and valgrind, Debian's own xenstore clients that the tests drive, and for
# the operations tests (tests/ops) the packaging tools (debhelper,
# dpkg-dev, and lintian for debian/copyright), systemd (systemd-analyze,
# systemctl) and man/groff.
# libclang-rt-14-dev holds clang's sanitizer and libFuzzer runtimes
# (tests/fuzz); clang only recommends it. spin model-checks the ring
# reconnection handshake (make model, tests/model).
# Run as root (or through sudo).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
# xen-utils-4.17's postinst warns that it finds no hypervisor: expected here.
apt-get install -y --no-install-recommends \
	build-essential pkg-config clang libclang-rt-14-dev valgrind procps \
	libxen-dev libtalloc-dev check libsystemd-dev \
	xenstore-utils xen-utils-4.17 \
	debhelper dpkg-dev lintian systemd man-db groff-base spin
# The real-Xen rig (make xen-vm-test, tests/xen-vm): QEMU and cpio on the
# host. The kernel, the hypervisor and busybox are downloaded by
# tests/xen-vm/build.sh with apt-get download, never installed. HVM guests
# need Debian's Xen device model (qemu-system-xen: libxl runs
# /usr/libexec/xen-qemu-system-i386), copied into dom0 with the libraries
# ldd finds for it here, and SeaBIOS and qemu's data files (qemu-system-x86
# brings both); the host never runs them.
apt-get install -y --no-install-recommends qemu-system-x86 qemu-system-xen \
	seabios qemu-system-data cpio

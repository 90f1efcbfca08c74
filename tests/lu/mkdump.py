#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""mkdump: writes a live-update dump (Xen's stream v1) to stdout for the
tests of tests/lu/lu_bad.sh: `good` (no connections, a small tree), or one
of the broken variants named in KINDS."""
import struct
import sys


def rec(rtype, body, pad=True):
    if pad:
        body += b"\0" * (-len(body) % 8)
    return struct.pack("<II", rtype, len(body)) + body


def node(path, value=b""):
    p = path.encode() + b"\0"
    return rec(5, struct.pack("<IIHHHH", 0, 0, len(p), len(value), 0, 1) +
               struct.pack("<BBH", ord("n"), 0, 0) + p + value)


def sock_conn(cid, fd):
    return rec(2, struct.pack("<IHHiIHHI", cid, 1, 0, fd, 0, 0, 0, 0))


PRE = b"xenstore" + struct.pack(">I", 1) + struct.pack("<I", 0)
GLOBAL = rec(1, struct.pack("<ii", -1, -1))
END = struct.pack("<II", 0, 0)
TREE = (node("/") + node("/from") + node("/from/dump", b"yes") +
        node("@releaseDomain") + node("@introduceDomain"))
GOOD = PRE + GLOBAL + TREE + END
KINDS = {
    "good": GOOD,
    "truncated": GOOD[:len(GOOD) - 20],
    "version2": b"xenstore" + struct.pack(">I", 2) + GOOD[12:],
    "ident": b"XENSTORE" + GOOD[8:],
    "badpad": PRE + GLOBAL + rec(5, b"\0" * 9, pad=False) + TREE + END,
    "conn-after-node": PRE + GLOBAL + TREE + sock_conn(1, 1) + END,
    "orphan": PRE + GLOBAL + node("/") + node("/a/b") + END,
    "badfd": PRE + GLOBAL + sock_conn(1, 999) + TREE + END,
    "trailing": GOOD + b"\0" * 8,
}
sys.stdout.buffer.write(KINDS[sys.argv[1]])

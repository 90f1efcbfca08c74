#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes the seed corpus of the fuzz harnesses: corpus/<harness>/<name>.

Run from anywhere: python3 tests/fuzz/seeds.py. The files are checked in;
rerun after changing an input format (README.md describes each). Each seed
is a small, valid example of what its harness reads, so that fuzzing starts
from inputs that reach deep code instead of inventing headers byte by byte.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

(CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TX_START, TX_END,
 INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS,
 WATCH_EVENT, ERROR, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET) = range(20)
RESET_WATCHES, DIRECTORY_PART = 21, 22
GET_FEATURE, SET_FEATURE, GET_QUOTA, SET_QUOTA = 23, 24, 25, 26


def z(*args):
    """NUL-terminated strings (bytes pass through)."""
    out = b""
    for a in args:
        out += (a.encode() if isinstance(a, str) else a) + b"\0"
    return out


def pkt(typ, payload, req_id=1, tx_id=0, length=None):
    n = len(payload) if length is None else length
    return struct.pack("<IIII", typ, req_id, tx_id, n) + payload


def req(typ, payload, dom0=False, tx=0):
    """fuzz_request's framing: sel, type, len (LE16), payload."""
    sel = (0x80 if dom0 else 0) | (tx & 0x7F)
    return struct.pack("<BBH", sel, typ, len(payload)) + payload


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# fuzz_request: sequences a hostile guest (and dom0) would send.
REQUEST = {
    "read-own": req(READ, z("data")),
    "read-victim": req(READ, z("/local/domain/7/secret")),
    "write-own": req(WRITE, z("/local/domain/5/a/b") + b"value"),
    "write-relative": req(WRITE, z("x/y/z") + b"v") + req(READ, z("x/y/z")),
    "mkdir-rm": req(MKDIR, z("d/e")) + req(RM, z("d")) + req(RM, z("d/e")),
    "directory": req(DIRECTORY, z("/local/domain/7")) +
    req(DIRECTORY_PART, z("/local/domain/7", "0")),
    "perms": req(GET_PERMS, z("data")) +
    req(SET_PERMS, z("data", "n5", "r7", "b0x10")) +
    req(SET_PERMS, z("data", "n7")),
    "shared": req(WRITE, z("/local/domain/7/shared/vif") + b"1") +
    req(SET_PERMS, z("/local/domain/7/shared/vif", "n5", "r7")) +
    req(RM, z("/local/domain/7/shared")),
    "watch": req(WATCH, z("/local/domain", "tok")) +
    req(WRITE, z("w") + b"1") + req(UNWATCH, z("/local/domain", "tok")),
    "watch-depth": req(WATCH, z("/", "t", "1")) +
    req(WATCH, z("@releaseDomain", "r")) +
    req(WATCH, z("@introduceDomain", "i")) + req(RESET_WATCHES, b""),
    "tx-commit": req(TX_START, z("")) + req(WRITE, z("t") + b"1", tx=1) +
    req(READ, z("t"), tx=1) + req(TX_END, z("T"), tx=1),
    "tx-conflict": req(TX_START, z("")) + req(READ, z("data"), tx=1) +
    req(WRITE, z("data") + b"2") + req(WRITE, z("data") + b"3", tx=1) +
    req(TX_END, z("T"), tx=1),
    "tx-abort-reset": req(TX_START, z("")) + req(TX_START, z("")) +
    req(MKDIR, z("q"), tx=2) + req(RESET_WATCHES, b"", tx=1) +
    req(TX_END, z("F"), tx=2),
    "quota-nodes": b"".join(req(WRITE, z("n%d" % i) + b"x")
                            for i in range(70)),
    "node-size": req(WRITE, z("big") + b"A" * 600),
    "priv-refused": req(CONTROL, z("print", "x")) +
    req(INTRODUCE, z("9", "1", "1")) + req(GET_QUOTA, z("5")) +
    req(SET_QUOTA, z("5", "nodes", "1")),
    "feature": req(GET_FEATURE, b"") + req(GET_FEATURE, z("5")),
    "domain-path": req(GET_DOMAIN_PATH, z("5")) + req(GET_DOMAIN_PATH, z("")),
    "unknown-types": req(WATCH_EVENT, z("a", "b")) + req(ERROR, z("E")) +
    req(20, b"") + req(200, b"x"),
    "dom0-mix": req(WRITE, z("/local/domain/5/p") + b"1", dom0=True) +
    req(SET_PERMS, z("/local/domain/5/p", "n0", "r5"), dom0=True) +
    req(READ, z("p")) + req(WATCH, z("/", "all"), dom0=True) +
    req(SET_QUOTA, z("5", "nodes", "2"), dom0=True) +
    req(WRITE, z("n1") + b"1") + req(WRITE, z("n2") + b"1") +
    req(GET_QUOTA, z("5"), dom0=True) +
    req(SET_FEATURE, z("9", "1"), dom0=True) +
    req(GET_FEATURE, z("9"), dom0=True),
    "reintroduce": req(WATCH, z("/local/domain/5", "w5"), dom0=True) +
    req(TX_START, z(""), dom0=True) +
    req(WRITE, z("/local/domain/5/t") + b"1", dom0=True, tx=1) +
    req(SET_PERMS, z("/local/domain/5/t", "n5", "r7"), dom0=True, tx=1) +
    req(WRITE, z("mine") + b"1") +
    req(SET_PERMS, z("/local/domain/7/shared", "n7", "b5"), dom0=True) +
    req(WRITE, z("/local/domain/7/shared/x") + b"1") +
    req(RELEASE, b"", dom0=True) +
    req(TX_END, z("T"), dom0=True, tx=1) + req(READ, z("t")) +
    req(GET_PERMS, z("/local/domain/7/shared")),
    "tx-every-op": req(TX_START, z("")) + req(MKDIR, z("a/b/c"), tx=1) +
    req(WRITE, z("a/b/d") + b"v", tx=1) + req(DIRECTORY, z("a/b"), tx=1) +
    req(DIRECTORY_PART, z("a/b", "2"), tx=1) +
    req(GET_PERMS, z("a/b/c"), tx=1) +
    req(SET_PERMS, z("a/b/c", "n5", "r7"), tx=1) +
    req(RM, z("a/b/c"), tx=1) + req(RM, z("data"), tx=1) +
    req(READ, z("data"), tx=1) + req(DIRECTORY, z(""), tx=1) +
    req(WATCH, z("a", "in-tx"), tx=1) + req(TX_END, z("T"), tx=1) +
    req(DIRECTORY, z("a/b")),
    "tx-two-racing": req(TX_START, z("")) + req(TX_START, z("")) +
    req(WRITE, z("r") + b"1", tx=1) + req(RM, z("r"), tx=2) +
    req(DIRECTORY, z("/local/domain/5"), tx=2) + req(TX_END, z("T"), tx=1) +
    req(TX_END, z("T"), tx=2) + req(TX_START, z("")) +
    req(TX_END, z("T"), tx=3),
    "dirpart-own": req(MKDIR, z("l/one")) + req(MKDIR, z("l/two")) +
    req(DIRECTORY_PART, z("l", "0")) + req(DIRECTORY_PART, z("l", "4")) +
    req(DIRECTORY_PART, z("l", "-1")) + req(DIRECTORY_PART, z("l", "x")),
    "read-shared": req(READ, z("/local/domain/7/ro")) +
    req(DIRECTORY, z("/local/domain/7/shared")) +
    req(GET_PERMS, z("/local/domain/7/ro")) +
    req(DIRECTORY, z("/vm")) + req(GET_PERMS, z("@releaseDomain")) +
    req(SET_PERMS, z("@releaseDomain", "n5")),
    "long-path": req(WRITE, z("a" * 2100) + b"v") +
    req(READ, z("/" + "b/" * 40 + "c")),
}

# fuzz_framer: [chunk] then a raw stream of packets.
STREAM = (pkt(READ, z("data"), 1) + pkt(WRITE, z("x") + b"1", 2) +
          pkt(DIRECTORY, z("/local/domain/5"), 3) +
          pkt(WATCH, z("x", "t"), 4) + pkt(RM, z("x"), 5) +
          pkt(GET_FEATURE, b"", 6) + pkt(CONTROL, z("print", "x"), 7))
FRAMER = {
    "whole": b"\0" + STREAM,
    "bytewise": b"\1" + STREAM,
    "split7": b"\7" + STREAM,
    "oversized": b"\0" + pkt(READ, z("data"), 1) +
    pkt(READ, b"", 2, length=4097) + pkt(READ, z("data"), 3),
    "mid-packet": b"\3" + pkt(READ, z("data"), 1) + pkt(WRITE, b"ab", 2,
                                                       length=10),
    "max-payload": b"\0" + pkt(WRITE, z("big") + b"B" * (4096 - 4), 1),
    "tx": b"\5" + pkt(TX_START, z(""), 1) +
    pkt(WRITE, z("t") + b"1", 2, tx_id=1) + pkt(TX_END, z("T"), 3, tx_id=1),
}


# fuzz_ring: [features] then ops (see fuzz_ring.c).
def r_send(data):
    out = b""
    while data:
        part, data = data[:255], data[255:]
        out += bytes([2, len(part)]) + part
    return out


R_READ, R_CONSUME, R_RECONNECT = b"\3", b"\7", b"\5"


def r_write(n):
    return b"\4" + struct.pack("<H", n)


def r_index(which, value):
    return bytes([1, which]) + struct.pack("<I", value)


RING = {
    "request-reply": b"\x0f" + r_send(pkt(READ, z("data"))) + R_READ +
    R_READ + r_write(20) + R_CONSUME,
    "split-request": b"\x0f" + r_send(pkt(WRITE, z("a") + b"x" * 30)[:10]) +
    R_READ + r_send(pkt(WRITE, z("a") + b"x" * 30)[10:]) + R_READ,
    "big-reply": b"\x0f" + r_write(4096) + r_write(0) + R_CONSUME +
    r_write(0) + R_CONSUME + r_write(0) + R_CONSUME + r_write(0) +
    R_CONSUME + r_write(0),
    "bad-index": b"\x0f" + r_index(1, 5000) + R_READ + R_READ + b"\x09\x01" +
    R_READ + R_READ,
    "bad-rsp-index": b"\x0f" + r_index(2, 0xFFFFF000) + r_write(8),
    "oversized": b"\x0f" + r_send(pkt(READ, b"", length=5000)[:16]) + R_READ,
    "reconnect": b"\x03" + r_send(pkt(READ, z("x"))[:8]) + R_READ +
    b"\x09\x01" + R_RECONNECT + R_READ + b"\x08" + b"\x06\x01" + R_READ,
    "poke-wrap": b"\x0f" + r_index(0, 0xFFFFFFF0) + r_index(1, 0xFFFFFFF0) +
    r_send(pkt(READ, z("wrap"))) + R_READ + R_READ +
    b"\x00\x00\x08\x08" + b"\x00" * 8 + R_READ,
}


# fuzz_args: flags, domid (LE16), path_max, gen, offset (LE24), payload.
def args(payload, flags=1, domid=5, path_max=0, gen=3, offset=0):
    return (struct.pack("<BHBB", flags, domid, path_max, gen) +
            struct.pack("<I", offset)[:3] + payload)


ARGS = {
    "paths": args(z("/local/domain/5/a", "a/b", "@releaseDomain/5", "/",
                    "//x", "a/", "@x@y", "-_09AZaz")),
    "path-max": args(z("/local/domain/12345/" + "a" * 60, "rel" * 30,
                       "/local/domain/123456/x"), path_max=64),
    "perms": args(z("b0", "r5", "n0x10", "w010", "r-1", "b4294967295",
                    "r4294967296", "x1", "r", "r5junk")),
    "numbers": args(z("0", "65535", "65536", "", "007", "4294967295",
                      "4294967296", "T", "F", "TF", "-1")),
    "dirpart": args(z("alpha", "beta", "gamma", "d" * 200), offset=6,
                    gen=255),
    "unterminated": args(b"abc\0def"),
}

for name, data in REQUEST.items():
    write("request", name, data)
for name, data in FRAMER.items():
    write("framer", name, data)
for name, data in RING.items():
    write("ring", name, data)
for name, data in ARGS.items():
    write("args", name, data)


# fuzz_state: live-update streams as state/writer.c and 4.17 write them.
def s_rec(rtype, body):
    body += b"\0" * (-len(body) % 8)
    return struct.pack("<II", rtype, len(body)) + body


def s_node(path, value=b"", perms=((ord("n"), 0, 0),)):
    p = path.encode() + b"\0"
    body = struct.pack("<IIHHHH", 0, 0, len(p), len(value), 0, len(perms))
    for acc, flags, domid in perms:
        body += struct.pack("<BBH", acc, flags, domid)
    return s_rec(5, body + p + value)


def s_conn(cid, ctype, a, b, c, data_in=b"", data_out=b"", resp=0):
    if ctype == 0:
        u = struct.pack("<HHI", a, b, c)
    else:
        u = struct.pack("<iI", a, 0)
    return s_rec(2, struct.pack("<IHH", cid, ctype, 0) + u +
                 struct.pack("<HHI", len(data_in), resp, len(data_out)) +
                 data_in + data_out)


def s_watch(cid, path, token):
    p, t = path.encode() + b"\0", token.encode() + b"\0"
    return s_rec(3, struct.pack("<IHH", cid, len(p), len(t)) + p + t)


S_PRE = b"xenstore" + struct.pack(">I", 1) + struct.pack("<I", 0)
S_END = struct.pack("<II", 0, 0)
STATE = {
    "c-like": S_PRE + s_rec(1, struct.pack("<ii", 3, 4)) +
    s_conn(1, 0, 0, 0x7FF4, 5) + s_conn(2, 1, 9, 0, 0,
                                         pkt(READ, z("x"), 3)[:10],
                                         b"OK\0", 3) +
    s_watch(2, "/a", "tok") + s_watch(1, "rel", "") +
    s_node("@releaseDomain") + s_node("@introduceDomain") + s_node("/") +
    s_node("/a", b"v") + s_node("/a/b", b"w",
                                ((ord("b"), 0, 5), (ord("r"), 1, 7))) +
    s_node("/tool") + S_END,
    "xs-extras": S_PRE + s_rec(1, struct.pack("<ii", 3, -1)) +
    s_conn(1, 1, 5, 0, 0) +
    s_rec(0x78730001, struct.pack("<HH3I", 3, 0, 1000, 128, 10)) +
    s_rec(0x78730002, struct.pack("<HHIHH2I", 5, 1, 3, 2, 0, 7, 8)) +
    s_watch(1, "/x", "t") + s_rec(0x78730003, struct.pack("<I", 2)) +
    s_rec(4, struct.pack("<II", 1, 1)) + s_rec(6, b"junk") +
    s_node("/") + S_END,
}
for name, data in STATE.items():
    write("state", name, data)

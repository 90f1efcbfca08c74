#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""lu_pause: one live update under load, for bench/lu.sh.

  lu_pause.py NODES CONNS BINARY [CMDLINE]

Against the daemon at $XENSTORED_PATH: writes NODES nodes (pipelined),
opens CONNS more connections with a watch each, then runs
`xenstore-control live-update [-c CMDLINE] BINARY` while one client reads
a node in a tight loop. Prints one line:

  ops=1 secs=S ops_s=R lu_ms=L pause_ms=P nodes=N conns=C

lu_ms: from starting xenstore-control to its exit (the -f round trip, the
wait, the dump, the exec, the restore and the OK); pause_ms: the longest
any of the reader's requests took while the update ran.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

READ, WRITE, WATCH = 2, 11, 4
CONTROL = "/usr/lib/xen-4.17/bin/xenstore-control"


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(120)
    s.connect(os.environ["XENSTORED_PATH"])
    return s


def send(s, typ, req_id, payload):
    s.sendall(struct.pack("<IIII", typ, req_id, 0, len(payload)) + payload)


def recv(s):
    buf = b""
    while len(buf) < 16:
        c = s.recv(16 - len(buf))
        if not c:
            raise SystemExit("lu_pause: connection closed")
        buf += c
    typ, req_id, _, n = struct.unpack("<IIII", buf)
    body = b""
    while len(body) < n:
        c = s.recv(n - len(body))
        if not c:
            raise SystemExit("lu_pause: connection closed")
        body += c
    return typ, req_id, body


def populate(nodes):
    s = connect()
    batch = 256
    for first in range(0, nodes, batch):
        last = min(nodes, first + batch)
        for i in range(first, last):
            send(s, WRITE, i, b"/lu/d%d/n%d\0v" % (i // 1000, i))
        for _ in range(first, last):
            recv(s)
    s.close()


def main():
    nodes, conns, binary = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cmdline = sys.argv[4] if len(sys.argv) > 4 else None
    populate(nodes)
    watchers = []
    for i in range(conns):
        s = connect()
        send(s, WATCH, 1, b"/lu/w%d\0t\0" % i)
        recv(s)     # OK
        recv(s)     # the initial event
        watchers.append(s)
    done = threading.Event()
    worst = [0.0]

    def reader():
        s = connect()
        while not done.is_set():
            t0 = time.monotonic()
            send(s, READ, 1, b"/lu/d0/n0\0")
            recv(s)
            worst[0] = max(worst[0], time.monotonic() - t0)
            time.sleep(0.001)
        s.close()

    th = threading.Thread(target=reader)
    th.start()
    time.sleep(0.2)
    worst[0] = 0.0
    args = [CONTROL, "live-update"] + (["-c", cmdline] if cmdline else [])
    t0 = time.monotonic()
    rc = subprocess.run(args + ["-t", "60", binary]).returncode
    lu = time.monotonic() - t0
    time.sleep(0.2)
    done.set()
    th.join()
    if rc != 0:
        raise SystemExit("lu_pause: the update failed (%d)" % rc)
    # The watchers are still connected and served.
    send(watchers[-1], READ, 2, b"/lu/d0/n0\0") if watchers else None
    if watchers:
        recv(watchers[-1])
    print("ops=1 secs=%.6f ops_s=%.3f lu_ms=%.1f pause_ms=%.1f nodes=%d "
          "conns=%d" % (lu, 1 / lu, lu * 1000, worst[0] * 1000, nodes,
                        conns))


main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""lu_client: a raw dom0 socket client that is caught mid-conversation by
a live update, for tests/lu.

  lu_client.py half GO PATH VALUE   sends the first 10 bytes of a WRITE,
                                    prints "half", waits for the file GO,
                                    sends the rest, prints the reply
  lu_client.py unread GO PATH N     sends N READs of PATH without reading,
                                    prints "sent", waits for GO, reads the
                                    N replies and prints "read N VALUE"
  lu_client.py tx GO PATH           TRANSACTION_START, prints "tx ID",
                                    waits for GO, then a WRITE of PATH in
                                    that transaction: prints its reply

Replies print as "OK", "ERROR ENOENT" or the value. Every wait has a
deadline (30 s); the socket is $XENSTORED_PATH.
"""
import os
import socket
import struct
import sys
import time

READ, WRITE, TX_START, ERROR = 2, 11, 6, 16
DEADLINE = 30


def packet(typ, req_id, tx_id, payload):
    return struct.pack("<IIII", typ, req_id, tx_id, len(payload)) + payload


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise SystemExit("lu_client: connection closed")
        buf += chunk
    return buf


def reply(s):
    while True:
        typ, req_id, tx_id, n = struct.unpack("<IIII", recv_exact(s, 16))
        body = recv_exact(s, n)
        if typ == 15:       # a watch event: not ours
            continue
        text = body.rstrip(b"\0").decode(errors="replace")
        return req_id, ("ERROR " + text) if typ == ERROR else text


def wait_for(path):
    end = time.time() + DEADLINE
    while not os.path.exists(path):
        if time.time() > end:
            raise SystemExit("lu_client: no " + path)
        time.sleep(0.02)


def say(line):
    print(line, flush=True)


def main():
    mode, go = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(DEADLINE)
    s.connect(os.environ["XENSTORED_PATH"])
    if mode == "half":
        pkt = packet(WRITE, 7, 0, sys.argv[3].encode() + b"\0" +
                     sys.argv[4].encode())
        s.sendall(pkt[:10])
        say("half")
        wait_for(go)
        s.sendall(pkt[10:])
        say(reply(s)[1])
    elif mode == "unread":
        n = int(sys.argv[4])
        for i in range(n):
            s.sendall(packet(READ, 100 + i, 0, sys.argv[3].encode() + b"\0"))
        say("sent")
        wait_for(go)
        values = set()
        for i in range(n):
            req_id, text = reply(s)
            if req_id != 100 + i:
                raise SystemExit("lu_client: reply %d for %d" %
                                 (req_id, 100 + i))
            values.add(text)
        say("read %d %s" % (n, " ".join(sorted(values))))
    elif mode == "tx":
        s.sendall(packet(TX_START, 1, 0, b"\0"))
        tx = int(reply(s)[1])
        say("tx %d" % tx)
        wait_for(go)
        s.sendall(packet(WRITE, 2, tx, sys.argv[3].encode() + b"\0x"))
        say(reply(s)[1])
    else:
        raise SystemExit("lu_client: unknown mode " + mode)


main()

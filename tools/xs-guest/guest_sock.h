/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A client of the daemon's Unix stream socket (the dom0 socket,
 * $XENSTORED_PATH): connect, send one request, wait for its reply with a
 * deadline. The toolstack side of xs-guest uses it for INTRODUCE and for
 * the nodes it writes before.
 */
#ifndef TOOLS_XS_GUEST_GUEST_SOCK_H
#define TOOLS_XS_GUEST_GUEST_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "tools/xs-guest/guest_msg.h"

/*
 * The socket path clients use: $XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket. Formats it
 * into buf (len bytes) and returns buf, or NULL if it does not fit.
 */
const char *guest_sock_default_path(char *buf, size_t len);

/*
 * Connects a stream socket to path; *fd is the caller's to close.
 * Errors: ENAMETOOLONG, errno of socket or connect.
 */
int	guest_sock_open(const char *path, int *fd);

/*
 * Sends one request and waits up to ms in all for the reply with its
 * req_id (pick a fresh one per call); WATCH_EVENTs and other replies are
 * skipped.
 * *reply is the caller's (guest_msg_free). Errors: E2BIG (len > 4096),
 * ETIMEDOUT, ECONNRESET (the daemon closed the socket), EPROTO (a reply
 * longer than 4096), errno of poll, send or recv.
 */
int	guest_sock_request(int fd, int ms, uint32_t req_id, uint32_t type,
	    uint32_t tx_id, const void *payload, size_t len,
	    struct guest_msg **reply);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_sock.c: one request at a time over the daemon's Unix socket.
 *
 * Job: connect to the dom0 socket, write a request whole (short writes
 * resumed), read packets until the reply to it arrives, all within one
 * deadline. Owns no state: the caller owns the descriptor and picks the
 * req_ids (a fresh one per call, so that a stale reply to an earlier,
 * timed-out call is never taken for ours).
 *
 * Invariants: a packet header is validated (len <= 4096) before its
 * payload is read, into a buffer of exactly the maximum size; every
 * blocking call is preceded by a poll() bounded by the deadline.
 *
 * Must not: keep the socket open across calls on its own (the caller owns
 * the descriptor), raise SIGPIPE (MSG_NOSIGNAL).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/wire.h"
#include "tools/xs-guest/guest_clock.h"
#include "tools/xs-guest/guest_sock.h"

const char *
guest_sock_default_path(char *buf, size_t len)
{
	const char *p;
	int n;

	p = getenv("XENSTORED_PATH");
	if (p != NULL && p[0] != '\0')
		n = snprintf(buf, len, "%s", p);
	else if ((p = getenv("XENSTORED_RUNDIR")) != NULL && p[0] != '\0')
		n = snprintf(buf, len, "%s/socket", p);
	else
		n = snprintf(buf, len, "/var/run/xenstored/socket");
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return buf;
}

int
guest_sock_open(const char *path, int *fd)
{
	struct sockaddr_un sun;
	int s, err;

	*fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		return errno;
	while (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EINTR)
			continue;
		err = errno;
		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

/* Polls fd for events until the deadline: 0 when ready, or an errno. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	for (;;) {
		left = deadline - guest_now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r == -1 && errno != EINTR)
			return errno;
		/* Ready, or hung up / in error: the next call says which. */
		if (r > 0)
			return 0;
	}
}

static int
send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	ssize_t n;
	int err;

	while (len > 0) {
		err = wait_fd(fd, POLLOUT, deadline);
		if (err != 0)
			return err;
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return errno == EPIPE ? ECONNRESET : errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
recv_all(int fd, char *buf, size_t len, int64_t deadline)
{
	ssize_t n;
	int err;

	while (len > 0) {
		err = wait_fd(fd, POLLIN, deadline);
		if (err != 0)
			return err;
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n == 0)
			return ECONNRESET;
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
guest_sock_request(int fd, int ms, uint32_t req_id, uint32_t type,
    uint32_t tx_id, const void *payload, size_t len,
    struct guest_msg **reply)
{
	char pkt[WIRE_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	int64_t deadline;
	int err;

	*reply = NULL;
	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	deadline = guest_now_ms() + ms;
	hdr.type = type;
	hdr.req_id = req_id;
	hdr.tx_id = tx_id;
	hdr.len = (uint32_t)len;
	memcpy(pkt, &hdr, WIRE_HDR_SIZE);
	if (len > 0)
		memcpy(pkt + WIRE_HDR_SIZE, payload, len);
	err = send_all(fd, pkt, WIRE_HDR_SIZE + len, deadline);
	if (err != 0)
		return err;
	for (;;) {
		err = recv_all(fd, (char *)&hdr, WIRE_HDR_SIZE, deadline);
		if (err != 0)
			return err;
		if (wire_check_header(&hdr) != 0)
			return EPROTO;
		err = recv_all(fd, pkt, hdr.len, deadline);
		if (err != 0)
			return err;
		if (hdr.type != XS_WATCH_EVENT && hdr.req_id == req_id)
			return guest_msg_new(&hdr, pkt, reply);
	}
}

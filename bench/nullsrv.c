/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nullsrv.c: the null server, the ceiling of the benchmark client on this
 * machine.  It accepts on a Unix socket and answers every whole message
 * with "OK\0" under the request's type, req_id and tx_id; it keeps no
 * store.  One epoll loop, non-blocking sockets, a growable output buffer
 * per connection.  Stops on SIGTERM/SIGINT (default action).
 * Usage: nullsrv SOCKET
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HDR_LEN 16
#define MAX_CONNS 65536

struct nconn {
	int fd;
	char in[65536];
	size_t inlen;
	char *out;
	size_t outlen, outcap;
};

static struct nconn *conns[MAX_CONNS];

static void
die(const char *what)
{
	fprintf(stderr, "nullsrv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
drop(int ep, struct nconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conns[c->fd] = NULL;
	free(c->out);
	free(c);
}

/* Writes what the socket takes; returns -1 on a dead connection. */
static int
flush_out(int ep, struct nconn *c)
{
	struct epoll_event ev;
	ssize_t n;

	while (c->outlen > 0) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	ev.events = EPOLLIN | (c->outlen > 0 ? EPOLLOUT : 0);
	ev.data.fd = c->fd;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	return 0;
}

static int
serve(int ep, struct nconn *c)
{
	uint32_t h[4];
	size_t off = 0, need;
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return -1;
	c->inlen += (size_t)n;
	while (c->inlen - off >= HDR_LEN) {
		memcpy(h, c->in + off, HDR_LEN);
		if (h[3] > 4096)
			return -1;
		need = HDR_LEN + h[3];
		if (c->inlen - off < need)
			break;
		off += need;
		if (c->outlen + HDR_LEN + 3 > c->outcap) {
			c->outcap = c->outcap * 2 + 4096;
			if ((c->out = realloc(c->out, c->outcap)) == NULL)
				return -1;
		}
		h[3] = 3;
		memcpy(c->out + c->outlen, h, HDR_LEN);
		memcpy(c->out + c->outlen + HDR_LEN, "OK", 3);
		c->outlen += HDR_LEN + 3;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return flush_out(ep, c);
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[64];
	struct sockaddr_un sun;
	struct nconn *c;
	int lfd, ep, fd, n, i;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: nullsrv SOCKET\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(lfd, 128) != 0)
		die("listen");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		die("epoll_ctl");
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd < 0)
					continue;
				if (fd >= MAX_CONNS ||
				    (c = calloc(1, sizeof(*c))) == NULL) {
					close(fd);
					continue;
				}
				c->fd = fd;
				conns[fd] = c;
				ev.events = EPOLLIN;
				ev.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			if ((c = conns[fd]) == NULL)
				continue;
			if (((evs[i].events & EPOLLOUT) &&
			    flush_out(ep, c) != 0) ||
			    ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    serve(ep, c) != 0))
				drop(ep, c);
		}
	}
}

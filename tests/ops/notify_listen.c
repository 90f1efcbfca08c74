/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for systemd's notification socket, for tests/ops/run.sh.
 *
 *   notify_listen PATH SECONDS
 *
 * Binds a Unix datagram socket at PATH (what $NOTIFY_SOCKET names), then
 * prints every datagram it receives, each followed by a line "--", until
 * one holds the line READY=1 (exit 0) or SECONDS pass (exit 1). Exit 2 on
 * a usage or socket error. The test waits for PATH to exist before it
 * starts the daemon.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Does the datagram hold the line READY=1? */
static int
is_ready(const char *msg)
{
	const char *p = msg;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "READY=1", 7) == 0 &&
		    (p[7] == '\n' || p[7] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	char buf[4096];
	long long deadline;
	ssize_t n;
	int fd, left;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("socket");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("bind");
		return 2;
	}
	deadline = now_ms() + atoi(argv[2]) * 1000LL;
	for (;;) {
		left = (int)(deadline - now_ms());
		if (left <= 0) {
			fprintf(stderr, "notify_listen: no READY=1 within "
			    "%s s\n", argv[2]);
			return 1;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("recv");
			return 2;
		}
		buf[n] = '\0';
		printf("%s\n--\n", buf);
		fflush(stdout);
		if (is_ready(buf))
			return 0;
	}
}

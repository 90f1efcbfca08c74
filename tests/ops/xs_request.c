/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A raw xenstore client for tests/ops/run.sh: one request, its reply.
 *
 *   xs_request [-c N] TYPE [ARG...]
 *
 * Connects to $XENSTORED_PATH, sends message TYPE (a number) with each
 * ARG NUL-terminated, and prints the reply's payload on one line (NULs as
 * spaces, a trailing NUL dropped). Exit 0 if the reply has the request's
 * type, 1 for an ERROR reply (its name is printed), 2 on a usage, I/O or
 * protocol error or after 10 s without a reply. -c N first opens N more
 * connections and keeps them open while the request runs.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define XS_ERROR	16
#define PAYLOAD_MAX	4096
#define TIMEOUT_MS	10000

struct hdr {
	uint32_t type, req_id, tx_id, len;
};

static int
connect_to(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes, waiting at most TIMEOUT_MS for each chunk. */
static int
read_all(int fd, char *buf, size_t len)
{
	struct pollfd pfd;
	ssize_t n;

	while (len > 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, TIMEOUT_MS) != 1)
			return -1;
		n = read(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char out[sizeof(struct hdr) + PAYLOAD_MAX], in[PAYLOAD_MAX + 1];
	const char *path = getenv("XENSTORED_PATH");
	struct hdr h;
	size_t len = 0, alen;
	int fd, i, first = 1, extra = 0;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		extra = atoi(argv[2]);
		first = 3;
	}
	if (argc <= first || path == NULL) {
		fprintf(stderr, "usage: XENSTORED_PATH=... xs_request [-c N] "
		    "TYPE [ARG...]\n");
		return 2;
	}
	for (i = 0; i < extra; i++) {
		if (connect_to(path) == -1) {	/* kept open until exit */
			perror("xs_request: extra connection");
			return 2;
		}
	}
	for (i = first + 1; i < argc; i++) {
		alen = strlen(argv[i]) + 1;
		if (len + alen > PAYLOAD_MAX) {
			fprintf(stderr, "xs_request: payload too long\n");
			return 2;
		}
		memcpy(out + sizeof(h) + len, argv[i], alen);
		len += alen;
	}
	memset(&h, 0, sizeof(h));
	h.type = (uint32_t)atoi(argv[first]);
	h.len = (uint32_t)len;
	memcpy(out, &h, sizeof(h));
	fd = connect_to(path);
	if (fd == -1 || write_all(fd, out, sizeof(h) + len) == -1 ||
	    read_all(fd, (char *)&h, sizeof(h)) == -1 || h.len > PAYLOAD_MAX ||
	    read_all(fd, in, h.len) == -1) {
		fprintf(stderr, "xs_request: no reply from %s\n", path);
		return 2;
	}
	len = h.len;
	if (len > 0 && in[len - 1] == '\0')
		len--;
	for (i = 0; i < (int)len; i++)
		if (in[i] == '\0')
			in[i] = ' ';
	in[len] = '\0';
	printf("%s\n", in);
	if (h.type == XS_ERROR)
		return 1;
	return h.type == (uint32_t)atoi(argv[first]) ? 0 : 2;
}

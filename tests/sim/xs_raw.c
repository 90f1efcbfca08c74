/*
 * xs_raw: a tiny dom0 client for the simulator tests (tests/sim/run.sh).
 *
 * Job: send the requests Debian's xenstore-* clients cannot send
 * (IS_DOMAIN_INTRODUCED, RESUME, ...) over the dom0 socket, watch several
 * paths on one connection (so that a marker event proves that an earlier
 * one did not come), and send a simulator control datagram. No state
 * outlives one run; every wait is bounded by -t.
 *
 *   xs_raw [-t MS] req TYPE [ARG...]
 *	One request. Each ARG is followed by a NUL, except the last ARG of
 *	a WRITE (the raw value). Prints the reply: "OK", the value, the
 *	names one per line, or "ERROR ENOENT". Exit 0, 1 on an ERROR reply.
 *   xs_raw [-t MS] batch
 *	One request per stdin line ("TYPE ARG...", words split on blanks; a
 *	word "" is the empty string), all on one connection; prints one line
 *	per reply (DIRECTORY names joined by one blank). Exit 0 even on
 *	ERROR replies.
 *   xs_raw [-t MS] watch [-n COUNT] PATH TOKEN [PATH TOKEN...]
 *	WATCH each pair in order, then print each event as "path token",
 *	flushed at once (initial events included). Stops after COUNT events
 *	(exit 1 if one does not come within -t), or without -n once -t
 *	passes with no event (exit 0).
 *   xs_raw [-t MS] txinc PATH COUNT
 *	COUNT times, as a toolstack does: TRANSACTION_START, READ PATH (a
 *	number; missing = 0), WRITE PATH value+1, TRANSACTION_END commit,
 *	all again on EAGAIN. Prints "commits C attempts A max M" (M: most
 *	attempts one commit took). Exit 1 if one commit takes longer than
 *	-t in all.
 *   xs_raw notify DIR DOMID
 *	Sends "notify DOMID" to DIR/control, as a guest signals its event
 *	channel.
 *
 * The socket is $XENSTORED_PATH. Exit 3 on a timeout or an I/O error,
 * 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#define EXIT_ERROR_REPLY	1
#define EXIT_USAGE		2
#define EXIT_BROKEN		3
#define PAYLOAD_MAX		4096
#define LINE_MAX_RAW		8192
#define WORDS_MAX		64

static int timeout_ms = 5000;

static const char *const type_names[] = {
	"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
	"TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE",
	"GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS",
	"WATCH_EVENT", "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME",
	"SET_TARGET", "RESTRICT", "RESET_WATCHES", "DIRECTORY_PART",
	"GET_FEATURE", "SET_FEATURE", "GET_QUOTA", "SET_QUOTA",
};
#define NTYPES	(sizeof(type_names) / sizeof(type_names[0]))

static int
usage(void)
{
	fputs("usage: xs_raw [-t MS] req TYPE [ARG...]\n"
	    "       xs_raw [-t MS] batch < lines\n"
	    "       xs_raw [-t MS] watch [-n COUNT] PATH TOKEN [PATH TOKEN...]\n"
	    "       xs_raw [-t MS] txinc PATH COUNT\n"
	    "       xs_raw notify DIR DOMID\n", stderr);
	return EXIT_USAGE;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
type_by_name(const char *s, uint32_t *type)
{
	char *end;
	unsigned long v;
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		if (strcasecmp(s, type_names[i]) == 0) {
			*type = (uint32_t)i;
			return 0;
		}
	}
	v = strtoul(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || v > UINT32_MAX)
		return EINVAL;
	*type = (uint32_t)v;
	return 0;
}

static int
sock_open(int *fd)
{
	struct sockaddr_un sa;
	const char *path = getenv("XENSTORED_PATH");

	if (path == NULL || path[0] == '\0') {
		fprintf(stderr, "xs_raw: XENSTORED_PATH is not set\n");
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xs_raw: socket path too long\n");
		return EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd == -1 || connect(*fd, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		fprintf(stderr, "xs_raw: connect %s: %s\n", path,
		    strerror(errno));
		return EXIT_BROKEN;
	}
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? EIO : errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes before the deadline. */
static int
read_all(int fd, void *buf, size_t len, int64_t deadline)
{
	struct pollfd pfd;
	char *p = buf;
	ssize_t n;
	int64_t left;

	while (len > 0) {
		left = deadline - now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) == 0)
			return ETIMEDOUT;
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			return ECONNRESET;
		if (n < 0)
			return errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct packet {
	struct xsd_sockmsg hdr;
	char	 body[PAYLOAD_MAX + 1];
};

static int
recv_packet(int fd, struct packet *pk, int64_t deadline)
{
	int err;

	if ((err = read_all(fd, &pk->hdr, sizeof(pk->hdr), deadline)) != 0)
		return err;
	if (pk->hdr.len > PAYLOAD_MAX)
		return EPROTO;
	if ((err = read_all(fd, pk->body, pk->hdr.len, deadline)) != 0)
		return err;
	pk->body[pk->hdr.len] = '\0';
	return 0;
}

/* Builds the payload of TYPE ARG... into buf; *len is its size. */
static int
build(uint32_t type, int argc, char **argv, char *buf, size_t *len)
{
	size_t n = 0, l;
	int i;

	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]);
		if (n + l + 1 > PAYLOAD_MAX)
			return E2BIG;
		memcpy(buf + n, argv[i], l);
		n += l;
		if (!(type == XS_WRITE && i == argc - 1))
			buf[n++] = '\0';
	}
	/* As libxenstore: these two carry "\0" when given no argument. */
	if (argc == 0 && (type == XS_TRANSACTION_START ||
	    type == XS_RESET_WATCHES))
		buf[n++] = '\0';
	*len = n;
	return 0;
}

static void
print_bytes(FILE *f, const char *p, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

/* Prints a reply; sep separates DIRECTORY names. */
static void
print_reply(uint32_t type, const struct packet *pk, const char *sep)
{
	const char *p = pk->body, *end = pk->body + pk->hdr.len;
	size_t l;
	bool first = true;

	if (pk->hdr.type == XS_ERROR) {
		l = strnlen(p, pk->hdr.len);
		fputs("ERROR ", stdout);
		print_bytes(stdout, p, l);
		fputc('\n', stdout);
		return;
	}
	if (type == XS_DIRECTORY) {
		while (p < end) {
			l = strnlen(p, (size_t)(end - p));
			if (!first)
				fputs(sep, stdout);
			print_bytes(stdout, p, l);
			first = false;
			p += l + 1;
		}
		fputc('\n', stdout);
		return;
	}
	/* A trailing NUL ("OK\0", "T\0", paths) is not part of the text. */
	l = pk->hdr.len;
	if (l > 0 && p[l - 1] == '\0')
		l--;
	print_bytes(stdout, p, l);
	fputc('\n', stdout);
}

/*
 * Sends one request and waits for its reply (a req or batch connection
 * sets no watches, so no event can come). Returns 0 or an errno for a
 * broken connection.
 */
static int
request(int fd, uint32_t id, uint32_t type, int argc, char **argv,
    struct packet *pk)
{
	char buf[PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	size_t len;
	int64_t deadline;
	int err;

	if ((err = build(type, argc, argv, buf, &len)) != 0)
		return err;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.req_id = id;
	hdr.len = (uint32_t)len;
	if ((err = write_all(fd, &hdr, sizeof(hdr))) != 0 ||
	    (err = write_all(fd, buf, len)) != 0)
		return err;
	deadline = now_ms() + timeout_ms;
	for (;;) {
		if ((err = recv_packet(fd, pk, deadline)) != 0)
			return err;
		if (pk->hdr.req_id != id) {
			fprintf(stderr, "xs_raw: reply with req_id %u, wanted "
			    "%u\n", pk->hdr.req_id, id);
			return EPROTO;
		}
		return 0;
	}
}

static int
broken(const char *what, int err)
{
	fprintf(stderr, "xs_raw: %s: %s\n", what, strerror(err));
	return EXIT_BROKEN;
}

static int
cmd_req(int argc, char **argv)
{
	struct packet pk;
	uint32_t type;
	int fd, st, err;

	if (argc < 1)
		return usage();
	if (type_by_name(argv[0], &type) != 0)
		return usage();
	if ((st = sock_open(&fd)) != 0)
		return st;
	err = request(fd, 1, type, argc - 1, argv + 1, &pk);
	close(fd);
	if (err != 0)
		return broken(argv[0], err);
	print_reply(type, &pk, "\n");
	return pk.hdr.type == XS_ERROR ? EXIT_ERROR_REPLY : 0;
}

static int
cmd_batch(void)
{
	char line[LINE_MAX_RAW], *words[WORDS_MAX], *save, *w;
	struct packet pk;
	uint32_t type, id = 1;
	int fd, st, err, n;

	if ((st = sock_open(&fd)) != 0)
		return st;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = 0;
		for (w = strtok_r(line, " \t\n", &save); w != NULL && n <
		    WORDS_MAX; w = strtok_r(NULL, " \t\n", &save))
			words[n++] = strcmp(w, "\"\"") == 0 ? w + 2 : w;
		if (n == 0)
			continue;
		if (type_by_name(words[0], &type) != 0) {
			close(fd);
			return usage();
		}
		err = request(fd, id++, type, n - 1, words + 1, &pk);
		if (err != 0) {
			close(fd);
			return broken(words[0], err);
		}
		print_reply(type, &pk, " ");
	}
	close(fd);
	return fflush(stdout) == 0 ? 0 : EXIT_BROKEN;
}

/* Prints an event as "path token"; returns true once count is reached. */
static bool
print_event(const struct packet *pk, unsigned long count,
    unsigned long *seen)
{
	const char *p = pk->body, *end = pk->body + pk->hdr.len, *tok;

	tok = p + strnlen(p, pk->hdr.len) + 1;
	print_bytes(stdout, p, strnlen(p, pk->hdr.len));
	fputc(' ', stdout);
	if (tok < end)
		print_bytes(stdout, tok, strnlen(tok, (size_t)(end - tok)));
	fputc('\n', stdout);
	fflush(stdout);
	return count != 0 && ++*seen >= count;
}

static int
cmd_watch(int argc, char **argv)
{
	char buf[PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	struct packet pk;
	unsigned long count = 0, seen = 0;
	uint32_t id;
	size_t len;
	int fd, st, err, i;

	if (argc >= 2 && strcmp(argv[0], "-n") == 0) {
		count = strtoul(argv[1], NULL, 10);
		if (count == 0)
			return usage();
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || argc % 2 != 0)
		return usage();
	if ((st = sock_open(&fd)) != 0)
		return st;
	for (i = 0, id = 1; i < argc; i += 2, id++) {
		if ((err = build(XS_WATCH, 2, argv + i, buf, &len)) != 0)
			return broken("watch", err);
		memset(&hdr, 0, sizeof(hdr));
		hdr.type = XS_WATCH;
		hdr.req_id = id;
		hdr.len = (uint32_t)len;
		if ((err = write_all(fd, &hdr, sizeof(hdr))) != 0 ||
		    (err = write_all(fd, buf, len)) != 0)
			return broken("watch", err);
		/* Events of earlier watches may come before this reply. */
		for (;;) {
			err = recv_packet(fd, &pk, now_ms() + timeout_ms);
			if (err != 0)
				return broken("watch", err);
			if (pk.hdr.type != XS_WATCH_EVENT)
				break;
			if (print_event(&pk, count, &seen))
				return 0;
		}
		if (pk.hdr.type == XS_ERROR || pk.hdr.req_id != id) {
			fprintf(stderr, "xs_raw: WATCH %s %s: ", argv[i],
			    argv[i + 1]);
			fflush(stdout);
			print_reply(XS_WATCH, &pk, " ");
			return EXIT_ERROR_REPLY;
		}
	}
	for (;;) {
		err = recv_packet(fd, &pk, now_ms() + timeout_ms);
		if (err == ETIMEDOUT && count == 0)
			break;
		if (err == ETIMEDOUT) {
			fprintf(stderr, "xs_raw: %lu of %lu events within "
			    "%d ms each\n", seen, count, timeout_ms);
			return EXIT_ERROR_REPLY;
		}
		if (err != 0)
			return broken("watch", err);
		if (pk.hdr.type != XS_WATCH_EVENT) {
			fprintf(stderr, "xs_raw: unexpected packet type %u\n",
			    pk.hdr.type);
			return EXIT_BROKEN;
		}
		if (print_event(&pk, count, &seen))
			break;
	}
	close(fd);
	return 0;
}

/* One transaction of txinc: 0 committed, EAGAIN lost, else broken. */
static int
txinc_once(int fd, uint32_t *id, char *path)
{
	char txid[16], val[32], *args[2];
	struct packet pk;
	struct xsd_sockmsg hdr;
	char buf[PAYLOAD_MAX];
	size_t len;
	int64_t deadline;
	uint32_t tx;
	int err;

	args[0] = (char *)"";
	if ((err = request(fd, ++*id, XS_TRANSACTION_START, 1, args, &pk)))
		return err;
	if (pk.hdr.type == XS_ERROR)
		return EIO;
	tx = (uint32_t)strtoul(pk.body, NULL, 10);
	snprintf(txid, sizeof(txid), "%u", tx);
	/* READ and WRITE carry the transaction id in the header. */
	len = strlen(path) + 1;
	memcpy(buf, path, len);
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = XS_READ;
	hdr.req_id = ++*id;
	hdr.tx_id = tx;
	hdr.len = (uint32_t)len;
	deadline = now_ms() + timeout_ms;
	if ((err = write_all(fd, &hdr, sizeof(hdr))) != 0 ||
	    (err = write_all(fd, buf, len)) != 0 ||
	    (err = recv_packet(fd, &pk, deadline)) != 0)
		return err;
	snprintf(val, sizeof(val), "%ld", pk.hdr.type == XS_ERROR ? 0L :
	    strtol(pk.body, NULL, 10) + 1);
	len = strlen(path) + 1 + strlen(val);
	memcpy(buf + strlen(path) + 1, val, strlen(val));
	hdr.type = XS_WRITE;
	hdr.req_id = ++*id;
	hdr.len = (uint32_t)len;
	if ((err = write_all(fd, &hdr, sizeof(hdr))) != 0 ||
	    (err = write_all(fd, buf, len)) != 0 ||
	    (err = recv_packet(fd, &pk, deadline)) != 0)
		return err;
	hdr.type = XS_TRANSACTION_END;
	hdr.req_id = ++*id;
	hdr.len = 2;
	if ((err = write_all(fd, &hdr, sizeof(hdr))) != 0 ||
	    (err = write_all(fd, "T", 2)) != 0 ||
	    (err = recv_packet(fd, &pk, deadline)) != 0)
		return err;
	if (pk.hdr.type != XS_ERROR)
		return 0;
	return strcmp(pk.body, "EAGAIN") == 0 ? EAGAIN : EIO;
}

static int
cmd_txinc(int argc, char **argv)
{
	unsigned long count, done, attempts = 0, max = 0, this;
	uint32_t id = 0;
	int64_t start;
	int fd, st, err;

	if (argc != 2 || (count = strtoul(argv[1], NULL, 10)) == 0)
		return usage();
	if ((st = sock_open(&fd)) != 0)
		return st;
	for (done = 0; done < count; done++) {
		start = now_ms();
		this = 0;
		do {
			this++;
			err = txinc_once(fd, &id, argv[0]);
		} while (err == EAGAIN && now_ms() - start < timeout_ms);
		attempts += this;
		if (this > max)
			max = this;
		if (err == EAGAIN) {
			printf("commits %lu attempts %lu max %lu\n", done,
			    attempts, max);
			fprintf(stderr, "xs_raw: no commit in %d ms (%lu "
			    "attempts)\n", timeout_ms, this);
			close(fd);
			return EXIT_ERROR_REPLY;
		}
		if (err != 0) {
			close(fd);
			return broken("txinc", err);
		}
	}
	close(fd);
	printf("commits %lu attempts %lu max %lu\n", count, attempts, max);
	return 0;
}

static int
cmd_notify(int argc, char **argv)
{
	struct sockaddr_un sa;
	char msg[32];
	int fd, n;

	if (argc != 2)
		return usage();
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", argv[0]);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return usage();
	n = snprintf(msg, sizeof(msg), "notify %s", argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) != n)
		return broken("notify", errno);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "+t:")) != -1) {
		switch (c) {
		case 't':
			timeout_ms = atoi(optarg);
			if (timeout_ms <= 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "req") == 0)
		return cmd_req(argc - 1, argv + 1);
	if (strcmp(argv[0], "batch") == 0 && argc == 1)
		return cmd_batch();
	if (strcmp(argv[0], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	if (strcmp(argv[0], "notify") == 0)
		return cmd_notify(argc - 1, argv + 1);
	if (strcmp(argv[0], "txinc") == 0)
		return cmd_txinc(argc - 1, argv + 1);
	return usage();
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xs_raw: a tiny dom0 client for the simulator and security tests
 * (tests/sim/run.sh, tests/security/run.sh).
 *
 * Job: send the requests Debian's xenstore-* clients cannot send
 * (IS_DOMAIN_INTRODUCED, RESUME, ...) over the dom0 socket, watch several
 * paths on one connection (so that a marker event proves that an earlier
 * one did not come), send bytes that are not a valid request, fill the
 * socket with requests whose replies are never read, run transactions
 * retried as a toolstack retries them, and send a simulator control
 * datagram. No state outlives one run; every wait is bounded by -t (or,
 * for noread, by its own HOLD).
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
 *   xs_raw [-t MS] raw HEX
 *	Sends the bytes (HEX: an even number of hex digits, no blanks) on a
 *	new connection, then reads until the daemon closes it: prints
 *	"closed", or "open" if it is still open after -t. Exit 0 either way.
 *   xs_raw [-t MS] noread PATH HOLD
 *	READ PATH again and again on one connection, never reading a reply,
 *	until the daemon stops taking requests (the socket stays full for
 *	1 s) or 100000 are sent; prints "sent N" (flushed), then keeps the
 *	connection open, still unread, for HOLD seconds. Exit 3 if the
 *	daemon still takes requests after -t.
 *   xs_raw [-t MS] tx COUNT READPATH WRITEPATH MAXTRIES
 *	COUNT transactions, the Ith: TRANSACTION_START, READ READPATH and
 *	WRITE WRITEPATH I in the transaction, TRANSACTION_END commit; an
 *	EAGAIN commit is retried from the start, at most MAXTRIES + 1
 *	attempts in all. Prints "attempts MAX TOTAL" (the most one
 *	transaction needed, and all of them). Exit 1 if one needed more than
 *	MAXTRIES; 3 (besides the cases below) on an ERROR reply other than
 *	the commit's EAGAIN.
 *   xs_raw [-t MS] txinc PATH COUNT
 *	COUNT times, as a toolstack does: TRANSACTION_START, READ PATH (a
 *	number; missing = 0), WRITE PATH value+1, TRANSACTION_END commit,
 *	all again on EAGAIN. Prints "commits C attempts A max M" (M: most
 *	attempts one commit took). Exit 1 if one commit takes longer than
 *	-t in all; 3 on an ERROR reply to TRANSACTION_START or WRITE.
 *   xs_raw notify DIR DOMID
 *	Sends "notify DOMID" to DIR/control, as a guest signals its event
 *	channel.
 *
 * The socket is $XENSTORED_PATH. Exit 3 on a timeout or an I/O error,
 * 2 on bad usage.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#define NOREAD_MAX		100000	/* noread sends at most that */
#define NOREAD_STUCK_MS		1000	/* full that long: stuck */

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
	    "       xs_raw [-t MS] raw HEX\n"
	    "       xs_raw [-t MS] noread PATH HOLD\n"
	    "       xs_raw [-t MS] tx COUNT READPATH WRITEPATH MAXTRIES\n"
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

/* A whole decimal number, digits only. */
static bool
parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && errno == 0;
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
 * Sends one request (in transaction tx, 0 for none) and waits for its
 * reply (a req, batch, tx or txinc connection sets no watches, so no
 * event can come). Returns 0 or an errno for a broken connection.
 */
static int
request(int fd, uint32_t id, uint32_t tx, uint32_t type, int argc,
    char **argv, struct packet *pk)
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
	hdr.tx_id = tx;
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
	err = request(fd, 1, 0, type, argc - 1, argv + 1, &pk);
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
		err = request(fd, id++, 0, type, n - 1, words + 1, &pk);
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

/* Says an ERROR reply to WHAT [PATH] on stderr; returns -1. */
static int
tx_error(const char *what, const char *path, const struct packet *pk)
{
	fprintf(stderr, "xs_raw: %s%s%s: ERROR ", what, path ? " " : "",
	    path ? path : "");
	print_bytes(stderr, pk->body, strnlen(pk->body, pk->hdr.len));
	fputc('\n', stderr);
	return -1;
}

/*
 * One transaction, as a toolstack runs it: TRANSACTION_START, READ rpath
 * and WRITE wpath value in the transaction, TRANSACTION_END commit. With
 * value NULL (txinc) the value is the number READ gives plus one, 0 if
 * READ fails; else (tx) a READ error is a failure. Returns 0 committed,
 * EAGAIN lost, -1 for another ERROR reply (said on stderr), else an errno
 * for a broken connection.
 */
static int
tx_once(int fd, uint32_t *id, char *rpath, char *wpath, char *value)
{
	char num[32], *args[2];
	struct packet pk;
	uint32_t tx;
	int err;

	err = request(fd, ++*id, 0, XS_TRANSACTION_START, 0, NULL, &pk);
	if (err != 0)
		return err;
	if (pk.hdr.type == XS_ERROR)
		return tx_error("TRANSACTION_START", NULL, &pk);
	tx = (uint32_t)strtoul(pk.body, NULL, 10);
	args[0] = rpath;
	if ((err = request(fd, ++*id, tx, XS_READ, 1, args, &pk)) != 0)
		return err;
	if (value == NULL) {
		snprintf(num, sizeof(num), "%ld", pk.hdr.type == XS_ERROR ?
		    0L : strtol(pk.body, NULL, 10) + 1);
		value = num;
	} else if (pk.hdr.type == XS_ERROR) {
		return tx_error("READ", rpath, &pk);
	}
	args[0] = wpath;
	args[1] = value;
	if ((err = request(fd, ++*id, tx, XS_WRITE, 2, args, &pk)) != 0)
		return err;
	if (pk.hdr.type == XS_ERROR)
		return tx_error("WRITE", wpath, &pk);
	args[0] = (char *)"T";
	err = request(fd, ++*id, tx, XS_TRANSACTION_END, 1, args, &pk);
	if (err != 0)
		return err;
	if (pk.hdr.type != XS_ERROR)
		return 0;
	if (strcmp(pk.body, "EAGAIN") == 0)
		return EAGAIN;
	return tx_error("TRANSACTION_END", NULL, &pk);
}

/* Ends a tx or txinc run after tx_once failed with err (not EAGAIN). */
static int
tx_failed(int fd, const char *what, int err)
{
	close(fd);
	return err < 0 ? EXIT_BROKEN : broken(what, err);
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
	signal(SIGPIPE, SIG_IGN);
	if ((st = sock_open(&fd)) != 0)
		return st;
	for (done = 0; done < count; done++) {
		start = now_ms();
		this = 0;
		do {
			this++;
			err = tx_once(fd, &id, argv[0], argv[0], NULL);
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
		if (err != 0)
			return tx_failed(fd, "txinc", err);
	}
	close(fd);
	printf("commits %lu attempts %lu max %lu\n", count, attempts, max);
	return 0;
}

static int
cmd_tx(int argc, char **argv)
{
	char value[32];
	unsigned long count, maxtries, i, tries, max = 0, total = 0;
	uint32_t id = 0;
	int fd, st, err;

	if (argc != 4 || !parse_ulong(argv[0], &count) ||
	    !parse_ulong(argv[3], &maxtries))
		return usage();
	signal(SIGPIPE, SIG_IGN);
	if ((st = sock_open(&fd)) != 0)
		return st;
	for (i = 1; i <= count; i++) {
		snprintf(value, sizeof(value), "%lu", i);
		tries = 0;
		do {
			tries++;
			err = tx_once(fd, &id, argv[1], argv[2], value);
		} while (err == EAGAIN && tries <= maxtries);
		if (err != 0 && err != EAGAIN)
			return tx_failed(fd, "tx", err);
		total += tries;
		if (tries > max)
			max = tries;
	}
	close(fd);
	printf("attempts %lu %lu\n", max, total);
	if (fflush(stdout) != 0)
		return EXIT_BROKEN;
	return max > maxtries ? EXIT_ERROR_REPLY : 0;
}

/* Decodes HEX (an even number of hex digits) into a new buffer. */
static int
hex_decode(const char *hex, char **out, size_t *len)
{
	size_t n = strlen(hex), i;
	char *buf, pair[3];

	if (n % 2 != 0)
		return EINVAL;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return EINVAL;
	if ((buf = malloc(n / 2 + 1)) == NULL)
		return ENOMEM;
	pair[2] = '\0';
	for (i = 0; i < n / 2; i++) {
		pair[0] = hex[2 * i];
		pair[1] = hex[2 * i + 1];
		buf[i] = (char)strtoul(pair, NULL, 16);
	}
	*out = buf;
	*len = n / 2;
	return 0;
}

static int
cmd_raw(int argc, char **argv)
{
	char *bytes, buf[4096];
	struct pollfd pfd;
	size_t len;
	ssize_t n;
	int64_t deadline, left;
	int fd, st, err, r;
	bool closed = false;

	if (argc != 1 || hex_decode(argv[0], &bytes, &len) != 0)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	if ((st = sock_open(&fd)) != 0) {
		free(bytes);
		return st;
	}
	err = write_all(fd, bytes, len);
	free(bytes);
	/* If the daemon has closed the connection already, reading says so. */
	if (err != 0 && err != EPIPE && err != ECONNRESET) {
		close(fd);
		return broken("raw", err);
	}
	deadline = now_ms() + timeout_ms;
	while (!closed && (left = deadline - now_ms()) > 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			close(fd);
			return broken("raw", errno);
		}
		if (r == 0)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != ECONNRESET) {
			close(fd);
			return broken("raw", errno);
		}
		closed = n <= 0;	/* end of file, or reset */
	}
	close(fd);
	puts(closed ? "closed" : "open");
	return fflush(stdout) == 0 ? 0 : EXIT_BROKEN;
}

static int
cmd_noread(int argc, char **argv)
{
	char msg[sizeof(struct xsd_sockmsg) + PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	struct pollfd pfd;
	struct timespec ts;
	unsigned long sent = 0, hold;
	size_t plen, mlen, off = 0;
	ssize_t n;
	int64_t start, last, left, end;
	int fd, st, r, fl;

	if (argc != 2 || !parse_ulong(argv[1], &hold) || hold > 86400)
		return usage();
	plen = strlen(argv[0]) + 1;
	if (plen > PAYLOAD_MAX)
		return usage();
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = XS_READ;
	hdr.req_id = 1;
	hdr.len = (uint32_t)plen;
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), argv[0], plen);
	mlen = sizeof(hdr) + plen;
	signal(SIGPIPE, SIG_IGN);
	if ((st = sock_open(&fd)) != 0)
		return st;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		close(fd);
		return broken("noread", errno);
	}
	start = last = now_ms();
	while (sent < NOREAD_MAX) {
		n = write(fd, msg + off, mlen - off);
		if (n > 0) {
			off += (size_t)n;
			if (off == mlen) {
				off = 0;
				sent++;
			}
			last = now_ms();
			if (last - start > timeout_ms) {
				fprintf(stderr, "xs_raw: noread: the daemon "
				    "still takes requests after %d ms (%lu "
				    "sent)\n", timeout_ms, sent);
				close(fd);
				return EXIT_BROKEN;
			}
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(fd);
			return broken("noread", n == 0 ? EIO : errno);
		}
		/* The socket is full: stuck once it stays full that long. */
		if ((left = last + NOREAD_STUCK_MS - now_ms()) <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno != EINTR) {
			close(fd);
			return broken("noread", errno);
		}
		if (r == 0)
			break;
	}
	printf("sent %lu\n", sent);
	if (fflush(stdout) != 0) {
		close(fd);
		return EXIT_BROKEN;
	}
	end = now_ms() + (int64_t)hold * 1000;
	while ((left = end - now_ms()) > 0) {
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		nanosleep(&ts, NULL);	/* EINTR: sleeps the rest */
	}
	close(fd);
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
	if (strcmp(argv[0], "raw") == 0)
		return cmd_raw(argc - 1, argv + 1);
	if (strcmp(argv[0], "noread") == 0)
		return cmd_noread(argc - 1, argv + 1);
	if (strcmp(argv[0], "tx") == 0)
		return cmd_tx(argc - 1, argv + 1);
	if (strcmp(argv[0], "txinc") == 0)
		return cmd_txinc(argc - 1, argv + 1);
	return usage();
}

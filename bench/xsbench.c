/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsbench.c: the raw socket benchmark client.  It speaks the xenstore wire
 * protocol itself (16-byte header, payload) with up to --depth requests in
 * flight, so what is measured is the daemon, not a client library.  Each
 * workload prints one RESULT line per timed phase (common.h); setup phases
 * are not timed.  Every wait is bounded (--timeout seconds, 60 by default):
 * a daemon that stops answering ends the run with exit status 2.
 *
 * Usage: xsbench --socket PATH [--pid DAEMONPID] [--tag NAME] WORKLOAD [args]
 *   point N PER_DIR DEPTH        write then read N nodes (PER_DIR 0 = flat)
 *   rm N flat|tree               build N nodes (the "load" phase: time and
 *                                RSS), then time one RM of their root
 *   concurrent CLIENTS OPS       CLIENTS connections, write+read, depth 1
 *   tx hot|disjoint CLIENTS N    N commits in all of read+write+commit
 *   watch WATCHERS WRITES        fan-out of WRITES to WATCHERS watches
 *   bulk N                       RSS before and after N nodes
 *   dir N small|big REPS         list a directory of N children REPS times
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

#define XS_DIRECTORY		1
#define XS_READ			2
#define XS_WATCH		4
#define XS_TRANSACTION_START	6
#define XS_TRANSACTION_END	7
#define XS_WRITE		11
#define XS_RM			13
#define XS_WATCH_EVENT		15
#define XS_ERROR		16
#define XS_DIRECTORY_PART	22

#define HDR_LEN		16
#define MAX_REPLY	(1 << 20)	/* oxenstored 4.17 exceeds 4096 */
#define MAX_DEPTH	256

struct hdr {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

struct conn {
	int fd;
	char *in;
	size_t inlen;
	size_t incap;
	size_t consumed;	/* bytes of in[] handed out by conn_next */
};

static const char *sock_path;
static pid_t daemon_pid;
static const char *tag = "run";
static int timeout_ms = 60000;

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		bench_die("out of memory");
	return p;
}

static struct conn *
conn_open(void)
{
	struct sockaddr_un sun;
	struct conn *c;

	c = xmalloc(sizeof(*c));
	c->incap = 65536;
	c->in = xmalloc(c->incap);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		bench_die("socket: %s", strerror(errno));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path))
		bench_die("socket path too long");
	strcpy(sun.sun_path, sock_path);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		bench_die("connect %s: %s", sock_path, strerror(errno));
	return c;
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	free(c->in);
	free(c);
}

static void
write_all(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (poll(&pfd, 1, timeout_ms) <= 0)
				bench_die("%s: send timed out", tag);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			bench_die("%s: send: %s", tag, strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* Appends one request to out (at least HDR_LEN + 4096 bytes free). */
static size_t
put_req(char *out, uint32_t type, uint32_t id, uint32_t tx, const char *p,
    size_t len)
{
	struct hdr h = { type, id, tx, (uint32_t)len };

	memcpy(out, &h, HDR_LEN);
	memcpy(out + HDR_LEN, p, len);
	return HDR_LEN + len;
}

static void
conn_send(struct conn *c, uint32_t type, uint32_t id, uint32_t tx,
    const char *p, size_t len)
{
	char buf[HDR_LEN + 4096];

	if (len > 4096)
		bench_die("request too long");
	write_all(c->fd, buf, put_req(buf, type, id, tx, p, len));
}

/*
 * Hands out the next whole message (payload valid until the next call).
 * block: wait up to the timeout; else try one non-blocking read.
 * Returns 1 with a message, 0 without (non-blocking only).
 */
static int
conn_next(struct conn *c, struct hdr *h, char **payload, int block)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t need;
	ssize_t n;

	if (c->consumed > 0) {
		memmove(c->in, c->in + c->consumed, c->inlen - c->consumed);
		c->inlen -= c->consumed;
		c->consumed = 0;
	}
	for (;;) {
		if (c->inlen >= HDR_LEN) {
			memcpy(h, c->in, HDR_LEN);
			if (h->len > MAX_REPLY)
				bench_die("%s: reply of %u bytes", tag, h->len);
			need = HDR_LEN + h->len;
			if (c->inlen >= need) {
				*payload = c->in + HDR_LEN;
				c->consumed = need;
				return 1;
			}
			if (need > c->incap) {
				c->incap = need;
				c->in = realloc(c->in, c->incap);
				if (c->in == NULL)
					bench_die("out of memory");
			}
		}
		if (block && poll(&pfd, 1, timeout_ms) <= 0)
			bench_die("%s: no reply within %d ms", tag, timeout_ms);
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen,
		    MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!block)
				return 0;
			continue;
		}
		if (n <= 0)
			bench_die("%s: connection closed by daemon", tag);
		c->inlen += (size_t)n;
		if (!block && c->inlen < HDR_LEN)
			return 0;
	}
}

/* Sends one request and waits for its reply, skipping events. */
static uint32_t
rpc(struct conn *c, uint32_t type, uint32_t tx, const char *p, size_t len,
    char **reply, uint32_t *rlen)
{
	static __thread uint32_t id = 1000000;
	struct hdr h;
	char *pl;

	conn_send(c, type, ++id, tx, p, len);
	for (;;) {
		conn_next(c, &h, &pl, 1);
		if (h.type == XS_WATCH_EVENT)
			continue;
		if (h.req_id != id)
			bench_die("%s: reply id %u, expected %u", tag, h.req_id,
			    id);
		if (reply != NULL)
			*reply = pl;
		if (rlen != NULL)
			*rlen = h.len;
		return h.type;
	}
}

static void
rpc_ok(struct conn *c, uint32_t type, uint32_t tx, const char *p, size_t len)
{
	uint32_t rlen;
	char *r;

	if (rpc(c, type, tx, p, len, &r, &rlen) == XS_ERROR)
		bench_die("%s: request type %u: %.*s", tag, type, (int)rlen, r);
}

static size_t
path_arg(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Formats a path and its NUL; returns the payload length. */
static size_t
path_arg(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 > cap)
		bench_die("path too long");
	return (size_t)n + 1;
}

/* A request generator for pipeline(): fills p, returns type and length. */
typedef uint32_t (*gen_fn)(size_t i, const void *ctx, char *p, size_t *len);

/*
 * Sends n requests with up to depth in flight; lat[i] gets request i's
 * round trip.  Returns the number of error replies.
 */
static size_t
pipeline(struct conn *c, size_t n, unsigned depth, gen_fn gen,
    const void *ctx, uint64_t *lat)
{
	char *out = xmalloc((size_t)MAX_DEPTH * (HDR_LEN + 4096));
	uint64_t *sent_at = xmalloc(n * sizeof(*sent_at));
	size_t sent = 0, done = 0, errors = 0, olen, len;
	char p[4096];
	struct hdr h;
	uint32_t type;
	char *pl;

	if (depth == 0 || depth > MAX_DEPTH)
		bench_die("depth must be 1..%d", MAX_DEPTH);
	while (done < n) {
		olen = 0;
		while (sent < n && sent - done < depth) {
			type = gen(sent, ctx, p, &len);
			olen += put_req(out + olen, type, (uint32_t)sent, 0, p,
			    len);
			sent_at[sent] = bench_now_ns();
			sent++;
		}
		if (olen > 0)
			write_all(c->fd, out, olen);
		conn_next(c, &h, &pl, 1);
		if (h.type == XS_WATCH_EVENT)
			continue;
		if (h.req_id != done)
			bench_die("%s: reply %u out of order (want %zu)", tag,
			    h.req_id, done);
		if (lat != NULL)
			lat[done] = bench_now_ns() - sent_at[done];
		if (h.type == XS_ERROR) {
			if (errors == 0)
				fprintf(stderr, "%s: first error: %.*s\n", tag,
				    (int)h.len, pl);
			errors++;
		}
		done++;
	}
	free(out);
	free(sent_at);
	return errors;
}

/* Node i of a set: flat under base, or per_dir children per directory. */
struct nodeset {
	const char *base;
	size_t per_dir;
	uint32_t type;
	int tree;	/* three levels: 10 x 100 x per_dir */
};

static size_t
node_path(const struct nodeset *s, size_t i, char *p)
{
	if (s->tree)
		return path_arg(p, 4096, "%s/a%zu/b%zu/c%zu", s->base,
		    i / 10000, i / 100 % 100, i % 100);
	if (s->per_dir == 0)
		return path_arg(p, 4096, "%s/n%zu", s->base, i);
	return path_arg(p, 4096, "%s/d%zu/n%zu", s->base, i / s->per_dir,
	    i % s->per_dir);
}

static uint32_t
gen_node(size_t i, const void *ctx, char *p, size_t *len)
{
	const struct nodeset *s = ctx;

	*len = node_path(s, i, p);
	if (s->type == XS_WRITE)
		*len += (size_t)snprintf(p + *len, 32, "value-%zu", i);
	return s->type;
}

static void
report_phase(const char *phase, size_t ops, uint64_t t0, uint64_t c0,
    uint64_t *lat, size_t nlat, const char *extra)
{
	uint64_t wall = bench_now_ns() - t0;
	uint64_t cpu = bench_cpu_ns(daemon_pid) - c0;
	char name[128];

	snprintf(name, sizeof(name), "%s.%s", tag, phase);
	bench_report(name, ops, wall, lat, nlat, cpu, daemon_pid, extra);
}

static void
fill(struct conn *c, struct nodeset *s, size_t n)
{
	s->type = XS_WRITE;
	if (pipeline(c, n, 32, gen_node, s, NULL) != 0)
		bench_die("%s: setup writes failed", tag);
}

static void
w_point(size_t n, size_t per_dir, unsigned depth)
{
	struct nodeset s = { "/bench/point", per_dir, XS_WRITE, 0 };
	uint64_t *lat = xmalloc(n * sizeof(*lat));
	struct conn *c = conn_open();
	uint64_t t0, c0;
	size_t err;

	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	err = pipeline(c, n, depth, gen_node, &s, lat);
	if (err != 0)
		bench_die("%s: %zu writes failed", tag, err);
	report_phase("write", n, t0, c0, lat, n, NULL);

	s.type = XS_READ;
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	err = pipeline(c, n, depth, gen_node, &s, lat);
	if (err != 0)
		bench_die("%s: %zu reads failed", tag, err);
	report_phase("read", n, t0, c0, lat, n, NULL);
	conn_close(c);
	free(lat);
}

static void
w_rm(size_t n, int tree)
{
	struct nodeset s = { tree ? "/bench/rmtree" : "/bench/rmflat",
	    tree ? 100 : 0, XS_WRITE, tree };
	struct conn *c = conn_open();
	long before = bench_rss_kb(daemon_pid);
	uint64_t t0, c0, lat;
	char p[64], extra[64];

	/* The fill is the bulk load: its RSS is the one after N nodes. */
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	fill(c, &s, n);
	snprintf(extra, sizeof(extra), "rss_before_kb=%ld", before);
	report_phase("load", n, t0, c0, NULL, 0, extra);
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	rpc_ok(c, XS_RM, 0, p, path_arg(p, sizeof(p), "%s", s.base));
	lat = bench_now_ns() - t0;
	/* ops = nodes removed, so ops_s is nodes per second. */
	report_phase("rm", n, t0, c0, &lat, 1, NULL);
	conn_close(c);
}

struct worker {
	pthread_t thread;
	unsigned id;
	size_t ops;
	int hot;
	uint64_t *lat;
	size_t nlat;
	size_t eagain;
	uint64_t done_ns;
};

static void *
concurrent_main(void *arg)
{
	struct worker *w = arg;
	struct conn *c = conn_open();
	char p[128];
	size_t i, len;
	uint64_t t;

	for (i = 0; i < w->ops; i++) {
		len = path_arg(p, sizeof(p), "/bench/conc/c%u/n%zu", w->id, i);
		len += (size_t)snprintf(p + len, 32, "v%zu", i);
		t = bench_now_ns();
		rpc_ok(c, XS_WRITE, 0, p, len);
		w->lat[w->nlat++] = bench_now_ns() - t;
		len = path_arg(p, sizeof(p), "/bench/conc/c%u/n%zu", w->id, i);
		t = bench_now_ns();
		rpc_ok(c, XS_READ, 0, p, len);
		w->lat[w->nlat++] = bench_now_ns() - t;
	}
	conn_close(c);
	return NULL;
}

/* One read-increment-write transaction, retried on EAGAIN. */
static void *
tx_main(void *arg)
{
	struct worker *w = arg;
	struct conn *c = conn_open();
	char p[128], val[32], *r;
	uint64_t t, start = bench_now_ns();
	size_t i, len, plen, retries;
	uint32_t type, rlen, tx;

	if (w->hot)
		plen = path_arg(p, sizeof(p), "/bench/tx/hot");
	else
		plen = path_arg(p, sizeof(p), "/bench/tx/c%u", w->id);
	for (i = 0; i < w->ops; i++) {
		t = bench_now_ns();
		for (retries = 0;; retries++) {
			if (retries > 100000)
				bench_die("%s: client %u starved", tag, w->id);
			type = rpc(c, XS_TRANSACTION_START, 0, "", 1, &r,
			    &rlen);
			if (type == XS_ERROR)
				bench_die("%s: TRANSACTION_START: %.*s", tag,
				    (int)rlen, r);
			tx = (uint32_t)strtoul(r, NULL, 10);
			type = rpc(c, XS_READ, tx, p, plen, &r, &rlen);
			len = type == XS_ERROR ? 0 : rlen;
			if (len >= sizeof(val))
				len = sizeof(val) - 1;
			memcpy(val, r, len);
			val[len] = '\0';
			len = (size_t)snprintf(p + plen, 32, "%lu",
			    strtoul(val, NULL, 10) + 1);
			rpc_ok(c, XS_WRITE, tx, p, plen + len);
			type = rpc(c, XS_TRANSACTION_END, tx, "T", 2, &r,
			    &rlen);
			if (type != XS_ERROR)
				break;
			if (rlen < 6 || memcmp(r, "EAGAIN", 6) != 0)
				bench_die("%s: commit: %.*s", tag, (int)rlen,
				    r);
			w->eagain++;
		}
		w->lat[w->nlat++] = bench_now_ns() - t;
	}
	w->done_ns = bench_now_ns() - start;
	conn_close(c);
	return NULL;
}

static void
run_workers(struct worker *w, unsigned n, void *(*fn)(void *))
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].thread, NULL, fn, &w[i]) != 0)
			bench_die("pthread_create failed");
	for (i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
}

static void
w_concurrent(unsigned clients, size_t ops)
{
	struct worker *w = xmalloc(clients * sizeof(*w));
	size_t per = ops / clients, i, total = 0;
	uint64_t *lat, t0, c0;
	unsigned k;

	for (k = 0; k < clients; k++) {
		w[k].id = k;
		w[k].ops = per;
		w[k].lat = xmalloc(2 * per * sizeof(uint64_t));
	}
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	run_workers(w, clients, concurrent_main);
	lat = xmalloc(2 * per * clients * sizeof(*lat));
	for (k = 0; k < clients; k++)
		for (i = 0; i < w[k].nlat; i++)
			lat[total++] = w[k].lat[i];
	report_phase("writeread", total, t0, c0, lat, total, NULL);
	for (k = 0; k < clients; k++)
		free(w[k].lat);
	free(w);
	free(lat);
}

static void
w_tx(int hot, unsigned clients, size_t commits)
{
	struct worker *w = xmalloc(clients * sizeof(*w));
	size_t per = commits / clients, i, total = 0, eagain = 0;
	uint64_t *lat, t0, c0, worst = 0;
	struct conn *c = conn_open();
	char p[64], extra[256], *r;
	double p50, maxlat;
	uint32_t rlen;
	unsigned k;

	/* Counters start at 0 so every transaction reads a node. */
	for (k = 0; k < (hot ? 1 : clients); k++) {
		size_t len = hot ? path_arg(p, sizeof(p), "/bench/tx/hot") :
		    path_arg(p, sizeof(p), "/bench/tx/c%u", k);
		p[len++] = '0';
		rpc_ok(c, XS_WRITE, 0, p, len);
	}
	for (k = 0; k < clients; k++) {
		w[k].id = k;
		w[k].ops = per;
		w[k].hot = hot;
		w[k].lat = xmalloc(per * sizeof(uint64_t));
	}
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	run_workers(w, clients, tx_main);
	lat = xmalloc(per * clients * sizeof(*lat));
	for (k = 0; k < clients; k++) {
		for (i = 0; i < w[k].nlat; i++) {
			lat[total++] = w[k].lat[i];
			if (w[k].lat[i] > worst)
				worst = w[k].lat[i];
		}
		eagain += w[k].eagain;
	}
	p50 = bench_quantile_us(lat, total, 0.5);
	maxlat = (double)worst / 1000.0;
	if (hot) {
		rpc(c, XS_READ, 0, p, path_arg(p, sizeof(p), "/bench/tx/hot"),
		    &r, &rlen);
		if (strtoul(r, NULL, 10) != total)
			bench_die("%s: counter %.*s after %zu commits", tag,
			    (int)rlen, r, total);
	}
	snprintf(extra, sizeof(extra), "eagain_per_commit=%.3f max_us=%.1f "
	    "max_over_p50=%.1f", total ? (double)eagain / (double)total : 0,
	    maxlat, p50 > 0 ? maxlat / p50 : 0);
	report_phase("commit", total, t0, c0, lat, total, extra);
	for (k = 0; k < clients; k++)
		free(w[k].lat);
	free(w);
	free(lat);
	conn_close(c);
}

/*
 * Watch fan-out: WATCHERS connections watch /bench/w; one writer writes
 * /bench/w/x<i> with up to 8 writes in flight; each event's latency runs
 * from its write's send to the event's arrival.
 */
static void
w_watch(unsigned watchers, size_t writes)
{
	struct conn **wc = xmalloc(watchers * sizeof(*wc));
	uint64_t *sent_at = xmalloc(writes * sizeof(*sent_at));
	size_t nev = (size_t)watchers * writes, got = 0, sent = 0, done = 0;
	uint64_t *lat = xmalloc(nev * sizeof(*lat));
	struct epoll_event ev, evs[64];
	struct conn *writer = conn_open();
	uint64_t t0, c0, deadline;
	char p[128], extra[128], *pl;
	struct hdr h;
	unsigned k;
	size_t len, idx;
	int ep, n, i;

	rpc_ok(writer, XS_WRITE, 0, "/bench/w\0", 9);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		bench_die("epoll_create1: %s", strerror(errno));
	for (k = 0; k < watchers; k++) {
		wc[k] = conn_open();
		len = path_arg(p, sizeof(p), "/bench/w");
		len += path_arg(p + len, sizeof(p) - len, "t%u", k);
		rpc_ok(wc[k], XS_WATCH, 0, p, len);
		ev.events = EPOLLIN;
		ev.data.u32 = k;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, wc[k]->fd, &ev) != 0)
			bench_die("epoll_ctl: %s", strerror(errno));
	}
	ev.events = EPOLLIN;
	ev.data.u32 = watchers;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, writer->fd, &ev) != 0)
		bench_die("epoll_ctl: %s", strerror(errno));

	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	while (got < nev || done < writes) {
		while (sent < writes && sent - done < 8) {
			len = path_arg(p, sizeof(p), "/bench/w/x%zu", sent);
			p[len++] = 'v';
			sent_at[sent] = bench_now_ns();
			conn_send(writer, XS_WRITE, (uint32_t)sent, 0, p, len);
			sent++;
		}
		if (bench_now_ns() > deadline)
			bench_die("%s: %zu of %zu events after %d ms", tag, got,
			    nev, timeout_ms);
		n = epoll_wait(ep, evs, 64, 1000);
		for (i = 0; i < n; i++) {
			k = evs[i].data.u32;
			if (k == watchers) {
				while (conn_next(writer, &h, &pl, 0)) {
					if (h.type == XS_ERROR)
						bench_die("%s: write failed", tag);
					if (h.type != XS_WATCH_EVENT)
						done++;
				}
				continue;
			}
			while (conn_next(wc[k], &h, &pl, 0)) {
				if (h.type != XS_WATCH_EVENT ||
				    strncmp(pl, "/bench/w/x", 10) != 0)
					continue;	/* the initial event */
				idx = strtoul(pl + 10, NULL, 10);
				if (idx >= writes || got >= nev)
					bench_die("%s: stray event", tag);
				lat[got++] = bench_now_ns() - sent_at[idx];
			}
		}
	}
	snprintf(extra, sizeof(extra), "writes_s=%.1f watchers=%u",
	    (double)writes / ((double)(bench_now_ns() - t0) / 1e9), watchers);
	/* ops = events delivered: ops_s is events/s, cpu per event. */
	report_phase("events", nev, t0, c0, lat, nev, extra);
	for (k = 0; k < watchers; k++)
		conn_close(wc[k]);
	conn_close(writer);
	close(ep);
	free(wc);
	free(sent_at);
	free(lat);
}

static void
w_bulk(size_t n)
{
	struct nodeset s = { "/bench/bulk", 100, XS_WRITE, 0 };
	struct conn *c = conn_open();
	long before = bench_rss_kb(daemon_pid);
	uint64_t t0, c0;
	char extra[64];

	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	fill(c, &s, n);
	snprintf(extra, sizeof(extra), "rss_before_kb=%ld", before);
	report_phase("load", n, t0, c0, NULL, 0, extra);
	conn_close(c);
}

static uint32_t
gen_dirent(size_t i, const void *ctx, char *p, size_t *len)
{
	int big = *(const int *)ctx;

	/* small: names 0..999, 3,890 bytes; big: x00000000.., 10 bytes each */
	if (big)
		*len = path_arg(p, 4096, "/bench/dirbig/x%08zu", i);
	else
		*len = path_arg(p, 4096, "/bench/dirsmall/%zu", i);
	p[(*len)++] = 'v';
	return XS_WRITE;
}

/* Lists path whole: DIRECTORY, then DIRECTORY_PART if E2BIG.  Returns the
 * bytes of names; *mode says how. */
static size_t
list_dir(struct conn *c, const char *path, const char **mode)
{
	char p[128], *r, *body;
	size_t plen, off = 0, blen, glen;
	uint32_t type, rlen;

	plen = path_arg(p, sizeof(p), "%s", path);
	type = rpc(c, XS_DIRECTORY, 0, p, plen, &r, &rlen);
	if (type != XS_ERROR) {
		*mode = rlen > 4096 ? "oversized-reply" : "one-reply";
		return rlen;
	}
	if (rlen < 5 || memcmp(r, "E2BIG", 5) != 0)
		bench_die("%s: DIRECTORY: %.*s", tag, (int)rlen, r);
	for (;;) {
		plen = path_arg(p, sizeof(p), "%s", path);
		plen += path_arg(p + plen, sizeof(p) - plen, "%zu", off);
		type = rpc(c, XS_DIRECTORY_PART, 0, p, plen, &r, &rlen);
		if (type == XS_ERROR)
			bench_die("%s: DIRECTORY_PART: %.*s", tag, (int)rlen,
			    r);
		glen = strnlen(r, rlen) + 1;
		if (glen > rlen)
			bench_die("%s: DIRECTORY_PART reply malformed", tag);
		body = r + glen;
		blen = rlen - glen;
		if (blen <= 1 || (body[blen - 1] == '\0' &&
		    body[blen - 2] == '\0')) {
			off += blen > 0 ? blen - 1 : 0;
			break;
		}
		off += blen;
	}
	*mode = "e2big+directory_part";
	return off;
}

static void
w_dir(size_t n, int big, size_t reps)
{
	uint64_t *lat = xmalloc(reps * sizeof(*lat));
	struct conn *c = conn_open();
	const char *path = big ? "/bench/dirbig" : "/bench/dirsmall";
	const char *mode = "";
	uint64_t t0, c0, t;
	char extra[128];
	size_t i, bytes = 0;

	if (pipeline(c, n, 32, gen_dirent, &big, NULL) != 0)
		bench_die("%s: setup failed", tag);
	t0 = bench_now_ns();
	c0 = bench_cpu_ns(daemon_pid);
	for (i = 0; i < reps; i++) {
		t = bench_now_ns();
		bytes = list_dir(c, path, &mode);
		lat[i] = bench_now_ns() - t;
	}
	snprintf(extra, sizeof(extra), "bytes=%zu mode=%s", bytes, mode);
	report_phase("list", reps, t0, c0, lat, reps, extra);
	conn_close(c);
	free(lat);
}

static void
usage(void)
{
	fprintf(stderr, "usage: xsbench --socket PATH [--pid PID] [--tag NAME]"
	    " [--timeout S] WORKLOAD ARGS\n"
	    "  point N PER_DIR DEPTH | rm N flat|tree | concurrent CLIENTS OPS"
	    " |\n  tx hot|disjoint CLIENTS COMMITS | watch WATCHERS WRITES |"
	    " bulk N |\n  dir N small|big REPS\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int i = 1;
	const char *w;

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--socket") == 0)
			sock_path = argv[i + 1];
		else if (strcmp(argv[i], "--pid") == 0)
			daemon_pid = (pid_t)bench_num(argv[i + 1]);
		else if (strcmp(argv[i], "--tag") == 0)
			tag = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout_ms = (int)bench_num(argv[i + 1]) * 1000;
		else
			usage();
	}
	if (sock_path == NULL || i >= argc)
		usage();
	w = argv[i++];
	argc -= i;
	argv += i;
	if (strcmp(w, "point") == 0 && argc == 3)
		w_point(bench_num(argv[0]), bench_num(argv[1]),
		    (unsigned)bench_num(argv[2]));
	else if (strcmp(w, "rm") == 0 && argc == 2)
		w_rm(bench_num(argv[0]), strcmp(argv[1], "tree") == 0);
	else if (strcmp(w, "concurrent") == 0 && argc == 2)
		w_concurrent((unsigned)bench_num(argv[0]), bench_num(argv[1]));
	else if (strcmp(w, "tx") == 0 && argc == 3)
		w_tx(strcmp(argv[0], "hot") == 0, (unsigned)bench_num(argv[1]),
		    bench_num(argv[2]));
	else if (strcmp(w, "watch") == 0 && argc == 2)
		w_watch((unsigned)bench_num(argv[0]), bench_num(argv[1]));
	else if (strcmp(w, "bulk") == 0 && argc == 1)
		w_bulk(bench_num(argv[0]));
	else if (strcmp(w, "dir") == 0 && argc == 3)
		w_dir(bench_num(argv[0]), strcmp(argv[1], "big") == 0,
		    bench_num(argv[2]));
	else
		usage();
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsreconn.c: reconnections per second over simulated rings (xstored
 * --hypervisor=sim:DIR only; docs/ring.md "Reconnection" and "Simulator").
 *
 * G guests (domains FIRST .. FIRST+G-1, already created and introduced by
 * xs-guest) each run COUNT reconnection handshakes as fast as they can, all
 * G at once, from this one process: store connection = 1 (offset 2068),
 * send "notify <domid>" to DIR/control, then wait until the word reads 0
 * again.  The daemon drops the connection's state, resets and scrubs the
 * ring, clears the word and notifies; we poll the guests' datagram sockets
 * for that notify (10 ms at most per poll) and load every waiting guest's
 * word after each wake-up, so a lost notify costs time, never a hang.
 * Latency: from the store of 1 to the load that saw 0.
 *
 * Notifications go through one socket connected to DIR/control.  Its queue
 * holds net.unix.max_dgram_qlen datagrams (10 by default), which 100
 * guests overflow at once; a notify that finds it full stays pending (one
 * per guest, as an event channel's pending bit) and goes out when poll
 * says the queue has room, so no guest sleeps and none is lost.
 *
 * With --watches K, before each handshake the guest sets K watches over its
 * ring (data/w0 .. data/wK-1) and waits for the K replies and K initial
 * events, so every reconnection drops K watches; only the handshake is
 * timed, but the daemon CPU column then includes the watch requests.
 *
 * After the last handshake of each guest the page must be what the reset
 * leaves (indexes 0, error 0, both rings scrubbed, the reconnection
 * feature bit set): otherwise exit 2, as for any failure.  Every wait is
 * bounded (--timeout S, 60 by default, for the whole run): exit 2 when it
 * passes.
 *
 * Usage: xsreconn --dir DIR [--first D] [--guests G] [--count N]
 *            [--watches K] [--pid DAEMONPID] [--tag NAME] [--timeout S]
 * Prints one line: RESULT TAG.reconnect ops=G*N ... guests=G watches=K
 *
 * The ring accesses are ringio's own (ringio/ring.h): ring_produce and
 * ring_consume with the indexes this side owns, ring_connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "ringio/ring.h"

#define XS_WATCH	4
#define XS_WATCH_EVENT	15
#define XS_ERROR	16
#define HDR_LEN		16
#define POLL_MS		10
#define MAX_WATCHES	16	/* K requests must fit the 1024-byte ring */

enum gstate { G_WATCH, G_RECONN, G_DONE };

struct guest {
	unsigned int domid;
	struct xenstore_domain_interface *page;
	int fd;
	enum gstate st;
	size_t done;		/* handshakes completed */
	uint64_t t0;		/* when connection = 1 was stored */
	unsigned int replies, events;	/* of the watch phase */
	char in[2048];		/* response bytes not yet parsed */
	size_t inlen;
	struct sockaddr_un sun;	/* DIR/dom<N>/guest, bound */
	int pending;		/* a notify waits for room in the queue */
};

static struct sockaddr_un control;
static int sender = -1;		/* connected to DIR/control */
static unsigned int nwatches, npending;

static void
sun_of(struct sockaddr_un *sun, const char *dir, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s",
	    dir, name) >= sizeof(sun->sun_path))
		bench_die("path too long: %s/%s", dir, name);
}

static void
guest_open(struct guest *g, const char *dir, unsigned int domid)
{
	struct sockaddr_un *sun = &g->sun;
	char name[PATH_MAX];
	void *p;
	int fd;

	g->domid = domid;
	if ((size_t)snprintf(name, sizeof(name), "%s/dom%u/page", dir,
	    domid) >= sizeof(name))
		bench_die("path too long: %s", dir);
	if ((fd = open(name, O_RDWR | O_CLOEXEC)) == -1)
		bench_die("%s: %s", name, strerror(errno));
	p = mmap(NULL, RING_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED)
		bench_die("mmap %s: %s", name, strerror(errno));
	close(fd);
	g->page = p;
	snprintf(name, sizeof(name), "dom%u/guest", domid);
	sun_of(sun, dir, name);
	(void)unlink(sun->sun_path);	/* a socket left by an earlier guest */
	g->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->fd == -1 ||
	    bind(g->fd, (struct sockaddr *)sun, sizeof(*sun)) == -1)
		bench_die("bind %s: %s", sun->sun_path, strerror(errno));
	if (ring_connection(g->page) != 0)
		bench_die("domain %u: not connected (introduced?)", domid);
	if ((g->page->server_features &
	    XENSTORE_SERVER_FEATURE_RECONNECTION) == 0)
		bench_die("domain %u: reconnection not advertised", domid);
}

/* "notify <domid>" to the daemon, now or once the queue has room. */
static void
notify(struct guest *g)
{
	if (!g->pending) {
		g->pending = 1;
		npending++;
	}
}

/*
 * Sends pending notifies until the control queue is full, round robin
 * from where the last call stopped, so no guest waits behind the others.
 */
static void
flush(struct guest *g, unsigned int n)
{
	static unsigned int next;
	char msg[32];
	unsigned int k, i;
	int len;

	for (k = 0; k < n && npending > 0; k++) {
		i = (next + k) % n;
		if (!g[i].pending)
			continue;
		len = snprintf(msg, sizeof(msg), "notify %u", g[i].domid);
		if (send(sender, msg, (size_t)len, MSG_NOSIGNAL) != len) {
			if (errno != EAGAIN && errno != EINTR)
				bench_die("notify: %s", strerror(errno));
			next = i;
			return;
		}
		g[i].pending = 0;
		npending--;
	}
}

static void
drain(struct guest *g)
{
	char buf[64];

	while (recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void
start_reconnect(struct guest *g)
{
	g->st = G_RECONN;
	g->inlen = 0;
	g->t0 = bench_now_ns();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&g->page->connection, XENSTORE_RECONNECT,
	    __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	notify(g);
}

/* K WATCH requests into the request ring in one go, then one notify. */
static void
start_watches(struct guest *g)
{
	char pkt[64 * MAX_WATCHES];
	size_t len = 0, put;
	uint32_t h[4];
	unsigned int i;
	int n;

	for (i = 0; i < nwatches; i++) {
		n = snprintf(pkt + len + HDR_LEN, 48, "data/w%u%ctok%u", i, 0,
		    i);
		h[0] = XS_WATCH;
		h[1] = i;
		h[2] = 0;
		h[3] = (uint32_t)n + 1;
		memcpy(pkt + len, h, HDR_LEN);
		len += HDR_LEN + (size_t)n + 1;
	}
	if (ring_produce(g->page->req, &g->page->req_cons,
	    &g->page->req_prod, pkt, len, &put) != 0 || put != len)
		bench_die("domain %u: request ring not empty", g->domid);
	g->st = G_WATCH;
	g->replies = g->events = 0;
	g->inlen = 0;
	notify(g);
}

/* Reads replies of the watch phase; true once K replies and K events. */
static int
watch_progress(struct guest *g)
{
	uint32_t h[4];
	size_t got, off = 0;

	if (ring_consume(g->page->rsp, &g->page->rsp_cons,
	    &g->page->rsp_prod, g->in + g->inlen, sizeof(g->in) - g->inlen,
	    &got) != 0)
		bench_die("domain %u: corrupt response ring", g->domid);
	if (got > 0)
		notify(g);	/* space freed */
	g->inlen += got;
	while (g->inlen - off >= HDR_LEN) {
		memcpy(h, g->in + off, HDR_LEN);
		if (h[3] > sizeof(g->in) - HDR_LEN)
			bench_die("domain %u: reply of %u bytes", g->domid,
			    h[3]);
		if (g->inlen - off < HDR_LEN + h[3])
			break;
		if (h[0] == XS_WATCH)
			g->replies++;
		else if (h[0] == XS_WATCH_EVENT)
			g->events++;
		else
			bench_die("domain %u: reply type %u to WATCH",
			    g->domid, h[0]);
		off += HDR_LEN + h[3];
	}
	memmove(g->in, g->in + off, g->inlen - off);
	g->inlen -= off;
	return g->replies == nwatches && g->events == nwatches;
}

/* What the reset must leave (docs/ring.md, "Reconnection"). */
static void
check_page(struct guest *g)
{
	const char *pat = RING_SCRUB_PATTERN;
	size_t i, pl = strlen(pat);

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (g->page->req_cons || g->page->req_prod || g->page->rsp_cons ||
	    g->page->rsp_prod || g->page->error)
		bench_die("domain %u: indexes or error not 0 after a reset",
		    g->domid);
	for (i = 0; i < XENSTORE_RING_SIZE; i++)
		if (g->page->req[i] != pat[i % pl] ||
		    g->page->rsp[i] != pat[i % pl])
			bench_die("domain %u: ring not scrubbed", g->domid);
}

static void
usage(void)
{
	fprintf(stderr, "usage: xsreconn --dir DIR [--first D] [--guests G]"
	    " [--count N] [--watches K]\n\t[--pid PID] [--tag NAME]"
	    " [--timeout S]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *tag = "reconn";
	unsigned int first = 1, nguests = 1, i;
	size_t count = 100, nlat = 0, left;
	uint64_t *lat, t_start, cpu0, deadline, now;
	struct pollfd *pfd;
	struct guest *g;
	pid_t pid = 0;
	int timeout_s = 60, j;
	char name[64], extra[96];

	for (j = 1; j + 1 < argc && strncmp(argv[j], "--", 2) == 0; j += 2) {
		if (strcmp(argv[j], "--dir") == 0)
			dir = argv[j + 1];
		else if (strcmp(argv[j], "--first") == 0)
			first = (unsigned int)bench_num(argv[j + 1]);
		else if (strcmp(argv[j], "--guests") == 0)
			nguests = (unsigned int)bench_num(argv[j + 1]);
		else if (strcmp(argv[j], "--count") == 0)
			count = bench_num(argv[j + 1]);
		else if (strcmp(argv[j], "--watches") == 0)
			nwatches = (unsigned int)bench_num(argv[j + 1]);
		else if (strcmp(argv[j], "--pid") == 0)
			pid = (pid_t)bench_num(argv[j + 1]);
		else if (strcmp(argv[j], "--tag") == 0)
			tag = argv[j + 1];
		else if (strcmp(argv[j], "--timeout") == 0)
			timeout_s = (int)bench_num(argv[j + 1]);
		else
			usage();
	}
	if (j != argc || dir == NULL || nguests == 0 || count == 0 ||
	    nwatches > MAX_WATCHES)
		usage();
	sun_of(&control, dir, "control");
	sender = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sender == -1 || connect(sender, (struct sockaddr *)&control,
	    sizeof(control)) == -1)
		bench_die("connect %s: %s", control.sun_path, strerror(errno));
	g = calloc(nguests, sizeof(*g));
	pfd = calloc(nguests + 1, sizeof(*pfd));
	lat = calloc(nguests * count, sizeof(*lat));
	if (g == NULL || pfd == NULL || lat == NULL)
		bench_die("out of memory");
	for (i = 0; i < nguests; i++) {
		guest_open(&g[i], dir, first + i);
		pfd[i].fd = g[i].fd;
		pfd[i].events = POLLIN;
	}
	pfd[nguests].fd = sender;

	left = nguests;
	cpu0 = bench_cpu_ns(pid);
	t_start = bench_now_ns();
	deadline = t_start + (uint64_t)timeout_s * 1000000000u;
	for (i = 0; i < nguests; i++) {
		if (nwatches > 0)
			start_watches(&g[i]);
		else
			start_reconnect(&g[i]);
	}
	flush(g, nguests);
	while (left > 0) {
		pfd[nguests].events = npending > 0 ? POLLOUT : 0;
		if (poll(pfd, nguests + 1, POLL_MS) == -1 && errno != EINTR)
			bench_die("poll: %s", strerror(errno));
		for (i = 0; i < nguests; i++) {
			if (pfd[i].revents != 0)
				drain(&g[i]);
			if (g[i].st == G_WATCH) {
				if (watch_progress(&g[i]))
					start_reconnect(&g[i]);
				continue;
			}
			if (g[i].st != G_RECONN || ring_connection(g[i].page))
				continue;
			lat[nlat++] = bench_now_ns() - g[i].t0;
			if (++g[i].done == count) {
				g[i].st = G_DONE;
				check_page(&g[i]);
				left--;
			} else if (nwatches > 0) {
				start_watches(&g[i]);
			} else {
				start_reconnect(&g[i]);
			}
		}
		flush(g, nguests);
		now = bench_now_ns();
		if (now > deadline) {
			fprintf(stderr, "xsreconn: %zu of %zu handshakes "
			    "done after %d s\n", nlat, nguests * count,
			    timeout_s);
			exit(2);
		}
	}
	now = bench_now_ns();
	snprintf(name, sizeof(name), "%s.reconnect", tag);
	snprintf(extra, sizeof(extra), "guests=%u watches=%u", nguests,
	    nwatches);
	bench_report(name, nlat, now - t_start, lat, nlat,
	    bench_cpu_ns(pid) - cpu0, pid, extra);
	for (i = 0; i < nguests; i++) {
		close(g[i].fd);
		(void)unlink(g[i].sun.sun_path);
		munmap(g[i].page, RING_PAGE_SIZE);
	}
	close(sender);
	free(lat);
	free(pfd);
	free(g);
	return 0;
}

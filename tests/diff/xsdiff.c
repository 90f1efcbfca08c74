/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsdiff: sends one seeded random request sequence (gen.c) to a reference
 * daemon (A: Debian's C xenstored or oxenstored) and to xstored (B) in
 * lock step, over NCONN connections each, and compares every reply and
 * every watch event after normalising the values that legitimately differ.
 *
 *   xsdiff -a SOCK_A -b SOCK_B -s SEED -n STEPS -r c|ox -l ALLOWLIST [-tv]
 *
 * -v shows each allowed difference, -t every request and the reference's
 * reply.
 *
 * One step: the request goes to both daemons on the same connection index;
 * each side's packets are read up to the reply (events before it kept in
 * order). Then every connection that may hold watches gets a sync request
 * (GET_DOMAIN_PATH 0, req_id SYNC_REQ) and its packets are read up to that
 * reply: a daemon queues a connection's output in order, so every event the
 * step caused is in the stream before the sync reply, and nothing of this
 * step can arrive later. The two sides' packet lists per connection are
 * compared: type, req_id, payload, count and order; tx_id must echo what
 * that side was sent.
 *
 * Normalisation (docs/protocol.md, "Differential testing"):
 *   N1 transaction ids: each side's TRANSACTION_START reply is its own id;
 *      the payload is compared as "<tx>" and later requests carry that
 *      side's id; replies must echo the id that side was sent.
 *   N2 DIRECTORY_PART generation: the first string of the reply is
 *      compared as "<gen>" (each daemon counts its own generations).
 *
 * A difference is looked up in the allow-list (ALLOWLIST: one rule name per
 * line, then the docs/protocol.md section explaining it); a difference no
 * listed rule explains fails the seed and ends it (the stores may have
 * diverged). Output: a line per failed seed with the step, the request and
 * both sides' packets; a summary "seed S: steps N, allowed K (rule=n...)".
 * Exit 0 if no unlisted difference, 1 otherwise, 2 on usage or I/O errors.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/diff/xsdiff.h"

#define IO_TIMEOUT_MS	5000
#define SYNC_REQ	0x5e5e5e5eu
#define MAX_PKTS	512	/* packets kept per connection per step */
#define MAX_RULES	32

enum side { SIDE_A, SIDE_B };

struct pktlist {
	unsigned int	 n;
	bool		 overflow;
	struct pkt	 p[MAX_PKTS];
};

struct rule {
	char		 name[48];
	unsigned long	 hits;
};

static const char *sock_path[2];
static int fds[2][NCONN];
static uint32_t txid[2][NCONN];		/* each side's open tx id */
static struct pktlist got[2][NCONN];
static bool touched[NCONN];
static struct rule rules[MAX_RULES];
static unsigned int nrules;
static bool verbose;
static enum ref_kind ref = REF_C;
static bool trace;		/* -t: every step to stderr */

static int
xconnect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
die(const char *what)
{
	fprintf(stderr, "xsdiff: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
reopen(int side, int c)
{
	if (fds[side][c] != -1)
		close(fds[side][c]);
	fds[side][c] = xconnect(sock_path[side]);
	if (fds[side][c] == -1)
		die(sock_path[side]);
	txid[side][c] = 0;
}

/* Writes all of buf; false if the peer has gone. */
static bool
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * Reads exactly len bytes within the timeout. Returns 1 on success, 0 on
 * end of stream or reset, -1 on a timeout.
 */
static int
read_full(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;
	ssize_t n;
	int r;

	while (len > 0) {
		r = poll(&pfd, 1, IO_TIMEOUT_MS);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Reads packets into l until the reply to req_id (or end of stream, kept
 * as a `closed` entry). Returns false on a timeout.
 */
static bool
collect(int side, int c, uint32_t req_id, struct pktlist *l)
{
	struct xsd_sockmsg h;
	struct pkt *p, spare;
	int r;

	for (;;) {
		p = l->n < MAX_PKTS ? &l->p[l->n] : &spare;
		memset(p, 0, offsetof(struct pkt, body));
		r = read_full(fds[side][c], &h, sizeof(h));
		if (r == 1 && h.len > XENSTORE_PAYLOAD_MAX) {
			/* Not a packet we can frame: treat as closed. */
			r = 0;
		}
		if (r == 1)
			r = read_full(fds[side][c], p->body, h.len);
		if (r == -1) {
			fprintf(stderr, "xsdiff: %s: no reply on connection "
			    "%d within %d ms\n", side == SIDE_A ? "A" : "B",
			    c, IO_TIMEOUT_MS);
			return false;
		}
		if (l->n < MAX_PKTS)
			l->n++;
		else
			l->overflow = true;
		if (r == 0) {
			p->closed = true;
			return true;
		}
		p->type = h.type;
		p->req_id = h.req_id;
		p->tx_id = h.tx_id;
		p->len = h.len;
		p->body[h.len] = '\0';
		if (h.type != XS_WATCH_EVENT && h.req_id == req_id)
			return true;
	}
}

static bool
send_req(int side, const struct req *r)
{
	struct xsd_sockmsg h;
	char buf[sizeof(h) + REQ_BODY_MAX];

	h.type = r->type;
	h.req_id = r->req_id;
	switch (r->txm) {
	case TXM_NONE:
		h.tx_id = 0;
		break;
	case TXM_CUR:
		h.tx_id = txid[side][r->conn];
		break;
	default:
		h.tx_id = 0x7fff1234;
		break;
	}
	h.len = (uint32_t)r->len;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), r->body, r->len);
	return write_all(fds[side][r->conn], buf, sizeof(h) + r->len);
}

/* The tx_id a side sent with r. */
static uint32_t
sent_tx(int side, const struct req *r)
{
	if (r->txm == TXM_CUR)
		return txid[side][r->conn];
	return r->txm == TXM_BOGUS ? 0x7fff1234 : 0;
}

/* The reply (not an event) in l, or NULL. */
static const struct pkt *
reply_of(const struct pktlist *l, uint32_t req_id)
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (!l->p[i].closed && l->p[i].type != XS_WATCH_EVENT &&
		    l->p[i].req_id == req_id)
			return &l->p[i];
	}
	return NULL;
}

static void
print_pkt(FILE *f, const struct pkt *p)
{
	uint32_t i, n;

	if (p->closed) {
		fprintf(f, "      <closed>\n");
		return;
	}
	fprintf(f, "      %s req %#x tx %u len %u \"", gen_type_name(p->type),
	    p->req_id, p->tx_id, p->len);
	n = p->len > 160 ? 160 : p->len;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p->body[i];

		if (ch == '\0')
			fputc('|', f);
		else if (ch < 32 || ch > 126)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fprintf(f, "%s\"\n", p->len > n ? "..." : "");
}

static void
print_req(FILE *f, const struct req *r)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.type = r->type;
	p.req_id = r->req_id;
	p.tx_id = r->txm == TXM_CUR ? 1 : r->txm == TXM_BOGUS ? 0x7fff1234 : 0;
	p.len = (uint32_t)r->len;
	memcpy(p.body, r->body, r->len > XENSTORE_PAYLOAD_MAX ?
	    XENSTORE_PAYLOAD_MAX : r->len);
	fprintf(f, "    conn %d:\n", r->conn);
	print_pkt(f, &p);
}

/*
 * Normalises a packet for comparison (N1, N2) into out: the body as it
 * should compare.
 */
static size_t
norm_body(const struct pkt *p, uint32_t req_type, char *out, size_t size)
{
	size_t n;

	if (p->type == XS_TRANSACTION_START && req_type == XS_TRANSACTION_START)
		return (size_t)snprintf(out, size, "<tx>");
	if (p->type == XS_DIRECTORY_PART && p->len > 0) {
		n = strnlen(p->body, p->len);
		if (n < p->len) {
			memcpy(out, "<gen>", 5);
			memcpy(out + 5, p->body + n, p->len - n);
			return 5 + p->len - n;
		}
	}
	memcpy(out, p->body, p->len);
	return p->len;
}

/*
 * True if the packets compare equal. ta, tb: the tx_id each side must echo
 * (events: 0).
 */
static bool
pkt_equal(const struct pkt *a, const struct pkt *b, uint32_t req_type,
    uint32_t ta, uint32_t tb)
{
	static char na[XENSTORE_PAYLOAD_MAX + 16], nb[XENSTORE_PAYLOAD_MAX + 16];
	size_t la, lb;

	if (a->closed || b->closed)
		return a->closed == b->closed;
	if (a->type != b->type || a->req_id != b->req_id)
		return false;
	if (a->type == XS_WATCH_EVENT || a->req_id == SYNC_REQ) {
		if (a->tx_id != 0 || b->tx_id != 0)
			return false;
	} else if (a->tx_id != ta || b->tx_id != tb) {
		return false;
	}
	la = norm_body(a, req_type, na, sizeof(na));
	lb = norm_body(b, req_type, nb, sizeof(nb));
	return la == lb && memcmp(na, nb, la) == 0;
}

static bool
list_equal(const struct pktlist *a, const struct pktlist *b, uint32_t rtype,
    uint32_t ta, uint32_t tb)
{
	unsigned int i;

	if (a->n != b->n || a->overflow || b->overflow)
		return false;
	for (i = 0; i < a->n; i++) {
		if (!pkt_equal(&a->p[i], &b->p[i], rtype, ta, tb))
			return false;
	}
	return true;
}

static int
name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
event_cmp(const void *x, const void *y)
{
	const struct pkt *a = x, *b = y;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->body, b->body, a->len);
}

/* Removes watch events on special paths from l; true if any was. */
static bool
drop_special_events(struct pktlist *l)
{
	unsigned int i, j;

	for (i = j = 0; i < l->n; i++) {
		if (!l->p[i].closed && l->p[i].type == XS_WATCH_EVENT &&
		    l->p[i].body[0] == '@')
			continue;
		if (i != j)
			l->p[j] = l->p[i];
		j++;
	}
	if (j == l->n)
		return false;
	l->n = j;
	return true;
}

/* Sorts each run of consecutive watch events in l. */
static void
sort_event_runs(struct pktlist *l)
{
	unsigned int i, j;

	for (i = 0; i < l->n; i = j + 1) {
		for (j = i; j < l->n && !l->p[j].closed &&
		    l->p[j].type == XS_WATCH_EVENT; j++)
			;
		if (j - i > 1)
			qsort(&l->p[i], j - i, sizeof(l->p[0]), event_cmp);
	}
}

/* ---- the allow-list ---- */

static void
load_rules(const char *file)
{
	char line[256], name[48];
	FILE *f = fopen(file, "r");

	if (f == NULL)
		die(file);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || sscanf(line, "%47s", name) != 1)
			continue;
		if (nrules == MAX_RULES) {
			fprintf(stderr, "xsdiff: %s: too many rules\n", file);
			exit(2);
		}
		snprintf(rules[nrules++].name, sizeof(rules[0].name), "%s",
		    name);
	}
	if (ferror(f))
		die(file);
	fclose(f);
}

static struct rule *
rule_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nrules; i++) {
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	}
	return NULL;
}

static bool
is_error(const struct pkt *p, const char *name)
{
	return p != NULL && p->type == XS_ERROR &&
	    strcmp(p->body, name) == 0;
}

/*
 * Which documented difference, if any, explains the step's difference.
 * Each rule's name is its allow-list entry; docs/protocol.md explains it.
 * Only the step's own reply may differ under these rules: events and the
 * other connections must still agree.
 */
static const char *classify_ox(const struct req *r, const struct pkt *ra,
    const struct pkt *rb);
static const char *classify_ox_lists(int c, const struct req *r);

static const char *
classify(const struct req *r, const struct pkt *ra, const struct pkt *rb)
{
	if (ra == NULL || rb == NULL)
		return NULL;
	if (ref == REF_OX)
		return classify_ox(r, ra, rb);
	/* C 4.17 applies path-max (2048) to sockets too; xstored doesn't. */
	if ((r->flags & RF_LONG) && is_error(ra, "EINVAL") &&
	    !is_error(rb, "EINVAL"))
		return "c417-socket-path-max";
	/* Types 23-26 are newer than 4.17. */
	if ((r->flags & RF_NEWTYPE) && is_error(ra, "ENOSYS"))
		return "new-types-23-26";
	/* Domids: 4.17 atoi()s them; xstored takes digits only. */
	if ((r->flags & RF_JUNKNUM) && is_error(rb, "EINVAL"))
		return "numeric-args-digits-only";
	/*
	 * Without Xen, C's ring mapping fails with the shim's ENOSYS, and
	 * C re-introduces dom0 (its xsd_kva page); xstored has no ring.
	 */
	if (r->type == XS_INTRODUCE && (is_error(ra, "ENOSYS") ||
	    ra->type == XS_INTRODUCE) && is_error(rb, "EINVAL"))
		return "introduce-no-hypervisor";
	/* 4.17 refuses special paths in GET_PERMS and SET_PERMS. */
	if ((r->type == XS_GET_PERMS || r->type == XS_SET_PERMS) &&
	    r->body[0] == '@' && is_error(ra, "EINVAL"))
		return "c417-perms-special-paths";
	/* 4.17 looks any UNWATCH path up without checking it; HEAD checks. */
	if (r->type == XS_UNWATCH && is_error(ra, "ENOENT") &&
	    is_error(rb, "EINVAL"))
		return "c417-unwatch-path-unchecked";
	/* Without Xen, dom0 is no domain to xstored (C introduced it). */
	if (r->type == XS_SET_TARGET && ra->type == XS_SET_TARGET &&
	    is_error(rb, "ENOENT"))
		return "no-hypervisor-dom0-target";
	/* CONTROL is implementation-defined. */
	if (r->flags & RF_CONTROL)
		return "control-text";
	return NULL;
}

/*
 * oxenstored 4.17 (the second opinion): where it differs from the C
 * daemon, and so from xstored (docs/protocol.md, "Differences from
 * oxenstored").
 */
static const char *
classify_ox(const struct req *r, const struct pkt *ra, const struct pkt *rb)
{
	/* O echoes tx_id 0 for requests that ignore transactions. */
	if (ra->type == rb->type && ra->len == rb->len &&
	    memcmp(ra->body, rb->body, ra->len) == 0 && ra->tx_id != rb->tx_id)
		return "ox-tx-id-echo";
	/* Types O does not know, or answers without the C semantics. */
	if (r->flags & RF_NEWTYPE || r->type == XS_DIRECTORY_PART ||
	    r->type == XS_CONTROL || r->type == XS_SET_TARGET ||
	    r->type == XS_INTRODUCE || r->type == XS_RELEASE ||
	    r->type == XS_RESUME || r->type == XS_IS_DOMAIN_INTRODUCED)
		return "ox-domain-and-newer-types";
	/* O's root lists the special nodes, and /local from the start. */
	if ((r->type == XS_DIRECTORY || r->type == XS_DIRECTORY_PART) &&
	    strcmp(r->body, "/") == 0)
		return "ox-root-listing";
	/* O refuses to remove a missing node (C: fine if the parent is). */
	if (r->type == XS_RM && is_error(ra, "ENOENT") &&
	    rb->type == XS_RM)
		return "ox-rm-missing-node";
	/* O's own error names for the same refusal. */
	if (ra->type == XS_ERROR && rb->type == XS_ERROR)
		return "ox-error-names";
	/* O's path and argument checks (length, '@', junk numbers). */
	if ((r->flags & (RF_LONG | RF_MALFORMED | RF_JUNKNUM)) &&
	    (ra->type == XS_ERROR) != (rb->type == XS_ERROR))
		return "ox-argument-checks";
	return NULL;
}

static int
pkt_cmp(const void *x, const void *y)
{
	const struct pkt *a = x, *b = y;

	if (a->closed != b->closed)
		return a->closed ? 1 : -1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return event_cmp(a, b);
}

/* Drops repeated watch events from a sorted list; true if any was. */
static bool
uniq_events(struct pktlist *l)
{
	unsigned int i, j;

	for (i = j = 0; i < l->n; i++) {
		if (j > 0 && l->p[i].type == XS_WATCH_EVENT &&
		    !l->p[i].closed && pkt_cmp(&l->p[i], &l->p[j - 1]) == 0)
			continue;
		if (i != j)
			l->p[j] = l->p[i];
		j++;
	}
	if (j == l->n)
		return false;
	l->n = j;
	return true;
}

/* Removes "@..." names from a DIRECTORY reply; true if any was. */
static bool
drop_special_names(struct pkt *p)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	size_t off = 0, out = 0, len;
	bool dropped = false;

	while (off < p->len) {
		len = strnlen(p->body + off, p->len - off) + 1;
		if (p->body[off] == '@') {
			dropped = true;
		} else {
			memcpy(buf + out, p->body + off, len);
			out += len;
		}
		off += len;
	}
	memcpy(p->body, buf, out);
	p->len = (uint32_t)out;
	return dropped;
}

/*
 * Both lists sorted (pkt_cmp): true if b is a, less some watch events
 * (replies compared whole, tx_id aside).
 */
static bool
only_extra_events(const struct pktlist *a, const struct pktlist *b)
{
	unsigned int i = 0, j = 0;

	while (j < b->n) {
		if (i == a->n)
			return false;
		if (pkt_cmp(&a->p[i], &b->p[j]) == 0) {
			i++, j++;
			continue;
		}
		if (a->p[i].closed || a->p[i].type != XS_WATCH_EVENT)
			return false;
		i++;
	}
	for (; i < a->n; i++) {
		if (a->p[i].closed || a->p[i].type != XS_WATCH_EVENT)
			return false;
	}
	return true;
}

/* Sorts the NUL-separated names of a DIRECTORY reply in place. */
static void
sort_names(struct pkt *p)
{
	char *names[XENSTORE_PAYLOAD_MAX / 2], buf[XENSTORE_PAYLOAD_MAX + 1];
	size_t n = 0, off = 0, i, len;

	while (off < p->len && n < sizeof(names) / sizeof(names[0])) {
		names[n++] = p->body + off;
		off += strlen(p->body + off) + 1;
	}
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0, off = 0; i < n; i++) {
		len = strlen(names[i]) + 1;
		memcpy(buf + off, names[i], len);
		off += len;
	}
	memcpy(p->body, buf, off);
}

/*
 * oxenstored: the same packets in another order (its events follow the
 * reply), or a DIRECTORY with the same names in another order.
 */
static const char *
classify_ox_lists(int c, const struct req *r)
{
	static struct pktlist a, b;
	const char *why = "ox-event-after-reply";
	unsigned int i;

	a = got[SIDE_A][c];
	b = got[SIDE_B][c];
	for (i = 0; i < a.n && i < b.n; i++) {
		if (r->type == XS_DIRECTORY && a.p[i].type == XS_DIRECTORY &&
		    b.p[i].type == XS_DIRECTORY) {
			if (drop_special_names(&a.p[i]) &&
			    !drop_special_names(&b.p[i]))
				why = "ox-special-nodes-in-root";
			else
				why = "ox-child-order";
			sort_names(&a.p[i]);
			sort_names(&b.p[i]);
		}
	}
	qsort(a.p, a.n, sizeof(a.p[0]), pkt_cmp);
	qsort(b.p, b.n, sizeof(b.p[0]), pkt_cmp);
	if (list_equal(&a, &b, r->type, c == r->conn ? sent_tx(SIDE_A, r) : 0,
	    c == r->conn ? sent_tx(SIDE_B, r) : 0))
		return why;
	/* oxenstored does not merge identical queued events. */
	if (uniq_events(&a) && list_equal(&a, &b, r->type,
	    c == r->conn ? sent_tx(SIDE_A, r) : 0,
	    c == r->conn ? sent_tx(SIDE_B, r) : 0))
		return "ox-no-event-merging";
	/*
	 * RM: oxenstored also fires watches set below the removed node on
	 * paths that do not exist; C only those of removed nodes. Every
	 * xstored packet must be among oxenstored's, the rest events.
	 */
	if (r->type == XS_RM && only_extra_events(&a, &b))
		return "ox-rm-fires-watches-below";
	/*
	 * A commit: oxenstored replays the transaction's operations and
	 * fires for each (nodes made and removed inside included).
	 */
	if (r->type == XS_TRANSACTION_END && only_extra_events(&a, &b))
		return "ox-commit-fires-every-operation";
	/*
	 * A write that makes missing parents: C (and xstored) fire a
	 * watch on "/" or an ancestor for it, oxenstored only some.
	 */
	if ((r->type == XS_WRITE || r->type == XS_MKDIR) &&
	    only_extra_events(&b, &a))
		return "ox-fewer-events-on-create";
	return NULL;
}

/* ---- one step ---- */

static void
report(unsigned long step, const struct req *r, int c)
{
	unsigned int i;
	int s;

	fprintf(stderr, "  step %lu: %s on conn %d differs on conn %d\n",
	    step, gen_type_name(r->type), r->conn, c);
	print_req(stderr, r);
	for (s = 0; s < 2; s++) {
		fprintf(stderr, "    %s:\n", s == SIDE_A ? "reference" :
		    "xstored");
		for (i = 0; i < got[s][c].n; i++)
			print_pkt(stderr, &got[s][c].p[i]);
	}
}

/*
 * Runs one request on both sides and compares. Returns 0 (equal), 1
 * (allowed difference), -1 (unlisted difference), -2 (I/O failure).
 */
static int
step(struct gen *g, unsigned long n, const struct req *r)
{
	static const char sync_body[] = "0";
	const struct pkt *ra, *rb;
	struct req sync;
	const char *why;
	struct rule *rule;
	int s, c, result = 0;
	bool closed;

	memset(touched, 0, sizeof(touched));
	for (s = 0; s < 2; s++) {
		for (c = 0; c < NCONN; c++)
			got[s][c].n = 0, got[s][c].overflow = false;
		/* A write the peer refuses shows as its closing. */
		(void)send_req(s, r);
	}
	touched[r->conn] = true;
	for (s = 0; s < 2; s++) {
		if (!collect(s, r->conn, r->req_id, &got[s][r->conn]))
			return -2;
	}
	ra = reply_of(&got[SIDE_A][r->conn], r->req_id);
	rb = reply_of(&got[SIDE_B][r->conn], r->req_id);
	closed = ra == NULL && rb == NULL;
	if (trace) {
		fprintf(stderr, "step %lu:\n", n);
		print_req(stderr, r);
		if (ra != NULL)
			print_pkt(stderr, ra);
	}

	/* Sync every connection that may have watches. */
	memset(&sync, 0, offsetof(struct req, body));
	sync.type = XS_GET_DOMAIN_PATH;
	sync.req_id = SYNC_REQ;
	memcpy(sync.body, sync_body, sizeof(sync_body));
	sync.len = sizeof(sync_body);
	for (c = 0; c < NCONN; c++) {
		if (!g->watched[c] || (c == r->conn && closed))
			continue;
		touched[c] = true;
		sync.conn = c;
		for (s = 0; s < 2; s++) {
			if (!send_req(s, &sync) ||
			    !collect(s, c, SYNC_REQ, &got[s][c]))
				return -2;
		}
	}

	for (c = 0; c < NCONN; c++) {
		if (!touched[c])
			continue;
		if (list_equal(&got[SIDE_A][c], &got[SIDE_B][c], r->type,
		    c == r->conn ? sent_tx(SIDE_A, r) : 0,
		    c == r->conn ? sent_tx(SIDE_B, r) : 0))
			continue;
		why = c == r->conn ? classify(r, ra, rb) : NULL;
		/*
		 * 4.17 changes a special node's permissions without firing
		 * its watches; xstored (as C 4.18+) fires them. Only if
		 * dropping xstored's "@" events makes the lists equal.
		 */
		if (why == NULL && ((r->type == XS_SET_PERMS &&
		    r->body[0] == '@') || r->type == XS_TRANSACTION_END) &&
		    drop_special_events(&got[SIDE_B][c]) &&
		    list_equal(&got[SIDE_A][c], &got[SIDE_B][c], r->type,
		    c == r->conn ? sent_tx(SIDE_A, r) : 0,
		    c == r->conn ? sent_tx(SIDE_B, r) : 0))
			why = "c417-set-perms-special-no-event";
		/*
		 * oxenstored queues a request's events after its reply,
		 * and lists children in its own order.
		 */
		if (why == NULL && ref == REF_OX)
			why = classify_ox_lists(c, r);
		/*
		 * A commit's events: C fires them in the order its
		 * transaction first touched each node, xstored by depth;
		 * the same events must come, in any order between replies.
		 */
		if (why == NULL && r->type == XS_TRANSACTION_END &&
		    r->txm == TXM_CUR && r->body[0] == 'T') {
			sort_event_runs(&got[SIDE_A][c]);
			sort_event_runs(&got[SIDE_B][c]);
			if (list_equal(&got[SIDE_A][c], &got[SIDE_B][c],
			    r->type, c == r->conn ? sent_tx(SIDE_A, r) : 0,
			    c == r->conn ? sent_tx(SIDE_B, r) : 0))
				why = "commit-event-order";
		}
		rule = why != NULL ? rule_find(why) : NULL;
		if (rule != NULL) {
			rule->hits++;
			if (verbose) {
				fprintf(stderr, "  allowed (%s):\n", why);
				report(n, r, c);
			}
			result = result < 0 ? result : 1;
			continue;
		}
		fprintf(stderr, "  UNLISTED difference%s%s%s:\n",
		    why != NULL ? " (rule " : "", why != NULL ? why : "",
		    why != NULL ? " not in the allow-list)" : "");
		report(n, r, c);
		result = -1;
	}

	/* Each side's new transaction id (N1). */
	if (r->type == XS_TRANSACTION_START) {
		for (s = 0; s < 2; s++) {
			const struct pkt *p = s == SIDE_A ? ra : rb;

			if (p != NULL && p->type == XS_TRANSACTION_START)
				txid[s][r->conn] = (uint32_t)strtoul(p->body,
				    NULL, 10);
		}
	}
	if (closed) {
		for (s = 0; s < 2; s++)
			reopen(s, r->conn);
	}
	gen_update(g, r, closed ? NULL : ra);
	return result;
}

static void
usage(void)
{
	fprintf(stderr, "usage: xsdiff -a SOCK_A -b SOCK_B -s SEED -n STEPS "
	    "-r c|ox -l ALLOWLIST [-tv]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gen g;
	struct req r;
	unsigned long seed = 1, steps = 1000, i, allowed = 0;
	const char *allow = NULL;
	int opt, s, c, res, fails = 0;

	while ((opt = getopt(argc, argv, "a:b:s:n:r:l:tv")) != -1) {
		switch (opt) {
		case 'a':
			sock_path[SIDE_A] = optarg;
			break;
		case 'b':
			sock_path[SIDE_B] = optarg;
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			steps = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			if (strcmp(optarg, "c") == 0)
				ref = REF_C;
			else if (strcmp(optarg, "ox") == 0)
				ref = REF_OX;
			else
				usage();
			break;
		case 'l':
			allow = optarg;
			break;
		case 't':
			trace = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (sock_path[SIDE_A] == NULL || sock_path[SIDE_B] == NULL ||
	    allow == NULL || optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	load_rules(allow);
	for (s = 0; s < 2; s++) {
		for (c = 0; c < NCONN; c++) {
			fds[s][c] = -1;
			reopen(s, c);
		}
	}
	gen_init(&g, seed, ref);
	for (i = 0; i < steps; i++) {
		gen_next(&g, &r);
		res = step(&g, i, &r);
		if (res == 1)
			allowed++;
		if (res < 0) {
			fails++;
			break;
		}
	}
	printf("seed %lu: %s, %lu of %lu steps, %lu allowed", seed,
	    fails ? "FAIL" : "ok", i < steps ? i + 1 : i, steps, allowed);
	for (c = 0; c < (int)nrules; c++) {
		if (rules[c].hits > 0)
			printf(" %s=%lu", rules[c].name, rules[c].hits);
	}
	printf("\n");
	return fails ? 1 : 0;
}

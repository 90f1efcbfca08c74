/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen.c: the differential tester's request generator. From a seed it makes
 * a sequence of requests over NCONN connections that two correct daemons
 * must answer identically: a small universe of names (so that nodes,
 * watches and tokens collide), relative and absolute spellings of the same
 * nodes, every message type, error paths, malformed and oversized
 * arguments.
 *
 * Determinism rules (tests/diff/README.md):
 *  - At most one connection holds an open transaction; while it does, the
 *    others only read (and watch), and the holder changes nodes only inside
 *    its transaction, so no commit can conflict in either daemon.
 *  - Nothing is generated whose known, listed difference would make the
 *    two stores diverge (a long path that only one daemon accepts is only
 *    ever read; WATCH with a depth argument is not sent to a 4.17 daemon).
 *  - The generator's state moves only on the reference daemon's replies.
 *
 * No I/O.
 */
#include <stdio.h>
#include <string.h>

#include "tests/diff/xsdiff.h"

static uint64_t
rnd(struct gen *g)
{
	/* xorshift64* */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

static unsigned int
rn(struct gen *g, unsigned int n)
{
	return (unsigned int)((rnd(g) >> 33) % n);
}

static bool
chance(struct gen *g, unsigned int pct)
{
	return rn(g, 100) < pct;
}

void
gen_init(struct gen *g, uint64_t seed, enum ref_kind ref)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
	if (g->rng == 0)
		g->rng = 1;
	for (i = 0; i < 8; i++)
		(void)rnd(g);
	g->ref = ref;
	g->tx_holder = -1;
}

void
gen_reset_conn(struct gen *g, int conn)
{
	unsigned int i, j;

	g->watched[conn] = false;
	if (g->tx_holder == conn)
		g->tx_holder = -1;
	for (i = j = 0; i < g->nwatches; i++) {
		if (g->watches[i].conn != conn)
			g->watches[j++] = g->watches[i];
	}
	g->nwatches = j;
}

/* Appends s and its NUL at *off. */
static void
put(struct req *r, const char *s)
{
	size_t n = strlen(s) + 1;

	if (r->len + n > sizeof(r->body))
		return;
	memcpy(r->body + r->len, s, n);
	r->len += n;
}

/* Appends raw bytes, no NUL. */
static void
put_raw(struct req *r, const char *s, size_t n)
{
	if (r->len + n > sizeof(r->body))
		n = sizeof(r->body) - r->len;
	memcpy(r->body + r->len, s, n);
	r->len += n;
}

static const char *const names[] = { "a", "b", "c", "d" };

/* 1 to 3 components from names[], joined by '/'. */
static void
comps(struct gen *g, char *buf, size_t size)
{
	unsigned int i, n = 1 + rn(g, 3);
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off + 3 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
		    i > 0 ? "/" : "", names[rn(g, 4)]);
}

/*
 * A valid, short node path: absolute under /t, relative under r (which is
 * /local/domain/0/r), the same spelled absolute, or a top node.
 */
static void
node_path(struct gen *g, char *buf, size_t size)
{
	char c[32];
	unsigned int k = rn(g, 100);

	comps(g, c, sizeof(c));
	if (k < 45)
		snprintf(buf, size, "/t/%s", c);
	else if (k < 75)
		snprintf(buf, size, "r/%s", c);
	else if (k < 90)
		snprintf(buf, size, "/local/domain/0/r/%s", c);
	else if (k < 94)
		snprintf(buf, size, "/t");
	else if (k < 97)
		snprintf(buf, size, "r");
	else
		snprintf(buf, size, "/");
}

/* A path for WATCH and UNWATCH: nodes, or the special ones. */
static void
watch_path(struct gen *g, char *buf, size_t size)
{
	if (chance(g, 10))
		snprintf(buf, size, "%s", rn(g, 2) == 0 ? "@introduceDomain" :
		    "@releaseDomain");
	else
		node_path(g, buf, size);
}

static const char *const bad_paths[] = {
	"", "//t", "/t/", "/t//a", "/t/a b", "/t/@a", "@t", "/t/a.b",
	"/local/domain/", "r/", "@", "/t/a\x7f",
};

/* A syntactically invalid path. */
static const char *
bad_path(struct gen *g)
{
	return bad_paths[rn(g, sizeof(bad_paths) / sizeof(bad_paths[0]))];
}

/*
 * A long path: total length near 2048 or past 3072. Only `mutating`
 * requests avoid the lengths one daemon may accept and the other refuse
 * (2049..3072 outside a domain's home), so the stores never diverge.
 */
static void
long_path(struct gen *g, struct req *r, bool mutating, char *buf,
    size_t size)
{
	static const size_t lens[] = { 2040, 2047, 2048, 2049, 2063, 2064,
	    2500, 3071, 3072, 3073, 3100, 4000 };
	size_t want, off, plen;
	const char *prefix;

	do {
		want = lens[rn(g, sizeof(lens) / sizeof(lens[0]))];
	} while (mutating && want > 2047 && want <= 3072);
	if (want >= size)
		want = size - 1;
	prefix = rn(g, 2) == 0 ? "/t/" : "/local/domain/0/r/";
	plen = strlen(prefix);
	memcpy(buf, prefix, plen);
	for (off = plen; off < want; off++)
		buf[off] = (off - plen) % 9 == 8 ? '/' : 'x';
	if (buf[want - 1] == '/')
		buf[want - 1] = 'y';
	buf[want] = '\0';
	if (want > 2047)
		r->flags |= RF_LONG;
}

/*
 * The path argument of a node request: mostly valid, sometimes invalid,
 * sometimes long.
 */
static void
any_path(struct gen *g, struct req *r, bool mutating, char *buf,
    size_t size)
{
	unsigned int k = rn(g, 100);

	if (k < 90) {
		node_path(g, buf, size);
	} else if (k < 96) {
		snprintf(buf, size, "%s", bad_path(g));
		r->flags |= RF_MALFORMED;
	} else
		long_path(g, r, mutating, buf, size);
}

static void
value(struct gen *g, struct req *r)
{
	static const char *const vals[] = { "", "1", "hello", "x\0y", "zz" };
	char big[XENSTORE_PAYLOAD_MAX];
	size_t n, i;
	unsigned int k = rn(g, 100);

	if (k < 85) {
		i = rn(g, 5);
		put_raw(r, vals[i], i == 3 ? 3 : strlen(vals[i]));
		return;
	}
	if (k < 95)
		n = 100 + rn(g, 2000);
	else if (r->len < XENSTORE_PAYLOAD_MAX)
		n = XENSTORE_PAYLOAD_MAX - r->len;	/* exactly 4096 */
	else
		n = 0;
	if (n > sizeof(big))
		n = sizeof(big);
	/* Never past 4096 by accident (a long path and a big value). */
	if (r->len + n > XENSTORE_PAYLOAD_MAX)
		n = r->len < XENSTORE_PAYLOAD_MAX ?
		    XENSTORE_PAYLOAD_MAX - r->len : 0;
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + (i * 7 + n) % 26);
	put_raw(r, big, n);
}

static const char *const perm_entries[] = {
	"n0", "r0", "w0", "b0", "r5", "b7", "n1", "w3", "r0x10", "r010",
	"x0", "r", "ra", "r-1", "b70000",
};

static void
perms(struct gen *g, struct req *r)
{
	unsigned int i, n = 1 + rn(g, 4);
	const char *e;

	for (i = 0; i < n; i++) {
		/* oxenstored takes owners naming no domain (not generated). */
		if (i == 0 && (chance(g, 85) || g->ref == REF_OX))
			e = rn(g, 2) == 0 ? "n0" : "r0";
		else if (g->ref == REF_OX)
			e = perm_entries[rn(g, 4)];	/* domain 0 only */
		else if (chance(g, 85))
			e = perm_entries[rn(g, 8)];
		else
			e = perm_entries[8 + rn(g, 7)];
		/*
		 * (oxenstored refuses entries naming unknown domains and
		 * parses numbers its own way: not generated for it.)
		 */
		put(r, e);
	}
}

static const char *const domids[] = {
	"0", "5", "7", "1", "32752", "65535", "65536", "abc", "", "-1", "+1",
	" 1", "007",
};

static const char *
domid(struct gen *g, struct req *r)
{
	unsigned int i;

	if (chance(g, 70))
		return domids[rn(g, 4)];
	i = 4 + rn(g, 9);
	/* Past 65535, or not plain digits. */
	if (i >= 6 && i != 12)
		r->flags |= RF_JUNKNUM;
	return domids[i];
}

static const char *const tokens[] = { "t0", "t1", "t2" };

/* Types a connection may send while another holds the transaction. */
static bool
is_read_only(uint32_t type)
{
	switch (type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_WATCH:
	case XS_UNWATCH:
		return true;
	default:
		return false;
	}
}

/* Weighted choice of a message type. */
static uint32_t
pick_type(struct gen *g)
{
	static const struct {
		uint32_t type;
		unsigned int weight;
	} w[] = {
		{ XS_WRITE, 22 }, { XS_READ, 12 }, { XS_MKDIR, 6 },
		{ XS_RM, 8 }, { XS_DIRECTORY, 8 }, { XS_DIRECTORY_PART, 3 },
		{ XS_GET_PERMS, 4 }, { XS_SET_PERMS, 5 }, { XS_WATCH, 9 },
		{ XS_UNWATCH, 4 }, { XS_RESET_WATCHES, 1 },
		{ XS_TRANSACTION_START, 4 }, { XS_TRANSACTION_END, 4 },
		{ XS_GET_DOMAIN_PATH, 1 }, { XS_IS_DOMAIN_INTRODUCED, 1 },
		{ XS_INTRODUCE, 1 }, { XS_RELEASE, 1 }, { XS_SET_TARGET, 1 },
		{ XS_RESUME, 1 }, { XS_CONTROL, 1 }, { 9999, 1 },
		{ T_GET_FEATURE, 1 }, { T_GET_QUOTA, 1 }, { 8888, 1 },
	};
	unsigned int i, total = 0, k;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		total += w[i].weight;
	k = rn(g, total);
	for (i = 0; k >= w[i].weight; i++)
		k -= w[i].weight;
	return w[i].type;
}

static void
gen_watch(struct gen *g, struct req *r, bool unwatch)
{
	char p[64];
	unsigned int i;

	/* UNWATCH mostly names an existing watch of this connection. */
	if (unwatch && g->nwatches > 0 && chance(g, 70)) {
		for (i = 0; i < g->nwatches; i++) {
			const struct watch_rec *w =
			    &g->watches[(i + rn(g, g->nwatches)) %
			    g->nwatches];

			if (w->conn == r->conn) {
				put(r, w->path);
				put(r, w->token);
				return;
			}
		}
	}
	if (chance(g, 5)) {
		put(r, bad_path(g));
		put(r, "t0");
		r->flags |= RF_MALFORMED;
		return;
	}
	watch_path(g, p, sizeof(p));
	put(r, p);
	if (chance(g, 3)) {
		/* Only one argument. */
		r->flags |= RF_MALFORMED;
		return;
	}
	put(r, tokens[rn(g, 3)]);
	if (!unwatch && chance(g, 3)) {
		/* A third argument that is not a depth. */
		put(r, rn(g, 2) == 0 ? "x" : "-1");
		r->flags |= RF_MALFORMED;
	}
}

static void
gen_control(struct gen *g, struct req *r)
{
	r->flags |= RF_CONTROL;
	switch (rn(g, 4)) {
	case 0:
		put(r, "print");
		put(r, "xsdiff");
		break;
	case 1:
		put(r, "bogus-command");
		break;
	case 2:
		put(r, "check");
		break;
	default:
		put(r, "print");
		break;
	}
}

/* WRITE, MKDIR, RM, SET_PERMS: requests that change the tree. */
static void
gen_node_change(struct gen *g, struct req *r)
{
	char p[XENSTORE_PAYLOAD_MAX];

	any_path(g, r, true, p, sizeof(p));
	switch (r->type) {
	case XS_WRITE:
		put(r, p);
		/* oxenstored clamps and desyncs instead (not generated). */
		if (g->ref != REF_OX && chance(g, 2)) {
			/* Payload over 4096: the daemon closes the socket. */
			r->len = 0;
			put(r, "/t/a");
			memset(r->body + r->len, 'v', 4097 - r->len);
			r->len = 4097;
			r->flags |= RF_OVERSIZE;
			return;
		}
		if (chance(g, 2)) {
			/* No NUL at all: EINVAL. */
			r->len--;
			r->flags |= RF_MALFORMED;
			return;
		}
		value(g, r);
		break;
	case XS_SET_PERMS:
		/*
		 * C 4.17 answers an unknown special path here with a stale
		 * errno, or not at all: never sent to it.
		 */
		if (g->ref == REF_C && p[0] == '@')
			node_path(g, p, sizeof(p));
		if (chance(g, 10))
			watch_path(g, p, sizeof(p));
		put(r, p);
		if (chance(g, 3)) {
			r->flags |= RF_MALFORMED;	/* no permissions */
			return;
		}
		perms(g, r);
		break;
	default:
		/* oxenstored removes "/" itself (not generated). */
		if (g->ref == REF_OX && r->type == XS_RM &&
		    strcmp(p, "/") == 0)
			snprintf(p, sizeof(p), "/t");
		put(r, p);
		break;
	}
}

void
gen_next(struct gen *g, struct req *r)
{
	char p[XENSTORE_PAYLOAD_MAX];
	bool holder;

	memset(r, 0, offsetof(struct req, body));
	r->req_id = (uint32_t)rnd(g);
	if (g->tx_holder >= 0 && chance(g, 50))
		r->conn = g->tx_holder;
	else
		r->conn = (int)rn(g, NCONN);
	holder = g->tx_holder == r->conn;
	do {
		r->type = pick_type(g);
		/* Others only read while a transaction is open. */
	} while ((g->tx_holder >= 0 && !holder && !is_read_only(r->type)) ||
	    (g->ref == REF_OX && r->type == XS_INTRODUCE));
	/* (oxenstored closes the socket for INTRODUCE: not generated.) */
	if (holder) {
		/* The holder changes nodes only inside its transaction. */
		if (!is_read_only(r->type) || chance(g, 70))
			r->txm = TXM_CUR;
	} else if (r->type == XS_TRANSACTION_END && chance(g, 80)) {
		/* No transaction: mostly a commit naming a bogus id. */
		r->txm = TXM_BOGUS;
	} else if (is_read_only(r->type) && chance(g, 3)) {
		r->txm = TXM_BOGUS;
	}

	switch (r->type) {
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_SET_PERMS:
		gen_node_change(g, r);
		break;
	case XS_READ:
	case XS_DIRECTORY:
	case XS_GET_PERMS:
		if (r->type == XS_GET_PERMS && chance(g, 8))
			watch_path(g, p, sizeof(p));
		else
			any_path(g, r, false, p, sizeof(p));
		put(r, p);
		break;
	case XS_DIRECTORY_PART:
		any_path(g, r, false, p, sizeof(p));
		put(r, p);
		if (chance(g, 5)) {
			r->flags |= RF_MALFORMED;
			break;
		}
		put(r, chance(g, 70) ? "0" : (rn(g, 2) == 0 ? "2" : "999"));
		break;
	case XS_WATCH:
	case XS_UNWATCH:
		r->txm = chance(g, 10) ? TXM_BOGUS : r->txm;
		gen_watch(g, r, r->type == XS_UNWATCH);
		break;
	case XS_RESET_WATCHES:
		if (chance(g, 50) || g->ref == REF_OX)
			put(r, "");
		break;
	case XS_TRANSACTION_START:
		put(r, "");
		break;
	case XS_TRANSACTION_END:
		if (chance(g, 5)) {
			put(r, "X");
			r->flags |= RF_MALFORMED;
		} else {
			put(r, chance(g, 70) ? "T" : "F");
		}
		break;
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RELEASE:
	case XS_RESUME:
		put(r, domid(g, r));
		break;
	case XS_INTRODUCE:
		put(r, domid(g, r));
		put(r, "123");
		put(r, chance(g, 20) ? "0" : "7");
		break;
	case XS_SET_TARGET:
		put(r, domid(g, r));
		put(r, domid(g, r));
		break;
	case XS_CONTROL:
		gen_control(g, r);
		break;
	case T_GET_FEATURE:
	case T_GET_QUOTA:
		r->flags |= RF_NEWTYPE;
		/* oxenstored 4.17 waits for more bytes after an empty one. */
		if (g->ref == REF_OX)
			put(r, "");
		break;
	default:
		/* Unknown types: 9999 and 8888 stand for 20 and 27. */
		r->type = r->type == 9999 ? 20 : 27;
		put(r, "/t");
		break;
	}
}

static bool
reply_is(const struct pkt *p, const char *s)
{
	return p != NULL && p->len == strlen(s) + 1 &&
	    memcmp(p->body, s, p->len) == 0;
}

void
gen_update(struct gen *g, const struct req *r, const struct pkt *reply)
{
	const char *path, *token;

	if (reply == NULL) {
		gen_reset_conn(g, r->conn);
		return;
	}
	switch (r->type) {
	case XS_TRANSACTION_START:
		if (reply->type == XS_TRANSACTION_START)
			g->tx_holder = r->conn;
		break;
	case XS_TRANSACTION_END:
		if (r->txm == TXM_CUR && reply->type == XS_TRANSACTION_END)
			g->tx_holder = -1;
		else if (r->txm == TXM_CUR && reply->type == XS_ERROR &&
		    !reply_is(reply, "EINVAL"))
			g->tx_holder = -1;
		break;
	case XS_RESET_WATCHES:
		if (reply->type == XS_RESET_WATCHES)
			gen_reset_conn(g, r->conn);
		break;
	case XS_WATCH:
		if (reply->type != XS_WATCH)
			break;
		g->watched[r->conn] = true;
		path = r->body;
		token = path + strlen(path) + 1;
		if (g->nwatches < MAX_WATCHES && strlen(path) < 64 &&
		    strlen(token) < 8) {
			struct watch_rec *w = &g->watches[g->nwatches++];

			w->conn = r->conn;
			snprintf(w->path, sizeof(w->path), "%s", path);
			snprintf(w->token, sizeof(w->token), "%s", token);
		}
		break;
	default:
		break;
	}
}

const char *
gen_type_name(uint32_t type)
{
	static const char *const n[] = {
		"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH",
		"UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
		"INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR",
		"RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
		"IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "RESTRICT",
		"RESET_WATCHES", "DIRECTORY_PART", "GET_FEATURE",
		"SET_FEATURE", "GET_QUOTA", "SET_QUOTA",
	};

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "UNKNOWN";
}

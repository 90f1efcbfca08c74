/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stream reader: checks a whole stream before anything is used, so
 * that a truncated, corrupt or hostile dump is refused with a reason and
 * never half-applied. The result points into the caller's buffer.
 *
 * Order rules (what 4.17 writes, and what its reader needs): GLOBAL
 * first; CONN and WATCH records (and the extras) before the first NODE;
 * among NODE records the special ones may come anywhere, the tree ones
 * start with "/" and each names a parent already seen. Parents are found
 * in a hash set of the paths seen, so the check is O(total path bytes),
 * with no recursion whatever the depth.
 *
 * Bounds: every count is bounded by the buffer (a record is at least 8
 * bytes), and arrays grow by doubling. No I/O.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "state/stream.h"

#define HDR_SIZE	8
#define PATH_MAX_LEN	4096	/* a path fits one request payload */
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

struct reader {
	TALLOC_CTX	*ctx;
	struct state_image *img;
	size_t		 cap_conns, cap_watches, cap_specials, cap_nodes;
	size_t		 cap_domains;
	/* Tree paths seen: open addressing, indexes into img->nodes + 1. */
	size_t		*set;
	size_t		 setsize;	/* power of two, > 2 * nnodes */
	char		*why;
	size_t		 whysz;
	bool		 in_nodes;	/* a NODE record was seen */
};

static int
fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->why != NULL && r->whysz > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(r->why, r->whysz, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* Grows *arr (elements of size sz) to hold one more. Errors: ENOMEM. */
static int
grow(struct reader *r, void **arr, size_t *cap, size_t n, size_t sz)
{
	void *na;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap != 0 ? *cap * 2 : 16;
	na = talloc_realloc_size(r->img, *arr, nc * sz);
	if (na == NULL)
		return ENOMEM;
	*arr = na;
	*cap = nc;
	return 0;
}

static uint16_t
get_u16(const char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A string of exactly n bytes with its NUL last and none before. */
static bool
is_string(const char *p, size_t n)
{
	return n > 0 && p[n - 1] == '\0' && memchr(p, '\0', n - 1) == NULL;
}

static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* The slot of path[0..n) in the set: its index + 1, or 0 if absent. */
static size_t *
set_slot(struct reader *r, const char *p, size_t n)
{
	size_t i, mask = r->setsize - 1, idx;
	const char *q;

	for (i = hash_bytes(p, n) & mask;; i = (i + 1) & mask) {
		if (r->set[i] == 0)
			return &r->set[i];
		idx = r->set[i] - 1;
		q = r->img->nodes[idx].path;
		if (strlen(q) == n && memcmp(q, p, n) == 0)
			return &r->set[i];
	}
}

/* Adds node idx to the set, doubling it first if half full. */
static int
set_add(struct reader *r, size_t idx)
{
	size_t *old = r->set, oldsize = r->setsize, i, *slot;
	const char *p;

	if (2 * (idx + 1) >= r->setsize) {
		r->setsize = oldsize != 0 ? oldsize * 2 : 64;
		r->set = talloc_zero_array(r->ctx, size_t, r->setsize);
		if (r->set == NULL)
			return ENOMEM;
		for (i = 0; i < oldsize; i++) {
			if (old[i] == 0)
				continue;
			p = r->img->nodes[old[i] - 1].path;
			*set_slot(r, p, strlen(p)) = old[i];
		}
		talloc_free(old);
	}
	p = r->img->nodes[idx].path;
	slot = set_slot(r, p, strlen(p));
	*slot = idx + 1;
	return 0;
}

/* The syntax of a tree path: "/", or "/a/b" with no empty component. */
static bool
tree_path_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n >= PATH_MAX_LEN || p[0] != '/')
		return false;
	if (n == 1)
		return true;
	if (p[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] == '/' && p[i + 1] == '/')
			return false;
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '/' ||
		    p[i] == '-' || p[i] == '_' || p[i] == '@'))
			return false;
	}
	return true;
}

static int
read_global(struct reader *r, const char *b, size_t n)
{
	if (n < 8)
		return fail(r, "GLOBAL record too short");
	r->img->socket_fd = (int32_t)get_u32(b);
	r->img->evtchn_fd = (int32_t)get_u32(b + 4);
	return 0;
}

static int
read_conn(struct reader *r, const char *b, size_t n)
{
	struct state_image *img = r->img;
	struct state_conn *c;
	size_t i;
	int err;

	if (r->in_nodes)
		return fail(r, "CONN record after NODE records");
	if (n < 24)
		return fail(r, "CONN record too short");
	if ((err = grow(r, (void **)&img->conns, &r->cap_conns, img->nconns,
	    sizeof(*c))) != 0)
		return err;
	c = &img->conns[img->nconns];
	memset(c, 0, sizeof(*c));
	c->id = get_u32(b);
	c->type = get_u16(b + 4);
	if (c->type == STATE_CONN_RING) {
		c->domid = get_u16(b + 8);
		c->tdomid = get_u16(b + 10);
		c->evtchn = get_u32(b + 12);
		c->fd = -1;
		if (c->domid >= 0x7FF0)
			return fail(r, "CONN %u: bad domid %u", c->id,
			    c->domid);
	} else if (c->type == STATE_CONN_SOCKET) {
		c->fd = (int32_t)get_u32(b + 8);
		c->tdomid = STATE_DOMID_INVALID;
		if (c->fd < 0)
			return fail(r, "CONN %u: bad socket fd %d", c->id,
			    c->fd);
	} else {
		return fail(r, "CONN %u: unknown connection type %u", c->id,
		    c->type);
	}
	c->in_len = get_u16(b + 16);
	c->resp_len = get_u16(b + 18);
	c->out_len = get_u32(b + 20);
	if ((size_t)c->in_len + c->out_len > n - 24)
		return fail(r, "CONN %u: data longer than the record", c->id);
	if (c->resp_len > c->out_len)
		return fail(r, "CONN %u: partial reply longer than the output",
		    c->id);
	c->in = b + 24;
	c->out = b + 24 + c->in_len;
	for (i = 0; i < img->nconns; i++) {
		if (img->conns[i].id == c->id)
			return fail(r, "CONN %u: duplicate connection id",
			    c->id);
		if (c->type == STATE_CONN_RING &&
		    img->conns[i].type == STATE_CONN_RING &&
		    img->conns[i].domid == c->domid)
			return fail(r, "CONN %u: domain %u twice", c->id,
			    c->domid);
	}
	img->nconns++;
	return 0;
}

static int
read_watch(struct reader *r, const char *b, size_t n)
{
	struct state_image *img = r->img;
	struct state_watch *w;
	size_t pl, tl, i;
	int err;

	if (r->in_nodes)
		return fail(r, "WATCH record after NODE records");
	if (n < 8)
		return fail(r, "WATCH record too short");
	if ((err = grow(r, (void **)&img->watches, &r->cap_watches,
	    img->nwatches, sizeof(*w))) != 0)
		return err;
	w = &img->watches[img->nwatches];
	w->conn_id = get_u32(b);
	pl = get_u16(b + 4);
	tl = get_u16(b + 6);
	if (pl + tl > n - 8)
		return fail(r, "WATCH: strings longer than the record");
	if (!is_string(b + 8, pl) || !is_string(b + 8 + pl, tl))
		return fail(r, "WATCH: path or token not a string");
	if (pl - 1 >= PATH_MAX_LEN || pl == 1)
		return fail(r, "WATCH: bad path length");
	w->path = b + 8;
	w->token = b + 8 + pl;
	w->depth = -1;
	for (i = 0; i < img->nconns; i++)
		if (img->conns[i].id == w->conn_id)
			break;
	if (i == img->nconns)
		return fail(r, "WATCH for unknown connection %u", w->conn_id);
	img->nwatches++;
	return 0;
}

static int
read_node(struct reader *r, const char *b, size_t n)
{
	struct state_image *img = r->img;
	struct state_perm *perms;
	struct state_node *nd;
	size_t pl, vl, np, i, off, plen;
	const char *path, *slash;
	int err;

	if (n < 16)
		return fail(r, "NODE record too short");
	pl = get_u16(b + 8);
	vl = get_u16(b + 10);
	np = get_u16(b + 14);
	off = 16 + 4 * np;
	if (np == 0)
		return fail(r, "NODE with no permissions");
	if (off + pl + vl > n)
		return fail(r, "NODE: contents longer than the record");
	if (!is_string(b + off, pl))
		return fail(r, "NODE: path not a string");
	path = b + off;
	perms = talloc_array(img, struct state_perm, np);
	if (perms == NULL)
		return ENOMEM;
	for (i = 0; i < np; i++) {
		perms[i].access = b[16 + 4 * i];
		perms[i].flags = (uint8_t)b[16 + 4 * i + 1];
		perms[i].domid = get_u16(b + 16 + 4 * i + 2);
		if (strchr("nrwb", perms[i].access) == NULL ||
		    perms[i].access == '\0')
			return fail(r, "NODE %.64s: bad permission letter",
			    path);
		if ((perms[i].flags & ~STATE_PERM_IGNORE) != 0)
			return fail(r, "NODE %.64s: bad permission flags",
			    path);
	}
	r->in_nodes = true;
	if (path[0] == '@') {
		if (strcmp(path, "@releaseDomain") != 0 &&
		    strcmp(path, "@introduceDomain") != 0)
			return fail(r, "unknown special node %.64s", path);
		if ((err = grow(r, (void **)&img->specials, &r->cap_specials,
		    img->nspecials, sizeof(*nd))) != 0)
			return err;
		nd = &img->specials[img->nspecials++];
	} else {
		if (!tree_path_ok(path))
			return fail(r, "NODE: bad path %.64s", path);
		if (img->nnodes == 0 && strcmp(path, "/") != 0)
			return fail(r, "NODE %.64s before the root", path);
		if (img->nnodes > 0) {
			slash = strrchr(path, '/');
			plen = slash == path ? 1 : (size_t)(slash - path);
			if (*set_slot(r, path, plen) == 0)
				return fail(r, "NODE %.64s before its parent",
				    path);
			if (*set_slot(r, path, pl - 1) != 0)
				return fail(r, "NODE %.64s twice", path);
		}
		if ((err = grow(r, (void **)&img->nodes, &r->cap_nodes,
		    img->nnodes, sizeof(*nd))) != 0)
			return err;
		nd = &img->nodes[img->nnodes];
	}
	nd->path = path;
	nd->value = b + off + pl;
	nd->len = (uint16_t)vl;
	nd->nperms = (uint16_t)np;
	nd->perms = perms;
	if (path[0] != '@') {
		if ((err = set_add(r, img->nnodes)) != 0)
			return err;
		img->nnodes++;
	}
	return 0;
}

static int
read_xs_global(struct reader *r, const char *b, size_t n)
{
	size_t k;

	if (r->in_nodes)
		return fail(r, "quota record after NODE records");
	if (n < 4)
		return fail(r, "quota record too short");
	k = get_u16(b);
	if (k > STATE_QUOTA_MAX || 4 + 4 * k > n)
		return fail(r, "quota record: bad count %zu", k);
	r->img->have_quota = true;
	r->img->nquota = (uint16_t)k;
	memcpy(r->img->quota, b + 4, 4 * k);
	return 0;
}

static int
read_xs_domain(struct reader *r, const char *b, size_t n)
{
	struct state_image *img = r->img;
	struct state_domain *dom;
	size_t k, i;
	int err;

	if (r->in_nodes)
		return fail(r, "domain record after NODE records");
	if (n < 12)
		return fail(r, "domain record too short");
	k = get_u16(b + 8);
	if (k > STATE_QUOTA_MAX || 12 + 4 * k > n)
		return fail(r, "domain record: bad count %zu", k);
	if ((err = grow(r, (void **)&img->domains, &r->cap_domains,
	    img->ndomains, sizeof(*dom))) != 0)
		return err;
	dom = &img->domains[img->ndomains];
	memset(dom, 0, sizeof(*dom));
	dom->domid = get_u16(b);
	dom->features_set = (get_u16(b + 2) & 1) != 0;
	dom->features = get_u32(b + 4);
	dom->nquota = (uint16_t)k;
	memcpy(dom->quota, b + 12, 4 * k);
	if (dom->domid >= 0x7FF0)
		return fail(r, "domain record: bad domid %u", dom->domid);
	for (i = 0; i < img->ndomains; i++)
		if (img->domains[i].domid == dom->domid)
			return fail(r, "domain record: domain %u twice",
			    dom->domid);
	img->ndomains++;
	return 0;
}

static int
read_xs_depth(struct reader *r, const char *b, size_t n, uint32_t prev)
{
	uint32_t depth;

	if (n < 4)
		return fail(r, "watch depth record too short");
	if (prev != STATE_TYPE_WATCH)
		return fail(r, "watch depth record not after a WATCH");
	depth = get_u32(b);
	if (depth > 0x7FFFFFFF)
		return fail(r, "watch depth %u out of range", depth);
	r->img->watches[r->img->nwatches - 1].depth = (int)depth;
	return 0;
}

int
state_read(TALLOC_CTX *ctx, const void *buf, size_t len,
    struct state_image **out, char *why, size_t whysz)
{
	struct reader r;
	const char *p = buf, *body;
	uint32_t type, rlen, version, flags, want_flags = 0, prev = ~0u;
	size_t off;
	bool end = false;
	int err = 0;

	memset(&r, 0, sizeof(r));
	r.why = why;
	r.whysz = whysz;
	if (why != NULL && whysz > 0)
		why[0] = '\0';
#if __BYTE_ORDER == __BIG_ENDIAN
	want_flags = 1;
#endif
	if (len < 16 || memcmp(p, "xenstore", 8) != 0)
		return fail(&r, "not a xenstore state stream");
	version = be32toh(get_u32(p + 8));
	flags = get_u32(p + 12);
	if (version != STATE_VERSION)
		return fail(&r, "unknown stream version %u (only %u)", version,
		    STATE_VERSION);
	if (flags != want_flags)
		return fail(&r, "stream flags %#x: written on a host of "
		    "another byte order", flags);

	r.ctx = talloc_new(ctx);
	if (r.ctx == NULL)
		return ENOMEM;
	r.img = talloc_zero(r.ctx, struct state_image);
	if (r.img == NULL) {
		talloc_free(r.ctx);
		return ENOMEM;
	}
	r.img->socket_fd = r.img->evtchn_fd = -1;
	for (off = 16; err == 0 && !end; prev = type) {
		if (len - off < HDR_SIZE) {
			err = fail(&r, "truncated: no END record");
			break;
		}
		type = get_u32(p + off);
		rlen = get_u32(p + off + 4);
		if (rlen > len - off - HDR_SIZE) {
			err = fail(&r, "truncated: record of type %#x at %zu "
			    "runs past the end", type, off);
			break;
		}
		if (rlen % 8 != 0) {
			err = fail(&r, "record of type %#x at %zu: length %u "
			    "not padded to 8", type, off, rlen);
			break;
		}
		body = p + off + HDR_SIZE;
		if (prev == ~0u && type != STATE_TYPE_GLOBAL) {
			err = fail(&r, "first record is type %#x, not GLOBAL",
			    type);
			break;
		}
		switch (type) {
		case STATE_TYPE_END:
			end = true;
			break;
		case STATE_TYPE_GLOBAL:
			err = prev != ~0u ? fail(&r, "second GLOBAL record") :
			    read_global(&r, body, rlen);
			break;
		case STATE_TYPE_CONN:
			err = read_conn(&r, body, rlen);
			break;
		case STATE_TYPE_WATCH:
			err = read_watch(&r, body, rlen);
			break;
		case STATE_TYPE_NODE:
			err = read_node(&r, body, rlen);
			break;
		case STATE_XS_GLOBAL:
			err = read_xs_global(&r, body, rlen);
			break;
		case STATE_XS_DOMAIN:
			err = read_xs_domain(&r, body, rlen);
			break;
		case STATE_XS_WATCH_DEPTH:
			err = read_xs_depth(&r, body, rlen, prev);
			break;
		default:	/* TA, and types we do not know */
			r.img->skipped++;
			break;
		}
		off += HDR_SIZE + rlen;
	}
	if (err == 0 && off != len)
		err = fail(&r, "%zu bytes after the END record", len - off);
	if (err == 0 && r.img->nnodes == 0)
		err = fail(&r, "no tree: the stream has no \"/\" node");
	if (err != 0) {
		talloc_free(r.ctx);
		return err;
	}
	talloc_steal(ctx, r.img);
	talloc_free(r.ctx);
	*out = r.img;
	return 0;
}

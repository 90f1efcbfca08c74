/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stream writer: appends records to a growing buffer, each padded so
 * that the next header starts 8-aligned, exactly as 4.17's dump does.
 *
 * State: the buffer and the first error, which makes every later call
 * fail the same way (callers check state_write_end()). No I/O.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "state/stream.h"

#define STATE_IDENT	"xenstore"
#define HDR_SIZE	8

struct state_writer {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 err;
};

/* Appends n bytes (or zeroes when p is NULL). */
static void
put(struct state_writer *w, const void *p, size_t n)
{
	size_t cap;
	char *nb;

	if (w->err != 0 || n == 0)
		return;
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = E2BIG;
		return;
	}
	if (w->len + n > w->cap) {
		cap = w->cap != 0 ? w->cap : 4096;
		while (cap < w->len + n)
			cap *= 2;
		nb = talloc_realloc_size(w, w->buf, cap);
		if (nb == NULL) {
			w->err = ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	if (p != NULL)
		memcpy(w->buf + w->len, p, n);
	else
		memset(w->buf + w->len, 0, n);
	w->len += n;
}

static void
put_u16(struct state_writer *w, uint16_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_u32(struct state_writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

/* A record header for a body of n bytes; pad() ends the record. */
static void
begin(struct state_writer *w, uint32_t type, size_t n)
{
	size_t padded = (n + 7) & ~(size_t)7;

	if (padded > UINT32_MAX) {
		if (w->err == 0)
			w->err = E2BIG;
		return;
	}
	put_u32(w, type);
	put_u32(w, (uint32_t)padded);
}

static void
pad(struct state_writer *w)
{
	if (w->len % 8 != 0)
		put(w, NULL, 8 - w->len % 8);
}

int
state_writer_new(TALLOC_CTX *ctx, struct state_writer **out)
{
	struct state_writer *w;
	uint32_t version = htobe32(STATE_VERSION), flags = 0;

	w = talloc_zero(ctx, struct state_writer);
	if (w == NULL)
		return ENOMEM;
#if __BYTE_ORDER == __BIG_ENDIAN
	flags = 1;
#endif
	put(w, STATE_IDENT, 8);
	put_u32(w, version);
	put_u32(w, flags);
	if (w->err != 0) {
		talloc_free(w);
		return ENOMEM;
	}
	*out = w;
	return 0;
}

int
state_write_global(struct state_writer *w, int socket_fd, int evtchn_fd)
{
	begin(w, STATE_TYPE_GLOBAL, 8);
	put_u32(w, (uint32_t)socket_fd);
	put_u32(w, (uint32_t)evtchn_fd);
	pad(w);
	return w->err;
}

int
state_write_conn(struct state_writer *w, const struct state_conn *c)
{
	if (c->resp_len > c->out_len) {
		if (w->err == 0)
			w->err = EINVAL;
		return w->err;
	}
	begin(w, STATE_TYPE_CONN, 24 + (size_t)c->in_len + c->out_len);
	put_u32(w, c->id);
	put_u16(w, c->type);
	put_u16(w, 0);
	if (c->type == STATE_CONN_RING) {
		put_u16(w, c->domid);
		put_u16(w, c->tdomid);
		put_u32(w, c->evtchn);
	} else {
		put_u32(w, (uint32_t)c->fd);
		put_u32(w, 0);
	}
	put_u16(w, c->in_len);
	put_u16(w, c->resp_len);
	put_u32(w, c->out_len);
	put(w, c->in, c->in_len);
	put(w, c->out, c->out_len);
	pad(w);
	return w->err;
}

/* A string's length with its NUL, if it fits a u16 field. */
static uint16_t
str_len(struct state_writer *w, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > UINT16_MAX) {
		if (w->err == 0)
			w->err = E2BIG;
		return 0;
	}
	return (uint16_t)n;
}

int
state_write_watch(struct state_writer *w, const struct state_watch *wt)
{
	uint16_t pl = str_len(w, wt->path), tl = str_len(w, wt->token);

	begin(w, STATE_TYPE_WATCH, 8 + (size_t)pl + tl);
	put_u32(w, wt->conn_id);
	put_u16(w, pl);
	put_u16(w, tl);
	put(w, wt->path, pl);
	put(w, wt->token, tl);
	pad(w);
	if (wt->depth >= 0) {
		begin(w, STATE_XS_WATCH_DEPTH, 4);
		put_u32(w, (uint32_t)wt->depth);
		pad(w);
	}
	return w->err;
}

int
state_write_node(struct state_writer *w, const struct state_node *n)
{
	uint16_t pl = str_len(w, n->path), i;

	begin(w, STATE_TYPE_NODE, 16 + 4 * (size_t)n->nperms + pl + n->len);
	put_u32(w, 0);		/* committed, not in a transaction */
	put_u32(w, 0);
	put_u16(w, pl);
	put_u16(w, n->len);
	put_u16(w, 0);
	put_u16(w, n->nperms);
	for (i = 0; i < n->nperms; i++) {
		put(w, &n->perms[i].access, 1);
		put(w, &n->perms[i].flags, 1);
		put_u16(w, n->perms[i].domid);
	}
	put(w, n->path, pl);
	put(w, n->value, n->len);
	pad(w);
	return w->err;
}

int
state_write_xs_global(struct state_writer *w, const uint32_t *quota,
    unsigned int n)
{
	if (n > STATE_QUOTA_MAX && w->err == 0)
		w->err = E2BIG;
	begin(w, STATE_XS_GLOBAL, 4 + 4 * (size_t)n);
	put_u16(w, (uint16_t)n);
	put_u16(w, 0);
	put(w, quota, 4 * (size_t)n);
	pad(w);
	return w->err;
}

int
state_write_xs_domain(struct state_writer *w, const struct state_domain *dom)
{
	if (dom->nquota > STATE_QUOTA_MAX && w->err == 0)
		w->err = E2BIG;
	begin(w, STATE_XS_DOMAIN, 12 + 4 * (size_t)dom->nquota);
	put_u16(w, dom->domid);
	put_u16(w, dom->features_set ? 1 : 0);
	put_u32(w, dom->features);
	put_u16(w, dom->nquota);
	put_u16(w, 0);
	put(w, dom->quota, 4 * (size_t)dom->nquota);
	pad(w);
	return w->err;
}

int
state_write_end(struct state_writer *w, const void **buf, size_t *len)
{
	begin(w, STATE_TYPE_END, 0);
	if (w->err != 0)
		return w->err;
	*buf = w->buf;
	*len = w->len;
	return 0;
}

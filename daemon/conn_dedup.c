/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conn_dedup.c: the index of a connection's queued watch events, so that
 * an event identical to one still queued and not completely delivered is
 * not queued a second time.
 *
 * The rule is the C daemon's (send_event(), 4.17 and later): before
 * queueing a watch event it looks for one with the same payload (path and
 * token) among the packets still on the connection's output list, the one
 * being written included, and drops the new one if found; events on
 * special paths ("@...") are never merged. A watcher thus sees a change
 * matched by several of its watches with one token (a node and its
 * parent), or a node changed twice in one request or commit, once, and
 * loses nothing: the queued event still tells it to look. The same rule
 * holds on rings and sockets, since both queue through conn_queue().
 *
 * State: per connection, a chained hash table of its queued, non-special
 * events, keyed by a 64-bit FNV-1a hash of the payload; each conn_out
 * carries its chain link. The C daemon scans its whole output list per
 * event; this is O(1) expected per event, whatever the queue length.
 * The table doubles at load factor 2 (an allocation failure keeps the old
 * table: chains grow, nothing is lost) and is freed with the connection.
 *
 * Must not: free packets (conn.c owns them), do I/O.
 */
#include <string.h>

#include "daemon/conn.h"

#define DEDUP_MIN_BITS	4
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t
payload_hash(const char *p, size_t n)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static size_t
bucket(uint64_t h, unsigned int bits)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

/* The payload of a queued packet, and its length. */
static const char *
payload(const struct conn_out *o, size_t *n)
{
	*n = o->len - WIRE_HDR_SIZE;
	return o->data + WIRE_HDR_SIZE;
}

bool
conn_dedup_applies(const struct conn_out *o)
{
	size_t n;
	const char *p = payload(o, &n);

	return o->event && n > 0 && p[0] != '@';
}

/* Doubles the table; on ENOMEM keeps the old one. */
static void
grow(struct conn *c)
{
	unsigned int bits = c->dedup_bits == 0 ? DEDUP_MIN_BITS :
	    c->dedup_bits + 1;
	struct conn_out **t, *o, *next;
	size_t i, old = c->dedup_bits == 0 ? 0 : (size_t)1 << c->dedup_bits;

	if (bits >= sizeof(size_t) * 8 - 2)
		return;
	t = talloc_zero_array(c, struct conn_out *, (size_t)1 << bits);
	if (t == NULL)
		return;
	for (i = 0; i < old; i++) {
		for (o = c->dedup[i]; o != NULL; o = next) {
			next = o->dnext;
			o->dnext = t[bucket(o->dhash, bits)];
			t[bucket(o->dhash, bits)] = o;
		}
	}
	talloc_free(c->dedup);
	c->dedup = t;
	c->dedup_bits = bits;
}

bool
conn_dedup_add(struct conn *c, struct conn_out *o)
{
	struct conn_out *q;
	const char *p, *qp;
	size_t n, qn, b;

	p = payload(o, &n);
	o->dhash = payload_hash(p, n);
	if (c->dedup == NULL || c->dedup_count >= (size_t)2 << c->dedup_bits)
		grow(c);
	if (c->dedup == NULL)
		return true;	/* no table at all: nothing merged */
	b = bucket(o->dhash, c->dedup_bits);
	for (q = c->dedup[b]; q != NULL; q = q->dnext) {
		qp = payload(q, &qn);
		if (q->dhash == o->dhash && qn == n && memcmp(qp, p, n) == 0)
			return false;
	}
	o->dnext = c->dedup[b];
	c->dedup[b] = o;
	o->indexed = true;
	c->dedup_count++;
	return true;
}

void
conn_dedup_del(struct conn *c, struct conn_out *o)
{
	struct conn_out **pp;

	if (!o->indexed)
		return;
	pp = &c->dedup[bucket(o->dhash, c->dedup_bits)];
	while (*pp != NULL && *pp != o)
		pp = &(*pp)->dnext;
	if (*pp == o)
		*pp = o->dnext;
	o->indexed = false;
	c->dedup_count--;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * watch_index.c: the watch index, watches keyed by canonical path.
 *
 * Job: find the watches a change at a path P must fire, in
 * O(len(P) + depth(P) + matches), never by scanning every watch (C
 * xenstored's fire_watches walks every connection and every watch). Also
 * answers "does anyone watch at or below P?" in O(len(P)), so a subtree
 * removal can skip whole subtrees nobody watches.
 *
 * State: one hash table of entries, one entry per path that is watched or
 * is a proper prefix, at a component boundary, of a watched path. The
 * prefixes of "/a/b" are "/", "/a" and "/a/b"; those of "@x/5" are "@x" and
 * "@x/5". Each entry holds the watches exactly on its path, a pointer to
 * the entry one component up (NULL at "/" or "@x"), and refs, the number of
 * watches on its path or below it. The index also links every watch into
 * one list so that freeing the index can detach them.
 *
 * Invariants:
 *  - An entry exists iff refs > 0, and then every prefix of its path has an
 *    entry too (the set is prefix-closed). watch_index_interest(P) is
 *    therefore just "does P have an entry?", and a walk down P's prefixes
 *    stops at the first missing one: nothing deeper can exist.
 *  - An entry's path begins with its parent's path. Looking up the prefixes
 *    of P in order, each candidate is verified by its 64-bit hash, its
 *    length, its parent pointer (the entry just found, whose path equals
 *    the bytes of P before it) and a memcmp of only the bytes after the
 *    parent's path. Verifying all prefixes thus touches each byte of P
 *    once: the whole walk is O(len(P)) plus one bucket per level.
 *  - FNV-1a is computed byte by byte, so the hash of every prefix falls out
 *    of a single scan of P.
 *  - The table grows at load factor 1, to at least twice its size, and
 *    gradually: while it grows, entries live in exactly one of the old
 *    table t[0] and the new table t[1], and lookups try both. Each add
 *    moves REHASH_STEP buckets of t[0] plus one per entry it creates, so no
 *    operation rehashes the whole table (amortised O(1) per entry, bounded
 *    per call), and t[0] is empty before t[1] fills up. A growth starts
 *    only once the previous one is done. The table never shrinks: its size
 *    follows the peak, bounded by the watch quotas.
 *
 * Lifetimes (talloc): entries and bucket arrays hang from the index;
 * watches hang from the ctx their creator chose. talloc_free() of a watch
 * runs its destructor, which unlinks it and drops refs up its prefix chain,
 * freeing entries that reach zero. talloc_free() of the index first runs
 * the index destructor, which detaches every remaining watch (its index
 * pointer becomes NULL): a detached watch may outlive the index, is inert,
 * and freeing it later touches nothing of the index. This holds whatever
 * the order in which talloc frees siblings or children, including watches
 * allocated under the index itself.
 *
 * Hashing is unkeyed: a guest choosing colliding paths can lengthen one
 * chain, but only with watches it is charged for (watch quota), and full
 * 64-bit hashes are compared before any byte.
 *
 * Must not: do I/O, know about nodes, permissions or connections, recurse,
 * or change anything when an add fails.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/watch_index.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define FIB_MULT	0x9e3779b97f4a7c15ULL	/* 2^64 / golden ratio */
#define TABLE_MIN_BITS	4
#define TABLE_MAX_BITS	(sizeof(size_t) * CHAR_BIT - 2)
#define REHASH_STEP	16	/* buckets moved per add, plus its entries */

/* One watched path or proper prefix of one. */
struct wi_node {
	struct wi_node		*hnext;		/* hash chain */
	struct wi_node		**hprevp;	/* what points at us */
	struct wi_node		*parent;	/* one level up, or NULL */
	struct store_watch	*watches;	/* watches exactly here */
	uint64_t		hash;		/* FNV-1a of path */
	size_t			refs;		/* watches here or below */
	size_t			len;		/* strlen(path) */
	char			path[];
};

struct wi_table {
	struct wi_node		**b;		/* NULL when not in use */
	unsigned int		bits;		/* 1 << bits buckets */
};

struct watch_index {
	struct wi_table		t[2];		/* t[1] only while growing */
	size_t			rehash_pos;	/* next t[0] bucket to move */
	size_t			nnodes;
	size_t			nwatches;
	uint64_t		seq_next;	/* creation order of watches */
	struct store_watch	*all;		/* every attached watch */
};

struct store_watch {
	struct watch_index	*wi;		/* NULL once detached */
	struct wi_node		*node;		/* entry of its path */
	struct store_watch	*next;		/* node->watches list */
	struct store_watch	**prevp;
	struct store_watch	*all_next;	/* wi->all list */
	struct store_watch	**all_prevp;
	const struct store_caller *who;
	void			*owner;
	char			*token;
	size_t			strip;
	uint64_t		seq;		/* creation order */
	int			depth;		/* < 0: unlimited */
};

/*
 * Iterates over the prefixes of a path at component boundaries, shallowest
 * first, with the FNV-1a hash of each: "/a/b" gives lengths 1, 2, 4 and
 * "@x/5" gives 2, 4. The number of prefixes minus one is the path's depth.
 */
struct prefix_iter {
	const char	*p;
	size_t		 len;
	size_t		 pos;		/* bytes hashed so far */
	uint64_t	 h;		/* FNV-1a of p[0..pos) */
};

static void
prefix_init(struct prefix_iter *it, const char *p)
{
	it->p = p;
	it->len = strlen(p);
	it->pos = 0;
	it->h = FNV_OFFSET;
}

static void
prefix_hash_byte(struct prefix_iter *it)
{
	it->h ^= (unsigned char)it->p[it->pos];
	it->h *= FNV_PRIME;
	it->pos++;
}

/* Advances to the next prefix; its length is it->pos, its hash it->h. */
static bool
prefix_next(struct prefix_iter *it)
{
	if (it->pos == it->len)
		return false;
	/* The root "/" is a prefix of its own, ending at its slash. */
	if (it->pos == 0 && it->p[0] == '/') {
		prefix_hash_byte(it);
		return true;
	}
	/* Otherwise a prefix ends before the next slash, or at the end. */
	do {
		prefix_hash_byte(it);
	} while (it->pos < it->len && it->p[it->pos] != '/');
	return true;
}

/* depth(P): "/" and "@x" are 0, "/a" and "@x/5" are 1. Empty: 0. */
static size_t
path_depth(const char *path)
{
	struct prefix_iter it;
	size_t n;

	n = 0;
	prefix_init(&it, path);
	while (prefix_next(&it))
		n++;
	return n > 0 ? n - 1 : 0;
}

static size_t
bucket_of(uint64_t h, unsigned int bits)
{
	/* Fibonacci hashing takes the high bits, which depend on all of h. */
	return (size_t)((h * FIB_MULT) >> (64 - bits));
}

/*
 * The entry for p[0..len) whose parent is `parent`, or NULL. `parent` must
 * be the entry for the previous prefix of p (NULL for the first), so only
 * the bytes after the parent's path need comparing.
 */
static struct wi_node *
node_find(const struct watch_index *wi, uint64_t h,
    const struct wi_node *parent, const char *p, size_t len)
{
	const struct wi_table *t;
	struct wi_node *n;
	size_t from;
	int i;

	from = parent != NULL ? parent->len : 0;
	for (i = 0; i < 2; i++) {
		t = &wi->t[i];
		if (t->b == NULL)
			continue;
		for (n = t->b[bucket_of(h, t->bits)]; n != NULL; n = n->hnext) {
			if (n->hash == h && n->len == len &&
			    n->parent == parent &&
			    memcmp(n->path + from, p + from, len - from) == 0)
				return n;
		}
	}
	return NULL;
}

/* The entry for exactly `path`, walking its prefixes: O(len(path)). */
static struct wi_node *
path_lookup(const struct watch_index *wi, const char *path)
{
	struct prefix_iter it;
	struct wi_node *n;

	n = NULL;
	prefix_init(&it, path);
	while (prefix_next(&it)) {
		n = node_find(wi, it.h, n, path, it.pos);
		if (n == NULL)
			return NULL;
	}
	return n;
}

static void
node_link(struct watch_index *wi, struct wi_node *n)
{
	struct wi_table *t;
	struct wi_node **slot;

	/* While growing, new entries go straight to the new table. */
	t = wi->t[1].b != NULL ? &wi->t[1] : &wi->t[0];
	slot = &t->b[bucket_of(n->hash, t->bits)];
	n->hnext = *slot;
	if (n->hnext != NULL)
		n->hnext->hprevp = &n->hnext;
	*slot = n;
	n->hprevp = slot;
}

static void
node_unlink(struct wi_node *n)
{
	*n->hprevp = n->hnext;
	if (n->hnext != NULL)
		n->hnext->hprevp = n->hprevp;
	n->hnext = NULL;
	n->hprevp = NULL;
}

/* Moves up to `steps` buckets of t[0] into t[1]; retires t[0] when empty. */
static void
rehash_step(struct watch_index *wi, size_t steps)
{
	struct wi_node *n;
	size_t size;

	if (wi->t[1].b == NULL)
		return;
	size = (size_t)1 << wi->t[0].bits;
	while (steps > 0 && wi->rehash_pos < size) {
		while ((n = wi->t[0].b[wi->rehash_pos]) != NULL) {
			node_unlink(n);
			node_link(wi, n);
		}
		wi->rehash_pos++;
		steps--;
	}
	if (wi->rehash_pos == size) {
		talloc_free(wi->t[0].b);
		wi->t[0] = wi->t[1];
		wi->t[1].b = NULL;
		wi->t[1].bits = 0;
		wi->rehash_pos = 0;
	}
}

/*
 * Makes sure the table can take `extra` more entries at load factor 1,
 * starting a (gradual) growth if needed. Errors: ENOMEM, with no change.
 */
static int
table_reserve(struct watch_index *wi, size_t extra)
{
	struct wi_node **b;
	size_t need;
	unsigned int bits;

	/* A growth in progress finishes before the next may start. */
	if (wi->t[1].b != NULL)
		return 0;
	need = wi->nnodes + extra;
	if (need <= ((size_t)1 << wi->t[0].bits))
		return 0;
	bits = wi->t[0].bits + 1;
	while (bits < TABLE_MAX_BITS && ((size_t)1 << bits) < need)
		bits++;
	b = talloc_zero_array(wi, struct wi_node *, (size_t)1 << bits);
	if (b == NULL)
		return ENOMEM;
	wi->t[1].b = b;
	wi->t[1].bits = bits;
	wi->rehash_pos = 0;
	return 0;
}

/* A freed watch leaves every structure of its index. */
static int
watch_destroy(struct store_watch *w)
{
	struct watch_index *wi;
	struct wi_node *n, *parent;

	wi = w->wi;
	if (wi == NULL)
		return 0;	/* detached: the index is gone */

	*w->prevp = w->next;
	if (w->next != NULL)
		w->next->prevp = w->prevp;
	*w->all_prevp = w->all_next;
	if (w->all_next != NULL)
		w->all_next->all_prevp = w->all_prevp;

	/*
	 * Drop one ref along the prefix chain. An entry reaching zero has no
	 * watch at or below it, so no other entry names it as parent.
	 */
	for (n = w->node; n != NULL; n = parent) {
		parent = n->parent;
		if (--n->refs == 0) {
			node_unlink(n);
			talloc_free(n);
			wi->nnodes--;
		}
	}
	wi->nwatches--;
	w->wi = NULL;
	w->node = NULL;
	return 0;
}

/*
 * The index goes first: detach the watches still in it, so that their
 * destructors, whenever they run, find nothing to unlink. The entries and
 * tables are freed with the index right after this.
 */
static int
index_destroy(struct watch_index *wi)
{
	struct store_watch *w;

	while ((w = wi->all) != NULL) {
		wi->all = w->all_next;
		w->wi = NULL;
		w->node = NULL;
		w->next = NULL;
		w->prevp = NULL;
		w->all_next = NULL;
		w->all_prevp = NULL;
	}
	wi->nwatches = 0;
	return 0;
}

int
watch_index_create(TALLOC_CTX *ctx, struct watch_index **out)
{
	struct watch_index *wi;

	wi = talloc_zero(ctx, struct watch_index);
	if (wi == NULL)
		return ENOMEM;
	wi->t[0].bits = TABLE_MIN_BITS;
	wi->t[0].b = talloc_zero_array(wi, struct wi_node *,
	    (size_t)1 << TABLE_MIN_BITS);
	if (wi->t[0].b == NULL) {
		talloc_free(wi);
		return ENOMEM;
	}
	talloc_set_destructor(wi, index_destroy);
	*out = wi;
	return 0;
}

int
watch_index_add(struct watch_index *wi, TALLOC_CTX *ctx,
    const char *path, size_t strip, const char *token, int depth,
    void *owner, const struct store_caller *who, struct store_watch **out)
{
	struct prefix_iter it;
	struct store_watch *w;
	struct wi_node *n, *last;
	size_t i, nnew;

	if (path[0] == '\0')
		return EINVAL;

	last = NULL;
	nnew = 0;
	w = talloc_zero(ctx, struct store_watch);
	if (w == NULL)
		return ENOMEM;
	w->token = talloc_strdup(w, token);
	if (w->token == NULL)
		goto nomem;

	/*
	 * Allocate the missing entries, unlinked for now. The set is
	 * prefix-closed: after the first missing prefix, all deeper ones are
	 * missing too. `last` ends as the entry for the whole path; the nnew
	 * deepest entries on its parent chain are the new ones.
	 */
	prefix_init(&it, path);
	while (prefix_next(&it)) {
		if (nnew == 0) {
			n = node_find(wi, it.h, last, path, it.pos);
			if (n != NULL) {
				last = n;
				continue;
			}
		}
		n = talloc_named_const(wi, offsetof(struct wi_node, path) +
		    it.pos + 1, "struct wi_node");
		if (n == NULL)
			goto nomem;
		memset(n, 0, sizeof(*n));
		n->parent = last;
		n->hash = it.h;
		n->len = it.pos;
		memcpy(n->path, path, it.pos);
		n->path[it.pos] = '\0';
		last = n;
		nnew++;
	}
	if (table_reserve(wi, nnew) != 0)
		goto nomem;

	/* Commit: nothing below can fail. */
	for (n = last, i = 0; i < nnew; i++, n = n->parent)
		node_link(wi, n);
	wi->nnodes += nnew;
	for (n = last; n != NULL; n = n->parent)
		n->refs++;

	w->wi = wi;
	w->node = last;
	w->next = last->watches;
	if (w->next != NULL)
		w->next->prevp = &w->next;
	last->watches = w;
	w->prevp = &last->watches;
	w->all_next = wi->all;
	if (w->all_next != NULL)
		w->all_next->all_prevp = &w->all_next;
	wi->all = w;
	w->all_prevp = &wi->all;

	w->who = who;
	w->owner = owner;
	w->strip = strip;
	w->depth = depth;
	w->seq = wi->seq_next++;
	wi->nwatches++;
	talloc_set_destructor(w, watch_destroy);

	rehash_step(wi, REHASH_STEP + nnew);
	*out = w;
	return 0;

nomem:
	/* The new entries are the nnew deepest of last's chain. */
	for (i = 0; i < nnew; i++) {
		n = last->parent;
		talloc_free(last);
		last = n;
	}
	talloc_free(w);
	return ENOMEM;
}

struct store_watch *
watch_index_find(struct watch_index *wi, void *owner, const char *path,
    const char *token)
{
	struct wi_node *n;
	struct store_watch *w;

	n = path_lookup(wi, path);
	if (n == NULL)
		return NULL;
	for (w = n->watches; w != NULL; w = w->next)
		if (w->owner == owner && strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

size_t
watch_index_count(const struct watch_index *wi)
{
	return wi->nwatches;
}

const struct store_caller *
watch_index_who(const struct store_watch *w)
{
	return w->who;
}

/*
 * Does watch w, on the prefix of P at `level`, match a change at P of
 * depth `pdepth`? Absolute paths: the watch's depth bounds how far below
 * it P may lie. Special paths ("@x", "@x/N"): watches on P itself, except
 * that a bare "@x" fires only watches without depth; and watches on "@x"
 * with depth >= 1 for P below "@x" (deeper depths act as 1, as in C).
 */
static bool
watch_matches(const struct store_watch *w, size_t level, size_t pdepth,
    bool special)
{
	if (!special)
		return w->depth < 0 || pdepth - level <= (size_t)w->depth;
	if (level == pdepth)
		return pdepth > 0 || w->depth < 0;
	return level == 0 && w->depth >= 1;
}

static void
deliver_one(const struct store_watch *w, const char *path, size_t len,
    store_event_fn *deliver, void *deliver_arg)
{
	/* A strip longer than P would point past it. */
	deliver(w->owner, w->strip <= len ? path + w->strip : path, w->token,
	    deliver_arg);
}

static int
seq_cmp(const void *a, const void *b)
{
	const struct store_watch *x = *(struct store_watch *const *)a;
	const struct store_watch *y = *(struct store_watch *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * O(len(P) + depth(P) + matches log matches): one scan for the depth, one
 * walk down the prefixes that stops at the first unwatched one, collecting
 * the matches; then delivery in the order the watches were created, which
 * is the C daemon's order (it walks each connection's watch list, oldest
 * first), so a connection with several matching watches gets their events
 * in the same order from both daemons. Up to FIRE_STACK matches need no
 * allocation; if a bigger array cannot be had, the matches that do not fit
 * are delivered at once, unordered: never lost. EXACT mode applies the
 * same rules restricted to watches on P itself.
 */
#define FIRE_STACK	32

void
watch_index_fire(struct watch_index *wi, const char *path,
    enum watch_match match, watch_filter_fn *filter, void *filter_arg,
    store_event_fn *deliver, void *deliver_arg)
{
	struct store_watch *stackbuf[FIRE_STACK], **m = stackbuf, **bigger;
	struct prefix_iter it;
	struct wi_node *n;
	struct store_watch *w;
	size_t level, pdepth, len, nm = 0, cap = FIRE_STACK, i;
	bool special;

	pdepth = path_depth(path);
	special = path[0] != '/';
	len = strlen(path);
	n = NULL;
	prefix_init(&it, path);
	for (level = 0; prefix_next(&it); level++) {
		n = node_find(wi, it.h, n, path, it.pos);
		if (n == NULL)
			break;	/* nothing watched at or below here */
		if (match == WATCH_MATCH_EXACT && level < pdepth)
			continue;
		for (w = n->watches; w != NULL; w = w->next) {
			if (!watch_matches(w, level, pdepth, special))
				continue;
			if (filter != NULL && !filter(w->who, filter_arg))
				continue;
			if (nm == cap && cap <= SIZE_MAX / 2 /
			    sizeof(*m)) {
				bigger = talloc_array(wi, struct store_watch *,
				    cap * 2);
				if (bigger != NULL) {
					memcpy(bigger, m, nm * sizeof(*m));
					if (m != stackbuf)
						talloc_free(m);
					m = bigger;
					cap *= 2;
				}
			}
			if (nm < cap)
				m[nm++] = w;
			else
				deliver_one(w, path, len, deliver,
				    deliver_arg);
		}
	}
	if (nm > 1)
		qsort(m, nm, sizeof(*m), seq_cmp);
	for (i = 0; i < nm; i++)
		deliver_one(m[i], path, len, deliver, deliver_arg);
	if (m != stackbuf)
		talloc_free(m);
}

bool
watch_index_interest(const struct watch_index *wi, const char *path)
{
	/* Entries exist exactly for watched paths and their prefixes. */
	return path_lookup(wi, path) != NULL;
}

void
watch_index_each(const struct watch_index *wi, store_watch_visit_fn *fn,
    void *arg)
{
	const struct store_watch *w;

	for (w = wi->all; w != NULL; w = w->all_next)
		fn(w->owner, w->node->path, w->strip, w->token, w->depth, arg);
}

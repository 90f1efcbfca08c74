/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tree.c: the live node tree.
 *
 * State: the root, every node reachable from it, and one hash table keyed
 * by (parent pointer, child name) that holds every node but the root.
 *
 * Invariants:
 *  - A node's children form a doubly linked list in insertion order, so
 *    DIRECTORY keeps the order clients expect; lookup of one child by name is
 *    one hash probe, so adding or removing a child costs O(1) whatever the
 *    number of siblings, and never rewrites the parent's other children.
 *  - parent->nchildren and parent->childlen (bytes of the packed child list)
 *    always match the list.
 *  - Every node is charged to the domain of its owner (perms[0].domid) while
 *    linked: one node and its bytes (tree_node_mem). tree_link and
 *    tree_remove take and give back the charge; every change to a linked
 *    node's value, permissions or owner gives it back before and takes it
 *    again after, so it always matches the node.
 *  - Memory: a node is one allocation (struct, name, and room for the value
 *    it was created with); one permission entry is kept in the struct. A
 *    node whose value grows past that room, or that gets several entries,
 *    has one more allocation for it.
 *  - gen changes whenever value or permissions change, cgen whenever the
 *    child list changes; both come from the store's global counter, so a
 *    node deleted and re-created never repeats an old value.
 *
 * Subtrees are removed by an iterative post-order walk: no recursion on a
 * depth that guests control (XSA-418).
 *
 * No I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* FNV-1a of a name, mixed with the parent's address. */
static uint32_t
child_hash(const struct node *parent, const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	uintptr_t p = (uintptr_t)parent;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	p ^= p >> 17;
	h ^= (uint32_t)p * 0x9E3779B1u;
	h ^= h >> 15;
	return h;
}

/*
 * Grows the hash table when it gets more nodes than buckets. Failure to
 * grow is harmless: chains just get longer.
 */
static void
hash_maybe_grow(struct store *st)
{
	struct node **nt;
	size_t nsize, i;

	if (st->nnodes < st->hsize)
		return;
	nsize = st->hsize * 2;
	nt = calloc(nsize, sizeof(*nt));
	if (nt == NULL)
		return;
	for (i = 0; i < st->hsize; i++) {
		struct node *n = st->htab[i], *next;

		for (; n != NULL; n = next) {
			next = n->hnext;
			n->hnext = nt[n->hash & (nsize - 1)];
			nt[n->hash & (nsize - 1)] = n;
		}
	}
	free(st->htab);
	st->htab = nt;
	st->hsize = nsize;
}

static void
hash_remove(struct store *st, struct node *n)
{
	struct node **pp = &st->htab[n->hash & (st->hsize - 1)];

	while (*pp != NULL && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp == n)
		*pp = n->hnext;
	n->hnext = NULL;
}

struct node *
tree_child(struct store *st, const struct node *parent, const char *name,
    size_t namelen)
{
	uint32_t h = child_hash(parent, name, namelen);
	struct node *n = st->htab[h & (st->hsize - 1)];

	for (; n != NULL; n = n->hnext) {
		if (n->hash == h && n->parent == parent &&
		    n->namelen == namelen && memcmp(n->name, name, namelen) == 0)
			return n;
	}
	return NULL;
}

struct node *
tree_lookup(struct store *st, const char *path)
{
	struct node *n;
	const char *p, *slash;
	size_t i;

	if (path[0] == '@') {
		for (i = 0; i < STORE_NSPECIAL; i++) {
			if (strcmp(st->special[i]->name, path) == 0)
				return st->special[i];
		}
		return NULL;
	}
	if (path[0] != '/')
		return NULL;
	n = st->root;
	p = path + 1;
	while (*p != '\0' && n != NULL) {
		slash = strchr(p, '/');
		if (slash == NULL)
			slash = p + strlen(p);
		n = tree_child(st, n, p, (size_t)(slash - p));
		p = *slash == '/' ? slash + 1 : slash;
	}
	return n;
}

/* The room for a value inside n's own allocation. */
static char *
inline_value(struct node *n)
{
	return n->name + n->namelen + 1;
}

/* Frees n's value if it has its own allocation. */
static void
free_value(struct node *n)
{
	if (n->value != NULL && n->value != inline_value(n))
		free(n->value);
}

void
tree_free_perms(const struct node *n, struct store_perm *perms)
{
	if (perms != &n->perm0)
		free(perms);
}

int
tree_node_new(struct store *st, const char *name, size_t namelen,
    const void *val, size_t vallen, const struct store_perm *perms,
    unsigned int nperms, struct node **out)
{
	struct node *n;

	(void)st;
	if (nperms == 0 || nperms > UINT16_MAX || namelen > UINT16_MAX ||
	    vallen > UINT32_MAX)
		return EINVAL;
	n = calloc(1, sizeof(*n) + namelen + 1 + vallen);
	if (n == NULL)
		return ENOMEM;
	memcpy(n->name, name, namelen);
	n->name[namelen] = '\0';
	n->namelen = (uint16_t)namelen;
	if (vallen > 0) {
		n->value = inline_value(n);
		memcpy(n->value, val, vallen);
		n->vallen = (uint32_t)vallen;
		n->valcap = (uint32_t)vallen;
	}
	if (nperms == 1) {
		n->perm0 = perms[0];
		n->perms = &n->perm0;
	} else {
		n->perms = malloc(nperms * sizeof(*perms));
		if (n->perms == NULL) {
			free(n);
			return ENOMEM;
		}
		memcpy(n->perms, perms, nperms * sizeof(*perms));
	}
	n->nperms = (uint16_t)nperms;
	*out = n;
	return 0;
}

void
tree_node_free(struct node *n)
{
	if (n == NULL)
		return;
	free_value(n);
	tree_free_perms(n, n->perms);
	free(n);
}

/*
 * Makes val (malloc'ed, or NULL when vallen is 0) n's value, freeing the
 * old one; a value that fits the node's own room is copied there and val
 * freed. Does not charge or stamp: the caller does.
 */
void
tree_take_value(struct node *n, char *val, size_t vallen)
{
	free_value(n);
	if (vallen == 0) {
		free(val);
		n->value = NULL;
	} else if (vallen <= n->valcap) {
		n->value = inline_value(n);
		memcpy(n->value, val, vallen);
		free(val);
	} else {
		n->value = val;
	}
	n->vallen = (uint32_t)vallen;
}

/* Links a new node as the last child of parent. Cannot fail. */
void
tree_link(struct store *st, struct node *parent, struct node *child)
{
	child->parent = parent;
	child->prev = parent->last_child;
	child->next = NULL;
	if (parent->last_child != NULL)
		parent->last_child->next = child;
	else
		parent->first_child = child;
	parent->last_child = child;
	parent->nchildren++;
	parent->childlen += child->namelen + 1;
	child->hash = child_hash(parent, child->name, child->namelen);
	child->hnext = st->htab[child->hash & (st->hsize - 1)];
	st->htab[child->hash & (st->hsize - 1)] = child;
	st->gen++;
	parent->cgen = st->gen;
	child->gen = st->gen;
	child->cgen = st->gen;
	if (child->pgen == 0)
		child->pgen = st->gen;
	st->nnodes++;
	domain_charge_node(st, child, 1);
	hash_maybe_grow(st);
}

int
tree_set_value(struct store *st, struct node *n, const void *val,
    size_t vallen)
{
	char *nv = NULL;
	bool counted = tree_node_counted(st, n);

	if (vallen > UINT32_MAX)
		return EINVAL;
	if (vallen > n->valcap) {
		nv = malloc(vallen);
		if (nv == NULL)
			return ENOMEM;
		memcpy(nv, val, vallen);
	}
	if (counted)
		domain_charge_node(st, n, -1);
	if (nv == NULL && vallen > 0) {
		/* Before the old value goes: val may be (in) it. */
		memmove(inline_value(n), val, vallen);
	}
	free_value(n);
	if (nv == NULL && vallen > 0)
		nv = inline_value(n);
	n->value = nv;
	n->vallen = (uint32_t)vallen;
	if (counted)
		domain_charge_node(st, n, 1);
	n->gen = ++st->gen;
	return 0;
}

int
tree_set_perms(struct store *st, struct node *n,
    const struct store_perm *perms, unsigned int nperms)
{
	struct store_perm *np = &n->perm0;
	bool counted = tree_node_counted(st, n);

	if (nperms == 0 || nperms > UINT16_MAX)
		return EINVAL;
	if (nperms > 1) {
		np = malloc(nperms * sizeof(*np));
		if (np == NULL)
			return ENOMEM;
		memcpy(np, perms, nperms * sizeof(*np));
	}
	if (counted)
		domain_charge_node(st, n, -1);
	if (nperms == 1)
		n->perm0 = perms[0];	/* perms may be n->perms: copy first */
	tree_free_perms(n, n->perms);
	n->perms = np;
	n->nperms = (uint16_t)nperms;
	if (counted)
		domain_charge_node(st, n, 1);
	n->gen = ++st->gen;
	n->pgen = n->gen;
	return 0;
}

/* Is n charged to its owner: in the tree ("/" included), not special? */
bool
tree_node_counted(const struct store *st, const struct node *n)
{
	return n == st->root || n->parent != NULL;
}

/* The bytes a node makes the daemon hold (allocator overhead aside). */
size_t
tree_node_mem(const struct node *n)
{
	return sizeof(*n) + n->namelen + 1 + n->vallen +
	    (size_t)n->nperms * sizeof(*n->perms);
}

size_t
tree_node_size(const struct node *n)
{
	return 16 + 8 * (size_t)n->nperms + n->vallen + n->childlen;
}

/* Makes room for len bytes in the path scratch buffer. */
static int
pathbuf_reserve(struct store *st, size_t len)
{
	char *nb;
	size_t ncap;

	if (len <= st->pathcap)
		return 0;
	ncap = st->pathcap == 0 ? 256 : st->pathcap;
	while (ncap < len)
		ncap *= 2;
	nb = realloc(st->pathbuf, ncap);
	if (nb == NULL)
		return ENOMEM;
	st->pathbuf = nb;
	st->pathcap = ncap;
	return 0;
}

/*
 * Writes the path of a linked node into st->pathbuf (NUL-terminated) and its
 * length into *len. O(depth). Errors: ENOMEM.
 */
int
tree_path_of(struct store *st, const struct node *n, size_t *len)
{
	const struct node *m;
	size_t total = 0, pos;

	if (n->parent == NULL) {
		/* The root or a special node. */
		const char *s = n == st->root ? "/" : n->name;

		total = strlen(s);
		if (pathbuf_reserve(st, total + 1) != 0)
			return ENOMEM;
		memcpy(st->pathbuf, s, total + 1);
		*len = total;
		return 0;
	}
	for (m = n; m->parent != NULL; m = m->parent)
		total += m->namelen + 1;
	if (pathbuf_reserve(st, total + 1) != 0)
		return ENOMEM;
	pos = total;
	st->pathbuf[pos] = '\0';
	for (m = n; m->parent != NULL; m = m->parent) {
		pos -= m->namelen;
		memcpy(st->pathbuf + pos, m->name, m->namelen);
		st->pathbuf[--pos] = '/';
	}
	*len = total;
	return 0;
}

char *
tree_path_of_talloc(TALLOC_CTX *ctx, const struct node *n)
{
	const struct node *m;
	size_t total = 0, pos;
	char *s;

	if (n->parent == NULL)
		return talloc_strdup(ctx, n->name[0] == '\0' ? "/" : n->name);
	for (m = n; m->parent != NULL; m = m->parent)
		total += m->namelen + 1;
	s = talloc_size(ctx, total + 1);
	if (s == NULL)
		return NULL;
	pos = total;
	s[pos] = '\0';
	for (m = n; m->parent != NULL; m = m->parent) {
		pos -= m->namelen;
		memcpy(s + pos, m->name, m->namelen);
		s[--pos] = '/';
	}
	return s;
}

/* Unlinks a node from its parent's list and the hash. */
static void
unlink_node(struct store *st, struct node *n)
{
	struct node *p = n->parent;

	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		p->first_child = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		p->last_child = n->prev;
	p->nchildren--;
	p->childlen -= n->namelen + 1;
	hash_remove(st, n);
	st->gen++;
	p->cgen = st->gen;
}

/* Appends "/name" of c to the walk's path in st->pathbuf. */
static void
path_push(struct store *st, size_t *len, bool *ok, const struct node *c)
{
	if (!*ok)
		return;
	if (pathbuf_reserve(st, *len + c->namelen + 2) != 0) {
		*ok = false;
		return;
	}
	st->pathbuf[*len] = '/';
	memcpy(st->pathbuf + *len + 1, c->name, c->namelen + 1);
	*len += c->namelen + 1;
}

/* Fires watches for a change at path on node n (parent p, may be NULL). */
void
tree_fire(struct store *st, const char *path, enum watch_match m,
    const struct node *n, const struct node *p)
{
	struct fire_perms fp;

	memset(&fp, 0, sizeof(fp));
	fp.perms = n->perms;
	fp.nperms = n->nperms;
	fp.pgen = n->pgen;
	if (p != NULL) {
		fp.pperms = p->perms;
		fp.npperms = p->nperms;
		fp.ppgen = p->pgen;
	}
	watches_fire(st, path, m, &fp);
}

/*
 * Puts an unlinked, uncharged node on the garbage list: store_collect()
 * frees it later, in bounded steps, so that removing a big subtree costs
 * its reply no more than unlinking and accounting (half of the work was
 * free()). Nothing refers to a node on the list.
 */
static void
discard(struct store *st, struct node *n)
{
	n->next = st->garbage;
	st->garbage = n;
	st->ngarbage++;
}

/*
 * Removes n and its subtree. `path` is n's path. Fires, deepest first, the
 * exact watches of every removed descendant, then the watches of n itself
 * and its ancestors. Iterative post-order walk; the path of the node being
 * visited is kept in st->pathbuf while anyone watches (if the buffer cannot
 * grow, the descendants' events are skipped, never the removal).
 * O(subtree size x path length) with watches, O(subtree size) without.
 */
void
tree_remove(struct store *st, struct node *n, const char *path)
{
	struct node *cur, *next, *parent;
	size_t len = strlen(path);
	bool fire = watch_index_count(st->watches) > 0;
	bool pathok = fire && pathbuf_reserve(st, len + 1) == 0;

	if (pathok)
		memcpy(st->pathbuf, path, len + 1);
	cur = n;
	while (cur->first_child != NULL) {
		cur = cur->first_child;
		path_push(st, &len, &pathok, cur);
	}
	while (cur != n) {
		parent = cur->parent;
		next = cur->next;
		if (pathok) {
			tree_fire(st, st->pathbuf, WATCH_MATCH_EXACT, cur,
			    parent);
			len -= cur->namelen + 1;
			st->pathbuf[len] = '\0';
		}
		/* cur is the first child and has no children left. */
		parent->first_child = next;
		if (next != NULL)
			next->prev = NULL;
		else
			parent->last_child = NULL;
		parent->nchildren--;
		parent->childlen -= cur->namelen + 1;
		hash_remove(st, cur);
		domain_charge_node(st, cur, -1);
		st->nnodes--;
		discard(st, cur);
		if (next == NULL) {
			cur = parent;
			continue;
		}
		cur = next;
		path_push(st, &len, &pathok, cur);
		while (cur->first_child != NULL) {
			cur = cur->first_child;
			path_push(st, &len, &pathok, cur);
		}
	}
	/* n is a leaf now: unlink it, fire its watches, free it. */
	parent = n->parent;
	domain_charge_node(st, n, -1);
	unlink_node(st, n);
	st->nnodes--;
	if (fire)
		tree_fire(st, path, WATCH_MATCH_TREE, n, parent);
	discard(st, n);
}

size_t
store_collect(struct store *st, size_t budget)
{
	struct node *n;

	while (budget-- > 0 && (n = st->garbage) != NULL) {
		st->garbage = n->next;
		st->ngarbage--;
		tree_node_free(n);
	}
	return st->ngarbage;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store.c: the store as a whole: creation with the initial tree, counters,
 * and the consistency check behind CONTROL `check`.
 *
 * The initial tree is the C daemon's: "/" , "/tool", "/tool/xenstored", all
 * owned by domain 0 with no access for others, plus the special nodes
 * "@introduceDomain" and "@releaseDomain", which carry permissions (so a
 * toolstack can let a domain watch them) but are not children of "/".
 *
 * No I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static const char *const special_names[STORE_NSPECIAL] = {
	"@introduceDomain", "@releaseDomain",
};

/*
 * As the C daemon [HEAD]: only dom0 learns of introductions unless granted;
 * every domain may watch releases (backends in driver domains need to).
 */
static const struct store_perm intro_perms[1] = { { 0, STORE_PERM_NONE } };
static const struct store_perm release_perms[2] = {
	{ 0, STORE_PERM_NONE }, { STORE_DOMID_ANY, STORE_PERM_READ },
};
static const struct store_perm *const special_perms[STORE_NSPECIAL] = {
	intro_perms, release_perms,
};

/* Frees every node (iteratively) and the side tables. */
static int
store_destroy(struct store *st)
{
	struct node *cur = st->root, *next;
	size_t i;

	/* Post-order walk freeing each node once its children are gone. */
	while (cur != NULL) {
		if (cur->first_child != NULL) {
			next = cur->first_child;
			cur->first_child = next->next;
			cur = next;
			continue;
		}
		next = cur->parent;
		tree_node_free(cur);
		cur = next;
	}
	for (i = 0; i < STORE_NSPECIAL; i++)
		tree_node_free(st->special[i]);
	(void)store_collect(st, SIZE_MAX);
	if (st->domains != NULL) {
		for (i = 0; i <= STORE_MAX_DOMID; i++)
			free(st->domains[i]);
		free(st->domains);
	}
	free(st->htab);
	free(st->pathbuf);
	return 0;
}

int
store_create(TALLOC_CTX *ctx, store_event_fn *event_fn, void *event_arg,
    struct store **out)
{
	static const struct store_perm dom0_only = { 0, STORE_PERM_NONE };
	struct store *st;
	struct node *tool, *xsd;
	size_t i;

	st = talloc_zero(ctx, struct store);
	if (st == NULL)
		return ENOMEM;
	talloc_set_destructor(st, store_destroy);
	st->event_fn = event_fn;
	st->event_arg = event_arg;
	domain_init_quotas(st);
	st->hsize = 1024;
	st->htab = calloc(st->hsize, sizeof(*st->htab));
	st->domains = calloc(STORE_MAX_DOMID + 1, sizeof(*st->domains));
	if (st->htab == NULL || st->domains == NULL)
		goto nomem;
	if (watch_index_create(st, &st->watches) != 0)
		goto nomem;
	if (store_domain_add(st, 0) != 0)
		goto nomem;
	if (tree_node_new(st, "", 0, NULL, 0, &dom0_only, 1, &st->root) != 0)
		goto nomem;
	st->nnodes = 1;
	domain_charge_node(st, st->root, 1);
	st->root->gen = st->root->cgen = st->root->pgen = ++st->gen;
	for (i = 0; i < STORE_NSPECIAL; i++) {
		if (tree_node_new(st, special_names[i],
		    strlen(special_names[i]), NULL, 0, special_perms[i],
		    i == 0 ? 1 : 2, &st->special[i]) != 0)
			goto nomem;
		st->special[i]->gen = st->special[i]->cgen =
		    st->special[i]->pgen = ++st->gen;
	}
	if (tree_node_new(st, "tool", 4, NULL, 0, &dom0_only, 1, &tool) != 0)
		goto nomem;
	tree_link(st, st->root, tool);
	if (tree_node_new(st, "xenstored", 9, NULL, 0, &dom0_only, 1,
	    &xsd) != 0)
		goto nomem;
	tree_link(st, tool, xsd);
	*out = st;
	return 0;
nomem:
	talloc_free(st);
	return ENOMEM;
}

void
store_get_stats(const struct store *st, struct store_stats *out)
{
	out->nodes = st->nnodes;
	out->generation = st->gen;
	out->watches = watch_index_count(st->watches);
	out->transactions = st->ntx;
}

/*
 * Walks the tree without recursion and checks: each child list matches its
 * counters, each node is found by its (parent, name) hash, permissions are
 * non-empty, and per-domain node counts and node bytes equal what the
 * walk counts.
 */
int
store_check(struct store *st, TALLOC_CTX *ctx, char **report)
{
	unsigned int *owned;
	uint64_t *mem;
	struct node *cur, *c;
	size_t seen = 0, i;
	char *r = NULL;

	*report = NULL;
	owned = calloc(STORE_MAX_DOMID + 1, sizeof(*owned));
	mem = calloc(STORE_MAX_DOMID + 1, sizeof(*mem));
	if (owned == NULL || mem == NULL) {
		free(owned);
		free(mem);
		return ENOMEM;
	}
	cur = st->root;
	while (cur != NULL) {
		unsigned int nch = 0;
		size_t clen = 0;

		seen++;
		if (cur->nperms == 0)
			r = talloc_asprintf_append(r, "node without perms\n");
		else if (cur->perms[0].domid <= STORE_MAX_DOMID) {
			owned[cur->perms[0].domid]++;
			mem[cur->perms[0].domid] += tree_node_mem(cur);
		}
		for (c = cur->first_child; c != NULL; c = c->next) {
			nch++;
			clen += c->namelen + 1;
			if (c->parent != cur)
				r = talloc_asprintf_append(r,
				    "child %s has a wrong parent\n", c->name);
			if (tree_child(st, cur, c->name, c->namelen) != c)
				r = talloc_asprintf_append(r,
				    "child %s missing from hash\n", c->name);
		}
		if (nch != cur->nchildren || clen != cur->childlen)
			r = talloc_asprintf_append(r,
			    "child counters of %s are wrong\n", cur->name);
		/* Next in pre-order. */
		if (cur->first_child != NULL) {
			cur = cur->first_child;
			continue;
		}
		while (cur != NULL && cur->next == NULL)
			cur = cur->parent;
		if (cur != NULL)
			cur = cur->next;
	}
	if (seen != st->nnodes)
		r = talloc_asprintf_append(r, "%zu nodes found, %zu counted\n",
		    seen, st->nnodes);
	for (i = 0; i <= STORE_MAX_DOMID; i++) {
		if (st->domains[i] != NULL && st->domains[i]->nodes != owned[i])
			r = talloc_asprintf_append(r,
			    "domain %zu owns %u nodes, charged %u\n", i,
			    owned[i], st->domains[i]->nodes);
		if (st->domains[i] != NULL &&
		    st->domains[i]->mem_nodes != mem[i])
			r = talloc_asprintf_append(r,
			    "domain %zu's nodes hold %llu bytes, charged "
			    "%llu\n", i, (unsigned long long)mem[i],
			    (unsigned long long)st->domains[i]->mem_nodes);
	}
	free(owned);
	free(mem);
	if (r == NULL)
		return 0;
	*report = talloc_steal(ctx, r);
	return EIO;
}

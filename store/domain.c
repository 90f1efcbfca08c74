/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domain.c: the domains the store knows, their accounting and quotas.
 *
 * State: one record per known domain (indexed by domid, 0..65535) holding
 * its own copy of every quota and its usage counters, plus the global quota
 * defaults copied into domains made known later.
 *
 * Quota rule: a domain may use up to and including its quota (a quota of
 * 1000 nodes allows 1000 nodes); 0 disables a check. Quotas bind
 * unprivileged callers only. Counters move only where the charged object is
 * created, resized or freed (tree_link / tree_remove and every change to a
 * linked node's value, permissions or owner for nodes; the watch and
 * transaction constructors, entries and destructors), so they cannot drift.
 *
 * Memory: a domain is charged the bytes the daemon holds because of it:
 * the nodes it owns (struct, name, value, permissions), its watches, its
 * open transactions' copies, and, through store_domain_charge, what the
 * daemon queues for it. The hard memory quota refuses requests that would
 * grow past it with ENOMEM, as the C daemon does; the soft quota is the
 * daemon's business (a logged warning).
 *
 * No I/O.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static const char *const quota_names[STORE_QUOTA_COUNT] = {
	[STORE_QUOTA_NODES] = "nodes",
	[STORE_QUOTA_WATCHES] = "watches",
	[STORE_QUOTA_OUTSTANDING] = "outstanding",
	[STORE_QUOTA_MEMORY] = "memory",
	[STORE_QUOTA_SOFT_MEMORY] = "soft-memory",
	[STORE_QUOTA_TRANSACTIONS] = "transactions",
	[STORE_QUOTA_TRANSACTION_NODES] = "transaction-nodes",
	[STORE_QUOTA_NODE_PERMISSIONS] = "node-permissions",
	[STORE_QUOTA_PATH_MAX] = "path-max",
	[STORE_QUOTA_NODE_SIZE] = "node-size",
};

/* The C daemon's defaults (xenstore-facts §4). */
static const unsigned int quota_defaults[STORE_QUOTA_COUNT] = {
	[STORE_QUOTA_NODES] = 1000,
	[STORE_QUOTA_WATCHES] = 128,
	[STORE_QUOTA_OUTSTANDING] = 20,
	[STORE_QUOTA_MEMORY] = 2621440,
	[STORE_QUOTA_SOFT_MEMORY] = 2097152,
	[STORE_QUOTA_TRANSACTIONS] = 10,
	[STORE_QUOTA_TRANSACTION_NODES] = 1024,
	[STORE_QUOTA_NODE_PERMISSIONS] = 5,
	[STORE_QUOTA_PATH_MAX] = 2048,
	[STORE_QUOTA_NODE_SIZE] = 2048,
};

void
domain_init_quotas(struct store *st)
{
	memcpy(st->quota, quota_defaults, sizeof(st->quota));
}

const char *
store_quota_name(enum store_quota q)
{
	if ((unsigned int)q >= STORE_QUOTA_COUNT)
		return NULL;
	return quota_names[q];
}

int
store_quota_lookup(const char *name, enum store_quota *q)
{
	unsigned int i;

	for (i = 0; i < STORE_QUOTA_COUNT; i++) {
		if (strcmp(quota_names[i], name) == 0) {
			*q = (enum store_quota)i;
			return 0;
		}
	}
	return EINVAL;
}

unsigned int
store_quota_get(const struct store *st, enum store_quota q)
{
	return st->quota[q];
}

void
store_quota_set(struct store *st, enum store_quota q, unsigned int v)
{
	st->quota[q] = v;
}

struct domain_acct *
domain_get(const struct store *st, unsigned int domid)
{
	if (domid > STORE_MAX_DOMID)
		return NULL;
	return st->domains[domid];
}

int
store_domain_add(struct store *st, unsigned int domid)
{
	struct domain_acct *d;

	if (domid > STORE_MAX_DOMID)
		return EINVAL;
	if (st->domains[domid] != NULL)
		return EEXIST;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return ENOMEM;
	d->domid = domid;
	memcpy(d->quota, st->quota, sizeof(d->quota));
	d->known_gen = ++st->gen;
	st->domains[domid] = d;
	return 0;
}

bool
store_domain_known(const struct store *st, unsigned int domid)
{
	return domain_get(st, domid) != NULL;
}

unsigned int
store_domain_next(const struct store *st, unsigned int from)
{
	for (; from <= STORE_MAX_DOMID; from++) {
		if (st->domains[from] != NULL)
			return from;
	}
	return STORE_DOMID_NONE;
}

static uint64_t
domain_mem(const struct domain_acct *d)
{
	return d->mem_nodes + d->mem_other;
}

int
store_domain_quota_get(const struct store *st, unsigned int domid,
    enum store_quota q, unsigned int *v)
{
	const struct domain_acct *d = domain_get(st, domid);

	if (d == NULL)
		return ENOENT;
	if ((unsigned int)q >= STORE_QUOTA_COUNT)
		return EINVAL;
	*v = d->quota[q];
	return 0;
}

int
store_domain_quota_set(struct store *st, unsigned int domid,
    enum store_quota q, unsigned int v)
{
	struct domain_acct *d = domain_get(st, domid);

	if (d == NULL)
		return ENOENT;
	if ((unsigned int)q >= STORE_QUOTA_COUNT)
		return EINVAL;
	d->quota[q] = v;
	return 0;
}

int
store_domain_usage(const struct store *st, unsigned int domid,
    enum store_quota q, unsigned int *v)
{
	const struct domain_acct *d = domain_get(st, domid);

	if (d == NULL)
		return ENOENT;
	switch (q) {
	case STORE_QUOTA_NODES:
		*v = d->nodes;
		return 0;
	case STORE_QUOTA_WATCHES:
		*v = d->watches;
		return 0;
	case STORE_QUOTA_TRANSACTIONS:
		*v = d->transactions;
		return 0;
	case STORE_QUOTA_MEMORY:
	case STORE_QUOTA_SOFT_MEMORY:
		*v = domain_mem(d) > UINT_MAX ? UINT_MAX :
		    (unsigned int)domain_mem(d);
		return 0;
	default:
		return EINVAL;
	}
}

/*
 * Takes (sign 1) or gives back (sign -1) the charge of one node: one node
 * and its bytes, to its owner. Callers bracket every change to a counted
 * node's size or owner with -1 before and 1 after, so the charge always
 * equals what the node is now. Never goes negative: store_check reports a
 * drift instead.
 */
void
domain_charge_node(struct store *st, const struct node *n, int sign)
{
	struct domain_acct *d = domain_get(st, n->perms[0].domid);
	uint64_t mem = tree_node_mem(n);

	if (d == NULL)
		return;
	if (sign > 0) {
		d->nodes++;
		d->mem_nodes += mem;
		return;
	}
	d->nodes = d->nodes > 0 ? d->nodes - 1 : 0;
	d->mem_nodes = d->mem_nodes > mem ? d->mem_nodes - mem : 0;
}

/*
 * Charges bytes other than nodes (watches, transactions, the daemon's
 * queued output); delta < 0 gives them back (floor 0).
 */
void
store_domain_charge(struct store *st, unsigned int domid, int64_t delta)
{
	struct domain_acct *d = domain_get(st, domid);

	if (d == NULL || delta == 0)
		return;
	if (delta > 0)
		d->mem_other += (uint64_t)delta;
	else if (d->mem_other > (uint64_t)-delta)
		d->mem_other -= (uint64_t)-delta;
	else
		d->mem_other = 0;
}

/*
 * May `who` make the daemon hold `add` more bytes? ENOMEM (as the C
 * daemon answers) if that would take its domain past its memory quota.
 */
int
domain_check_mem(const struct store *st, const struct store_caller *who,
    size_t add)
{
	const struct domain_acct *d;
	unsigned int q = domain_quota_for(st, who, STORE_QUOTA_MEMORY);

	if (q == 0 || (d = domain_get(st, who->domid)) == NULL)
		return 0;
	return domain_mem(d) + add > q ? ENOMEM : 0;
}

bool
store_domain_mem_over(const struct store *st, const struct store_caller *who,
    size_t add)
{
	return domain_check_mem(st, who, add) != 0;
}

/*
 * An entry is honoured only if its domain is known and was known before the
 * permissions were set: a domain that died and whose id was reused must not
 * inherit the old domain's grants (XSA-322, XSA-417). arg: struct perm_ctx.
 */
bool
domain_perm_known(unsigned int domid, void *arg)
{
	const struct perm_ctx *pc = arg;
	const struct domain_acct *d;

	if (domid == STORE_DOMID_ANY)
		return true;
	d = domain_get(pc->st, domid);
	return d != NULL && d->known_gen < pc->pgen;
}

void
store_set_domain_oracle(struct store *st, store_domain_exists_fn *fn,
    void *arg)
{
	st->exists_fn = fn;
	st->exists_arg = arg;
}

/*
 * Makes a domain known if it is not yet but the oracle says it exists.
 * Returns 0 (known now, or does not exist), or ENOMEM.
 */
int
domain_learn(struct store *st, unsigned int domid)
{
	int err;

	if (domid > STORE_MAX_DOMID || st->domains[domid] != NULL ||
	    st->exists_fn == NULL || !st->exists_fn(domid, st->exists_arg))
		return 0;
	err = store_domain_add(st, domid);
	return err == EEXIST ? 0 : err;
}

/* Removes entries 1..n-1 naming domid, in place. Returns the new count. */
static unsigned int
strip_entries(struct store_perm *perms, unsigned int n, unsigned int domid)
{
	unsigned int i, j = 1;

	for (i = 1; i < n; i++) {
		if (perms[i].domid != domid)
			perms[j++] = perms[i];
	}
	return j;
}

/* The next node in pre-order after n's whole subtree, or NULL. */
static struct node *
skip_subtree(struct node *n)
{
	while (n != NULL && n->next == NULL)
		n = n->parent;
	return n != NULL ? n->next : NULL;
}

int
store_domain_remove(struct store *st, unsigned int domid, bool keep_orphans)
{
	struct domain_acct *d = domain_get(st, domid);
	struct node *cur, *next;
	size_t i;
	char *path;

	if (d == NULL)
		return ENOENT;
	if (domid == 0)
		return EINVAL;
	/* Iterative pre-order walk; a removed subtree is skipped whole. */
	cur = st->root->first_child;
	while (cur != NULL) {
		if (cur->perms[0].domid == domid) {
			next = skip_subtree(cur);
			if (keep_orphans) {
				domain_charge_node(st, cur, -1);
				cur->perms[0].domid = 0;
				domain_charge_node(st, cur, 1);
			} else {
				path = tree_path_of_talloc(NULL, cur);
				/* Without a path, remove without events. */
				tree_remove(st, cur, path != NULL ? path : "");
				talloc_free(path);
				cur = next;
				continue;
			}
		}
		domain_charge_node(st, cur, -1);
		cur->nperms = strip_entries(cur->perms, cur->nperms, domid);
		domain_charge_node(st, cur, 1);
		next = cur->first_child != NULL ? cur->first_child :
		    skip_subtree(cur);
		cur = next;
	}
	domain_charge_node(st, st->root, -1);
	st->root->nperms = strip_entries(st->root->perms, st->root->nperms,
	    domid);
	domain_charge_node(st, st->root, 1);
	for (i = 0; i < STORE_NSPECIAL; i++)
		st->special[i]->nperms = strip_entries(st->special[i]->perms,
		    st->special[i]->nperms, domid);
	st->domains[domid] = NULL;
	free(d);
	return 0;
}

unsigned int
domain_quota_for(const struct store *st, const struct store_caller *who,
    enum store_quota q)
{
	const struct domain_acct *d;

	if (who->priv)
		return 0;
	d = domain_get(st, who->domid);
	return d != NULL ? d->quota[q] : st->quota[q];
}

/* May `who` own `add` more nodes? ENOSPC if not. */
int
domain_check_nodes(const struct store *st, const struct store_caller *who,
    unsigned int add)
{
	const struct domain_acct *d;
	unsigned int q = domain_quota_for(st, who, STORE_QUOTA_NODES);

	if (q == 0)
		return 0;
	d = domain_get(st, who->domid);
	if (d == NULL)
		return add > q ? ENOSPC : 0;
	return (uint64_t)d->nodes + add > q ? ENOSPC : 0;
}

/*
 * May `who` create the chain of new nodes `rest` ("b/c/d", below an
 * existing node), each with nperms entries? Every new node but the last
 * holds the next one's name in its child list; the last holds vallen
 * bytes. ENOSPC if one of them would pass node-size.
 */
int
domain_check_chain_size(const struct store *st,
    const struct store_caller *who, const char *rest, unsigned int nperms,
    size_t vallen)
{
	unsigned int q = domain_quota_for(st, who, STORE_QUOTA_NODE_SIZE);
	size_t base = 16 + 8 * (size_t)nperms;
	const char *next;

	if (q == 0)
		return 0;
	while ((next = strchr(rest, '/')) != NULL) {
		rest = next + 1;
		next = strchr(rest, '/');
		if (base + (next != NULL ? (size_t)(next - rest) :
		    strlen(rest)) + 1 > q)
			return ENOSPC;
	}
	return base + vallen > q ? ENOSPC : 0;
}

/* May `who` make a node of `size` bytes? ENOSPC if not. */
int
domain_check_node_size(const struct store *st,
    const struct store_caller *who, size_t size)
{
	unsigned int q = domain_quota_for(st, who, STORE_QUOTA_NODE_SIZE);

	return q != 0 && size > q ? ENOSPC : 0;
}

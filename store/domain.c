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
 * created or freed (tree_link / tree_remove for nodes, the watch and
 * transaction constructors and destructors), so they cannot drift.
 *
 * No I/O.
 */
#include <errno.h>
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
	default:
		return EINVAL;
	}
}

void
domain_charge_node(struct store *st, unsigned int owner, int delta)
{
	struct domain_acct *d = domain_get(st, owner);

	if (d == NULL)
		return;
	if (delta < 0 && d->nodes < (unsigned int)-delta)
		d->nodes = 0;	/* never negative; store_check reports drift */
	else
		d->nodes += (unsigned int)delta;
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
				domain_charge_node(st, domid, -1);
				domain_charge_node(st, 0, 1);
				cur->perms[0].domid = 0;
			} else {
				path = tree_path_of_talloc(NULL, cur);
				/* Without a path, remove without events. */
				tree_remove(st, cur, path != NULL ? path : "");
				talloc_free(path);
				cur = next;
				continue;
			}
		}
		cur->nperms = strip_entries(cur->perms, cur->nperms, domid);
		next = cur->first_child != NULL ? cur->first_child :
		    skip_subtree(cur);
		cur = next;
	}
	st->root->nperms = strip_entries(st->root->perms, st->root->nperms,
	    domid);
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

/* May `who` make a node of `size` bytes? ENOSPC if not. */
int
domain_check_node_size(const struct store *st,
    const struct store_caller *who, size_t size)
{
	unsigned int q = domain_quota_for(st, who, STORE_QUOTA_NODE_SIZE);

	return q != 0 && size > q ? ENOSPC : 0;
}

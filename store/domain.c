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

/* Permission entries naming an unknown domain are ignored. */
bool
domain_perm_known(unsigned int domid, void *arg)
{
	const struct store *st = arg;

	return domid == STORE_DOMID_ANY || store_domain_known(st, domid);
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

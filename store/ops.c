/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ops.c: the node operations of store.h. Outside a transaction each works
 * on the live tree here; inside one it is handed to tx.c.
 *
 * Every operation validates and allocates first and changes the tree only
 * with steps that cannot fail, so an error leaves nothing half done.
 * Permission errors hide what the caller may not see: a missing node is
 * ENOENT only if the caller could read (or write) its nearest existing
 * ancestor, else EACCES.
 *
 * No I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

bool
perm_allows(const struct store *st, const struct store_caller *who,
    const struct store_perm *perms, unsigned int n, uint64_t pgen,
    unsigned int need)
{
	struct perm_ctx pc = { st, pgen };
	unsigned int have;

	if (who->priv)
		return true;
	have = store_perms_for(who, perms, n, domain_perm_known, &pc);
	return (have & need) == need;
}

/* Is `who` the owner (or the owner's controller by SET_TARGET)? */
static bool
is_owner(const struct store_caller *who, const struct store_perm *perms)
{
	unsigned int owner = perms[0].domid;

	return who->priv || owner == who->domid || owner == STORE_DOMID_ANY ||
	    (who->target != STORE_DOMID_NONE && owner == who->target);
}

/*
 * Finds the nearest existing ancestor of a missing absolute path: walks
 * components from the root. Sets *rest to the first missing component.
 */
static struct node *
nearest_existing(struct store *st, const char *path, const char **rest)
{
	struct node *n = st->root, *c;
	const char *p = path + 1, *slash;

	while (*p != '\0') {
		slash = strchr(p, '/');
		if (slash == NULL)
			slash = p + strlen(p);
		c = tree_child(st, n, p, (size_t)(slash - p));
		if (c == NULL)
			break;
		n = c;
		p = *slash == '/' ? slash + 1 : slash;
	}
	*rest = p;
	return n;
}

/* The error for a missing node: ENOENT or, to hide it, EACCES. */
static int
missing_error(struct store *st, const struct store_caller *who,
    const char *path, unsigned int need)
{
	const char *rest;
	struct node *a;

	if (path[0] != '/')
		return ENOENT;
	a = nearest_existing(st, path, &rest);
	return perm_allows(st, who, a->perms, a->nperms, a->pgen, need) ?
	    ENOENT :
	    EACCES;
}

/* Looks a node up and checks `need` on it. */
static int
lookup_checked(struct store *st, const struct store_caller *who,
    const char *path, unsigned int need, struct node **out)
{
	struct node *n = tree_lookup(st, path);

	if (n == NULL)
		return missing_error(st, who, path, need);
	if (!perm_allows(st, who, n->perms, n->nperms, n->pgen, need))
		return EACCES;
	*out = n;
	return 0;
}

int
store_read(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    char **val, size_t *len)
{
	struct node *n;
	int err;

	if (path[0] != '/')
		return EINVAL;
	if (tx != NULL)
		return tx_read(st, tx, path, ctx, val, len);
	err = lookup_checked(st, who, path, STORE_PERM_READ, &n);
	if (err != 0)
		return err;
	*val = talloc_memdup(ctx, n->vallen > 0 ? n->value : "",
	    n->vallen > 0 ? n->vallen : 1);
	if (*val == NULL)
		return ENOMEM;
	*len = n->vallen;
	return 0;
}

/*
 * The permissions of a node created under `parent` by `who`: the parent's
 * list, with an unprivileged creator made the owner.
 */
static int
inherit_perms(const struct store_caller *who, const struct node *parent,
    struct store_perm *out, unsigned int *n)
{
	memcpy(out, parent->perms, parent->nperms * sizeof(*out));
	*n = parent->nperms;
	if (!who->priv)
		out[0].domid = who->domid;
	return 0;
}

/*
 * Creates the missing components of path (all but the last empty, the last
 * with val), checking write access on the nearest existing ancestor and the
 * quotas first. Returns the node in *out and whether it was created; an
 * existing node is returned untouched. Fires nothing.
 */
int
ops_create_path(struct store *st, const struct store_caller *who,
    const char *path, const void *val, size_t vallen, struct node **out,
    bool *created)
{
	struct node *a, *first = NULL, *last = NULL, *n;
	struct store_perm *perms;
	unsigned int nperms, k = 0;
	const char *rest, *p, *slash;
	int err;

	a = nearest_existing(st, path, &rest);
	if (*rest == '\0') {
		*out = a;
		*created = false;
		return 0;
	}
	if (!perm_allows(st, who, a->perms, a->nperms, a->pgen,
	    STORE_PERM_WRITE))
		return EACCES;
	for (p = rest; p != NULL; p = strchr(p, '/'), p = p ? p + 1 : p)
		k++;
	err = domain_check_nodes(st, who, k);
	if (err != 0)
		return err;
	slash = strchr(rest, '/');
	err = domain_check_node_size(st, who, tree_node_size(a) +
	    (slash != NULL ? (size_t)(slash - rest) : strlen(rest)) + 1);
	if (err != 0)
		return err;
	perms = talloc_array(NULL, struct store_perm, a->nperms);
	if (perms == NULL)
		return ENOMEM;
	inherit_perms(who, a, perms, &nperms);
	if (domain_check_chain_size(st, who, rest, nperms, vallen) != 0) {
		talloc_free(perms);
		return ENOSPC;
	}
	/* Every new node's struct, name and permissions, and the value. */
	if (domain_check_mem(st, who, k * (sizeof(struct node) + 1 +
	    nperms * sizeof(*perms)) + strlen(rest) + vallen) != 0) {
		talloc_free(perms);
		return ENOMEM;
	}
	/* Allocate the whole chain first; link it only when all exist. */
	for (p = rest; *p != '\0';) {
		bool lastc;

		slash = strchr(p, '/');
		if (slash == NULL)
			slash = p + strlen(p);
		lastc = *slash == '\0';
		err = tree_node_new(st, p, (size_t)(slash - p),
		    lastc ? val : NULL, lastc ? vallen : 0, perms, nperms, &n);
		if (err != 0)
			goto fail;
		/* Copied entries stay exactly as valid as the parent's. */
		n->pgen = a->pgen;
		/* Chain through first_child until linked. */
		if (last != NULL)
			last->first_child = n;
		else
			first = n;
		last = n;
		p = lastc ? slash : slash + 1;
	}
	talloc_free(perms);
	for (n = first; n != NULL; n = first) {
		first = n->first_child;
		n->first_child = NULL;
		tree_link(st, a, n);
		a = n;
	}
	*out = last;
	*created = true;
	return 0;
fail:
	talloc_free(perms);
	while (first != NULL) {
		n = first->first_child;
		tree_node_free(first);
		first = n;
	}
	return err;
}

static int
write_or_mkdir(struct store *st, const struct store_caller *who,
    const char *path, const void *val, size_t len, bool is_mkdir)
{
	struct node *n;
	bool created;
	int err;

	n = tree_lookup(st, path);
	if (n != NULL) {
		if (!perm_allows(st, who, n->perms, n->nperms, n->pgen,
		    STORE_PERM_WRITE))
			return EACCES;
		if (is_mkdir)
			return 0;
		err = domain_check_node_size(st, who,
		    tree_node_size(n) - n->vallen + len);
		if (err != 0)
			return err;
		if (len > n->vallen &&
		    domain_check_mem(st, who, len - n->vallen) != 0)
			return ENOMEM;
		err = tree_set_value(st, n, val, len);
		if (err != 0)
			return err;
		tree_fire(st, path, WATCH_MATCH_TREE, n, n->parent);
		return 0;
	}
	err = ops_create_path(st, who, path, val, len, &n, &created);
	if (err != 0)
		return err;
	tree_fire(st, path, WATCH_MATCH_TREE, n, n->parent);
	return 0;
}

int
store_write(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, const void *val,
    size_t len)
{
	if (path[0] != '/')
		return EINVAL;
	if (tx != NULL)
		return tx_write(st, tx, path, val, len, false);
	return write_or_mkdir(st, who, path, val, len, false);
}

int
store_mkdir(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path)
{
	if (path[0] != '/')
		return EINVAL;
	if (tx != NULL)
		return tx_write(st, tx, path, NULL, 0, true);
	return write_or_mkdir(st, who, path, NULL, 0, true);
}

/* The parent path of a canonical absolute path that is not "/". */
static char *
parent_path(TALLOC_CTX *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		return talloc_strdup(ctx, "/");
	return talloc_strndup(ctx, path, (size_t)(slash - path));
}

int
store_rm(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path)
{
	struct node *n;
	char *pp;
	bool parent_exists;

	if (path[0] != '/' || strcmp(path, "/") == 0)
		return EINVAL;
	if (tx != NULL)
		return tx_rm(st, tx, path);
	n = tree_lookup(st, path);
	if (n == NULL) {
		pp = parent_path(NULL, path);
		if (pp == NULL)
			return ENOMEM;
		parent_exists = tree_lookup(st, pp) != NULL;
		talloc_free(pp);
		if (parent_exists)
			return 0;
		return missing_error(st, who, path, STORE_PERM_WRITE);
	}
	if (!perm_allows(st, who, n->perms, n->nperms, n->pgen,
	    STORE_PERM_WRITE))
		return EACCES;
	tree_remove(st, n, path);
	return 0;
}

int
store_directory(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    char **names, size_t *len, uint64_t *gen)
{
	struct node *n, *c;
	char *buf;
	size_t pos = 0;
	int err;

	if (path[0] != '/')
		return EINVAL;
	if (tx != NULL)
		return tx_directory(st, tx, path, ctx, names, len, gen);
	err = lookup_checked(st, who, path, STORE_PERM_READ, &n);
	if (err != 0)
		return err;
	buf = talloc_size(ctx, n->childlen + 1);
	if (buf == NULL)
		return ENOMEM;
	for (c = n->first_child; c != NULL; c = c->next) {
		memcpy(buf + pos, c->name, c->namelen + 1);
		pos += c->namelen + 1;
	}
	*names = buf;
	*len = pos;
	*gen = n->cgen;
	return 0;
}

int
store_get_perms(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    struct store_perm **perms, unsigned int *n)
{
	struct node *nd;
	int err;

	if (tx != NULL && path[0] == '/')
		return tx_get_perms(st, tx, path, ctx, perms, n);
	err = lookup_checked(st, who, path, STORE_PERM_READ, &nd);
	if (err != 0)
		return err;
	*perms = talloc_memdup(ctx, nd->perms, nd->nperms * sizeof(**perms));
	if (*perms == NULL)
		return ENOMEM;
	*n = nd->nperms;
	return 0;
}

int
store_perms_stale(struct store *st, const char *path, TALLOC_CTX *ctx,
    bool **stale, unsigned int *n)
{
	static const struct store_caller priv = { 0, STORE_DOMID_NONE, true };
	struct perm_ctx pc;
	struct node *nd;
	unsigned int i;
	int err;

	err = lookup_checked(st, &priv, path, STORE_PERM_READ, &nd);
	if (err != 0)
		return err;
	*stale = talloc_zero_array(ctx, bool, nd->nperms);
	if (*stale == NULL)
		return ENOMEM;
	pc.st = st;
	pc.pgen = nd->pgen;
	for (i = 1; i < nd->nperms; i++)
		(*stale)[i] = !domain_perm_known(nd->perms[i].domid, &pc);
	*n = nd->nperms;
	return 0;
}

/*
 * Checks a SET_PERMS by `who` on node n (with parent p) to the list
 * perms[n]: ownership, owner change, entry count, size, owner existence.
 */
int
ops_check_set_perms(struct store *st, const struct store_caller *who,
    const struct store_perm *oldp, unsigned int nold, uint64_t oldpgen,
    size_t othersize, const struct store_perm *perms, unsigned int n)
{
	unsigned int q, i;

	if (n == 0)
		return EINVAL;
	if (!who->priv) {
		if (!perm_allows(st, who, oldp, nold, oldpgen,
		    STORE_PERM_WRITE) ||
		    !is_owner(who, oldp))
			return EACCES;
		if (perms[0].domid != oldp[0].domid)
			return EPERM;
		q = domain_quota_for(st, who, STORE_QUOTA_NODE_PERMISSIONS);
		if (q != 0 && n > q)
			return ENOSPC;
		if (domain_check_node_size(st, who,
		    othersize + 8 * (size_t)n) != 0)
			return ENOSPC;
	}
	/* Domains that exist but are not known yet become known now. */
	for (i = 0; i < n; i++) {
		if (domain_learn(st, perms[i].domid) == ENOMEM)
			return ENOMEM;
	}
	return store_perms_check_owner(st, perms);
}

int
store_perms_check_owner(struct store *st, const struct store_perm *perms)
{
	if (domain_learn(st, perms[0].domid) == ENOMEM)
		return ENOMEM;
	if (perms[0].domid != STORE_DOMID_ANY &&
	    !store_domain_known(st, perms[0].domid))
		return ENOENT;
	return 0;
}

int
store_set_perms(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path,
    const struct store_perm *perms, unsigned int n)
{
	struct store_perm *old;
	struct fire_perms fp;
	struct node *nd;
	unsigned int nold;
	uint64_t oldpgen;
	int err;

	if (tx != NULL && path[0] == '/')
		return tx_set_perms(st, tx, path, perms, n);
	nd = tree_lookup(st, path);
	if (nd == NULL)
		return missing_error(st, who, path, STORE_PERM_WRITE);
	err = ops_check_set_perms(st, who, nd->perms, nd->nperms, nd->pgen,
	    tree_node_size(nd) - 8 * (size_t)nd->nperms, perms, n);
	if (err != 0)
		return err;
	if (n > nd->nperms && domain_check_mem(st, who,
	    (n - nd->nperms) * sizeof(*perms)) != 0)
		return ENOMEM;
	old = talloc_memdup(NULL, nd->perms, nd->nperms * sizeof(*old));
	if (old == NULL)
		return ENOMEM;
	nold = nd->nperms;
	oldpgen = nd->pgen;
	err = tree_set_perms(st, nd, perms, n);
	if (err == 0) {
		memset(&fp, 0, sizeof(fp));
		fp.perms = nd->perms;
		fp.nperms = nd->nperms;
		fp.pgen = nd->pgen;
		fp.old_perms = old;
		fp.nold = nold;
		fp.old_pgen = oldpgen;
		if (nd->parent != NULL) {
			fp.pperms = nd->parent->perms;
			fp.npperms = nd->parent->nperms;
			fp.ppgen = nd->parent->pgen;
		}
		watches_fire(st, path, WATCH_MATCH_TREE, &fp);
	}
	talloc_free(old);
	return err;
}

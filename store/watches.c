/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * watches.c: the store's side of watches: adding them with duplicate and
 * quota checks, charging them to the watcher's domain, and firing events
 * for changes with the read-permission filter (XSA-115).
 *
 * The index itself (matching by path) is watch_index.c. A watch is charged
 * to its domain by a small talloc child whose destructor gives the charge
 * back, so freeing a watch by any route (UNWATCH, RESET_WATCHES, closing a
 * connection) keeps the count right. Watches must be freed before the store.
 *
 * No I/O.
 */
#include <errno.h>
#include <string.h>

#include "store/internal.h"

/* A watch's record, index entries and charge, without path and token. */
#define WATCH_BASE_MEM	256

struct watch_charge {
	struct store	*st;
	unsigned int	 domid;
	size_t		 mem;		/* bytes charged */
};

static int
watch_charge_destroy(struct watch_charge *c)
{
	struct domain_acct *d = domain_get(c->st, c->domid);

	if (d != NULL && d->watches > 0)
		d->watches--;
	store_domain_charge(c->st, c->domid, -(int64_t)c->mem);
	return 0;
}

int
store_watch_add(struct store *st, const struct store_caller *who,
    void *owner, const char *path, size_t strip, const char *token,
    int depth, TALLOC_CTX *ctx, struct store_watch **out)
{
	struct domain_acct *d = domain_get(st, who->domid);
	struct watch_charge *c;
	struct store_watch *w;
	unsigned int q;
	size_t mem;
	int err;

	if (watch_index_find(st->watches, owner, path, token) != NULL)
		return EEXIST;
	q = domain_quota_for(st, who, STORE_QUOTA_WATCHES);
	if (q != 0 && d != NULL && d->watches + 1 > q)
		return ENOSPC;
	mem = WATCH_BASE_MEM + strlen(path) + strlen(token) + 2;
	if (domain_check_mem(st, who, mem) != 0)
		return ENOMEM;
	err = watch_index_add(st->watches, ctx, path, strip, token, depth,
	    owner, who, &w);
	if (err != 0)
		return err;
	c = talloc(w, struct watch_charge);
	if (c == NULL) {
		talloc_free(w);
		return ENOMEM;
	}
	c->st = st;
	c->domid = who->domid;
	c->mem = mem;
	if (d != NULL)
		d->watches++;
	store_domain_charge(st, who->domid, (int64_t)mem);
	talloc_set_destructor(c, watch_charge_destroy);
	*out = w;
	return 0;
}

struct store_watch *
store_watch_find(struct store *st, void *owner, const char *path,
    const char *token)
{
	return watch_index_find(st->watches, owner, path, token);
}

static bool
may_read(const struct store *st, const struct store_caller *who,
    const struct store_perm *perms, unsigned int n, uint64_t pgen)
{
	return perms != NULL && perm_allows(st, who, perms, n, pgen,
	    STORE_PERM_READ);
}

struct filter_arg {
	const struct store	*st;
	const struct fire_perms	*fp;
};

/*
 * An event goes to a watcher that may read the node or its parent, now or
 * (for a permission change) before it.
 */
static bool
event_visible(const struct store_caller *who, void *arg)
{
	const struct filter_arg *fa = arg;
	const struct fire_perms *fp = fa->fp;

	if (who->priv)
		return true;
	return may_read(fa->st, who, fp->perms, fp->nperms, fp->pgen) ||
	    may_read(fa->st, who, fp->old_perms, fp->nold, fp->old_pgen) ||
	    may_read(fa->st, who, fp->pperms, fp->npperms, fp->ppgen);
}

int
store_fire_special(struct store *st, const char *path)
{
	const struct node *n = NULL;
	struct fire_perms fp;
	size_t i, len = strcspn(path, "/");

	for (i = 0; i < STORE_NSPECIAL; i++) {
		if (strncmp(st->special[i]->name, path, len) == 0 &&
		    st->special[i]->name[len] == '\0')
			n = st->special[i];
	}
	if (n == NULL)
		return ENOENT;
	memset(&fp, 0, sizeof(fp));
	fp.perms = n->perms;
	fp.nperms = n->nperms;
	fp.pgen = n->pgen;
	watches_fire(st, path, WATCH_MATCH_TREE, &fp);
	return 0;
}

void
watches_fire(struct store *st, const char *path, enum watch_match m,
    const struct fire_perms *fp)
{
	struct filter_arg fa = { st, fp };

	if (st->event_fn == NULL || watch_index_count(st->watches) == 0)
		return;
	watch_index_fire(st->watches, path, m, fp != NULL ? event_visible :
	    NULL, &fa, st->event_fn, st->event_arg);
}

void
store_watch_each(struct store *st, store_watch_visit_fn *fn, void *arg)
{
	watch_index_each(st->watches, fn, arg);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx.c: transactions.
 *
 * A transaction is a private overlay: one entry per path it touched, kept in
 * a hash table (path -> entry) and in access order. An entry records
 *  - the view: does the node exist for this transaction, its value and
 *    permissions (a copy taken at first access: "the first read snapshots",
 *    so later reads inside the transaction never see outside changes);
 *  - the read set: whether the first access fell through to the live tree,
 *    and the node's generation then (0 = absent); for DIRECTORY also the
 *    child-list generation;
 *  - what commit must apply: a new value, new permissions, a removal, or a
 *    creation ("fresh": the node replaces whatever was live).
 *
 * Commit succeeds unless a node in the read set changed (generation
 * differs). Creating a child reads the parent's generation, which changes
 * only with the parent's value or permissions, not with its child list: so
 * two transactions that add different children of one parent both commit
 * (the C daemon wrongly fails the second), while a transaction that listed
 * the parent's children conflicts with any child added meanwhile.
 *
 * Worked example ("ta err" of test-xenstore): T reads /a (entry /a, read
 * gen 7, value "a"); outside, /a is written ("b", gen 9); T reads /a again
 * and gets its snapshot "a"; T writes /c; commit compares /a's live gen 9
 * with 7 and fails with EAGAIN, applying nothing.
 *
 * Starvation: a client that lost STARVING_LOSSES commits in a row opens its
 * next transaction with priority (store->starving lists them). Priorities
 * are ranked: more losses first, then the older transaction. While one is
 * open, any commit of a lower-ranked transaction that would change a node
 * it read gets EAGAIN instead. Many clients fighting over one node thus
 * take turns in the order they have been waiting, and no one waits much
 * longer than the others. The top-ranked client's commit can only be
 * beaten by non-transactional writes; for a privileged client the daemon
 * also holds back unprivileged guests meanwhile (store_priority_waiting,
 * daemon/prio.c), which closes that gap too (XSA-206), and lets outranked
 * socket clients' TRANSACTION_START wait its turn (store_priority_outranks).
 * The priority lapses after PRIO_MAX_BLOCKS refused commits, or when the
 * daemon drops it (it bounds how long guests wait), so an idle prioritised
 * transaction cannot block others for ever.
 *
 * Commit is all-or-nothing: every node and buffer it needs is allocated
 * before the first change is made; the changes themselves cannot fail.
 * Entries are applied by increasing depth, so parents exist before their
 * children are linked.
 *
 * Cost: each access is O(path length) plus, while the transaction has
 * removed or re-created nodes, O(depth) lookups to see whether an ancestor
 * hides the live tree. Commit is O(entries x path length).
 *
 * No I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define STARVING_LOSSES	3
#define PRIO_MAX_BLOCKS	64
/* What an empty transaction holds: its record and first hash table. */
#define TX_BASE_MEM	(sizeof(struct store_tx) + 16 * sizeof(void *))

struct tx_entry {
	struct tx_entry	*hnext;
	struct tx_entry	*next;		/* access order */
	char		*path;
	uint32_t	 hash;
	unsigned int	 depth;
	unsigned int	 seq;		/* position in access order */
	unsigned int	 cseq;		/* order of its last creation here */
	bool		 exists;	/* in this transaction's view */
	bool		 has_read;	/* first access read the live tree */
	bool		 dir_read;	/* DIRECTORY read its child list */
	bool		 fresh;		/* created here: replaces the live node */
	bool		 removed;	/* removed here: remove the live node */
	bool		 val_set;	/* value changed here */
	bool		 perms_set;	/* permissions changed here */
	bool		 fire;		/* fire watches at commit */
	bool		 fire_gone;	/* changed here, then removed with an
					   ancestor: still fires at commit */
	bool		 live_before;	/* in the tree when the commit began */
	uint64_t	 read_gen;
	uint64_t	 read_cgen;
	char		*value;		/* talloc'ed under the entry */
	size_t		 vallen;
	struct store_perm *perms;	/* talloc'ed under the entry */
	unsigned int	 nperms;
	uint64_t	 pgen;		/* validity stamp of perms (XSA-322);
					   UINT64_MAX: set here, stamped at
					   commit */
	/* Prepared at commit. */
	struct node	*newnode;
	char		*newval;
	struct store_perm *newperms;
};

struct store_tx {
	struct store	*st;
	const struct store_caller *who;
	struct tx_entry	**htab;
	size_t		 hsize;
	size_t		 nentries;
	struct tx_entry	*first;
	struct tx_entry	*last;
	unsigned int	 nhiding;	/* entries hiding a live subtree */
	unsigned int	 created;	/* nodes created (for the quota) */
	unsigned int	 cseq_next;	/* creation counter (entry cseq) */
	unsigned int	 prio_blocks;	/* commits refused for our priority */
	unsigned int	 losses;	/* its client's lost commits in a row */
	uint64_t	 seq;		/* start order */
	bool		 starving;	/* on st->starving */
	struct store_tx	*snext, **sprevp;
	bool		 failed;	/* an error inside: commit gives ENOMEM */
	uint64_t	 charged;	/* bytes charged to the caller's domain */
};

/* Charges the transaction's domain for bytes it now holds (or gives back). */
static void
tx_charge(struct store_tx *tx, int64_t delta)
{
	if (delta < 0 && (uint64_t)-delta > tx->charged)
		delta = -(int64_t)tx->charged;
	tx->charged += delta;
	store_domain_charge(tx->st, tx->who->domid, delta);
}

static uint32_t
path_hash(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	return h;
}

/* Takes tx off the priority list (if it is on it). */
static void
starving_remove(struct store_tx *tx)
{
	if (!tx->starving)
		return;
	*tx->sprevp = tx->snext;
	if (tx->snext != NULL)
		tx->snext->sprevp = tx->sprevp;
	tx->starving = false;
	if (tx->who->priv && tx->st->nstarving_priv > 0)
		tx->st->nstarving_priv--;
}

static void
starving_add(struct store_tx *tx)
{
	struct store *st = tx->st;

	tx->snext = st->starving;
	if (st->starving != NULL)
		st->starving->sprevp = &tx->snext;
	tx->sprevp = &st->starving;
	st->starving = tx;
	tx->starving = true;
	if (tx->who->priv)
		st->nstarving_priv++;
}

/* Does p's priority rank above tx's? */
static bool
outranks(const struct store_tx *p, const struct store_tx *tx)
{
	if (!tx->starving)
		return true;
	if (p->losses != tx->losses)
		return p->losses > tx->losses;
	return p->seq < tx->seq;
}

static int
tx_destroy(struct store_tx *tx)
{
	struct store *st = tx->st;
	struct domain_acct *d = domain_get(st, tx->who->domid);

	if (d != NULL && d->transactions > 0)
		d->transactions--;
	tx_charge(tx, -(int64_t)tx->charged);
	if (st->ntx > 0)
		st->ntx--;
	starving_remove(tx);
	return 0;
}

bool
store_priority_waiting(const struct store *st)
{
	return st->nstarving_priv > 0;
}

bool
store_priority_outranks(const struct store *st, unsigned int losses)
{
	const struct store_tx *p;

	for (p = st->starving; p != NULL; p = p->snext) {
		if (p->losses >= losses)
			return true;
	}
	return false;
}

void
store_priority_drop(struct store *st)
{
	while (st->starving != NULL)
		starving_remove(st->starving);
}

const struct store_caller *
tx_caller(const struct store_tx *tx)
{
	return tx->who;
}

int
store_tx_start(struct store *st, const struct store_caller *who,
    unsigned int losses, TALLOC_CTX *ctx, struct store_tx **out)
{
	struct domain_acct *d = domain_get(st, who->domid);
	struct store_tx *tx;
	unsigned int q;

	q = domain_quota_for(st, who, STORE_QUOTA_TRANSACTIONS);
	if (q != 0 && d != NULL && d->transactions + 1 > q)
		return ENOSPC;
	if (domain_check_mem(st, who, TX_BASE_MEM) != 0)
		return ENOMEM;
	tx = talloc_zero(ctx, struct store_tx);
	if (tx == NULL)
		return ENOMEM;
	tx->hsize = 16;
	tx->htab = talloc_zero_array(tx, struct tx_entry *, tx->hsize);
	if (tx->htab == NULL) {
		talloc_free(tx);
		return ENOMEM;
	}
	tx->st = st;
	tx->who = who;
	if (d != NULL)
		d->transactions++;
	st->ntx++;
	talloc_set_destructor(tx, tx_destroy);
	tx_charge(tx, TX_BASE_MEM);
	tx->losses = losses;
	tx->seq = ++st->tx_seq;
	if (losses >= STARVING_LOSSES)
		starving_add(tx);
	*out = tx;
	return 0;
}

static struct tx_entry *
entry_find(const struct store_tx *tx, const char *path)
{
	uint32_t h = path_hash(path);
	struct tx_entry *e = tx->htab[h & (tx->hsize - 1)];

	for (; e != NULL; e = e->hnext) {
		if (e->hash == h && strcmp(e->path, path) == 0)
			return e;
	}
	return NULL;
}

static void
entries_grow(struct store_tx *tx)
{
	struct tx_entry **nt, *e, *next;
	size_t nsize = tx->hsize * 2, i;

	nt = talloc_zero_array(tx, struct tx_entry *, nsize);
	if (nt == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < tx->hsize; i++) {
		for (e = tx->htab[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nt[e->hash & (nsize - 1)];
			nt[e->hash & (nsize - 1)] = e;
		}
	}
	talloc_free(tx->htab);
	tx->htab = nt;
	tx_charge(tx, (int64_t)((nsize - tx->hsize) * sizeof(*nt)));
	tx->hsize = nsize;
}

static unsigned int
depth_of(const char *path)
{
	unsigned int d = 0;

	if (strcmp(path, "/") == 0)
		return 0;
	for (; *path != '\0'; path++)
		d += *path == '/';
	return d;
}

/* Adds an empty entry for path, charging the transaction-nodes quota. */
static int
entry_new(struct store_tx *tx, const char *path, struct tx_entry **out)
{
	unsigned int q;
	struct tx_entry *e;

	q = domain_quota_for(tx->st, tx->who, STORE_QUOTA_TRANSACTION_NODES);
	if (q != 0 && tx->nentries + 1 > q) {
		tx->failed = true;
		return ENOSPC;
	}
	e = talloc_zero(tx, struct tx_entry);
	if (e == NULL)
		return ENOMEM;
	e->path = talloc_strdup(e, path);
	if (e->path == NULL) {
		talloc_free(e);
		return ENOMEM;
	}
	tx_charge(tx, (int64_t)(sizeof(*e) + strlen(path) + 1));
	e->hash = path_hash(path);
	e->depth = depth_of(path);
	e->seq = (unsigned int)tx->nentries;
	e->hnext = tx->htab[e->hash & (tx->hsize - 1)];
	tx->htab[e->hash & (tx->hsize - 1)] = e;
	if (tx->last != NULL)
		tx->last->next = e;
	else
		tx->first = e;
	tx->last = e;
	tx->nentries++;
	if (tx->nentries > tx->hsize)
		entries_grow(tx);
	*out = e;
	return 0;
}

static struct tx_entry *
entry_find_len(const struct store_tx *tx, const char *path, size_t len,
    uint32_t h)
{
	struct tx_entry *e = tx->htab[h & (tx->hsize - 1)];

	for (; e != NULL; e = e->hnext) {
		if (e->hash == h && strncmp(e->path, path, len) == 0 &&
		    e->path[len] == '\0')
			return e;
	}
	return NULL;
}

static bool
hides(const struct tx_entry *e)
{
	return e != NULL && (e->fresh || (e->removed && !e->exists));
}

/*
 * True if an ancestor of path was removed or re-created in this
 * transaction, so the live tree below it is hidden. One forward scan: the
 * FNV hash of every proper prefix falls out of hashing the path once, so
 * this is O(path length), not O(depth x length).
 */
static bool
hidden_by_ancestor(const struct store_tx *tx, const char *path)
{
	uint32_t h = 2166136261u;
	size_t i;

	if (tx->nhiding == 0)
		return false;
	if (hides(entry_find(tx, "/")) && strcmp(path, "/") != 0)
		return true;
	for (i = 0; path[i] != '\0'; i++) {
		if (path[i] == '/' && i > 0 &&
		    hides(entry_find_len(tx, path, i, h)))
			return true;
		h ^= (unsigned char)path[i];
		h *= 16777619u;
	}
	return false;
}

/* Sets an entry's view to a copy of the live node (or absent). */
static int
entry_snapshot(struct store_tx *tx, struct tx_entry *e, const struct node *n)
{
	e->has_read = true;
	e->exists = n != NULL;
	if (n == NULL)
		return 0;
	e->read_gen = n->gen;
	if (n->vallen > 0) {
		e->value = talloc_memdup(e, n->value, n->vallen);
		if (e->value == NULL)
			return ENOMEM;
	}
	e->vallen = n->vallen;
	e->perms = talloc_memdup(e, n->perms, n->nperms * sizeof(*n->perms));
	if (e->perms == NULL)
		return ENOMEM;
	e->nperms = n->nperms;
	e->pgen = n->pgen;
	tx_charge(tx, (int64_t)(e->vallen + e->nperms * sizeof(*e->perms)));
	return 0;
}

/*
 * The transaction's view of path: its entry, made on first access (from the
 * live tree, or absent when an ancestor hides it). An error marks the
 * transaction failed.
 */
static int
view_get(struct store_tx *tx, const char *path, struct tx_entry **out)
{
	struct tx_entry *e = entry_find(tx, path);
	int err;

	if (e != NULL) {
		*out = e;
		return 0;
	}
	err = entry_new(tx, path, &e);
	if (err != 0)
		goto fail;
	if (!hidden_by_ancestor(tx, path)) {
		err = entry_snapshot(tx, e, tree_lookup(tx->st, path));
		if (err != 0)
			goto fail;
	}
	*out = e;
	return 0;
fail:
	tx->failed = true;
	return err;
}

static bool
entry_allows(const struct store_tx *tx, const struct tx_entry *e,
    unsigned int need)
{
	return perm_allows(tx->st, tx->who, e->perms, e->nperms, e->pgen,
	    need);
}

/* Parent path of a canonical path other than "/", into buf. */
static void
parent_of(const char *path, char *buf)
{
	const char *slash = strrchr(path, '/');

	if (slash == path) {
		strcpy(buf, "/");
		return;
	}
	memcpy(buf, path, (size_t)(slash - path));
	buf[slash - path] = '\0';
}

/*
 * Finds the nearest existing ancestor of a missing path in the view.
 * *e gets its entry; the number of missing components goes to *missing.
 */
static int
view_nearest(struct store_tx *tx, const char *path, struct tx_entry **out,
    unsigned int *missing)
{
	char buf[XS_PATH_SCRATCH];
	struct tx_entry *e;
	unsigned int k = 1;
	int err;

	if (strlen(path) >= sizeof(buf))
		return EINVAL;
	parent_of(path, buf);
	for (;;) {
		err = view_get(tx, buf, &e);
		if (err != 0)
			return err;
		if (e->exists)
			break;
		k++;
		parent_of(e->path, buf);
	}
	*out = e;
	*missing = k;
	return 0;
}

/* The error for a node missing from the view: ENOENT or, hiding it, EACCES. */
static int
view_missing_error(struct store_tx *tx, const char *path, unsigned int need)
{
	struct tx_entry *a;
	unsigned int k;
	int err;

	if (strcmp(path, "/") == 0)
		return ENOENT;
	err = view_nearest(tx, path, &a, &k);
	if (err != 0)
		return err;
	return entry_allows(tx, a, need) ? ENOENT : EACCES;
}

/* Looks up path in the view and checks `need` on it. */
static int
view_checked(struct store_tx *tx, const char *path, unsigned int need,
    struct tx_entry **out)
{
	struct tx_entry *e;
	int err;

	err = view_get(tx, path, &e);
	if (err != 0)
		return err;
	if (!e->exists)
		return view_missing_error(tx, path, need);
	if (!entry_allows(tx, e, need))
		return EACCES;
	*out = e;
	return 0;
}

int
tx_read(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, char **val, size_t *len)
{
	struct tx_entry *e;
	int err;

	(void)st;
	err = view_checked(tx, path, STORE_PERM_READ, &e);
	if (err != 0)
		return err;
	*val = talloc_memdup(ctx, e->vallen > 0 ? e->value : "",
	    e->vallen > 0 ? e->vallen : 1);
	if (*val == NULL)
		return ENOMEM;
	*len = e->vallen;
	return 0;
}

static size_t
entry_size(const struct tx_entry *e)
{
	return 16 + 8 * (size_t)e->nperms + e->vallen;
}

/* Replaces an entry's value; nothing changes on ENOMEM. */
static int
entry_set_value(struct store_tx *tx, struct tx_entry *e, const void *val,
    size_t len)
{
	char *nv = NULL;

	if (len > 0) {
		nv = talloc_memdup(e, val, len);
		if (nv == NULL)
			return ENOMEM;
	}
	talloc_free(e->value);
	e->value = nv;
	tx_charge(tx, (int64_t)len - (int64_t)e->vallen);
	e->vallen = len;
	e->val_set = true;
	return 0;
}

int
tx_write(struct store *st, struct store_tx *tx, const char *path,
    const void *val, size_t len, bool is_mkdir)
{
	struct tx_entry *e, *a, *c;
	struct store_perm *perms;
	char buf[XS_PATH_SCRATCH];
	unsigned int k, j;
	size_t i;
	int err;

	if (strlen(path) >= sizeof(buf))
		return EINVAL;
	err = view_get(tx, path, &e);
	if (err != 0)
		return err;
	if (e->exists) {
		if (!entry_allows(tx, e, STORE_PERM_WRITE))
			return EACCES;
		if (is_mkdir)
			return 0;
		if (domain_check_node_size(st, tx->who,
		    entry_size(e) - e->vallen + len) != 0)
			return ENOSPC;
		if (len > e->vallen &&
		    domain_check_mem(st, tx->who, len - e->vallen) != 0)
			return ENOMEM;
		err = entry_set_value(tx, e, val, len);
		if (err == 0)
			e->fire = true;
		return err;
	}
	err = view_nearest(tx, path, &a, &k);
	if (err != 0)
		return err;
	if (!entry_allows(tx, a, STORE_PERM_WRITE))
		return EACCES;
	err = domain_check_nodes(st, tx->who, tx->created + k);
	if (err != 0)
		return err;
	/* The new nodes below a: path past a's own path and its '/'. */
	if (domain_check_chain_size(st, tx->who, path +
	    (strcmp(a->path, "/") == 0 ? 1 : strlen(a->path) + 1), a->nperms,
	    len) != 0)
		return ENOSPC;
	if (domain_check_mem(st, tx->who, len + k * (sizeof(struct tx_entry) +
	    strlen(path) + a->nperms * sizeof(*perms))) != 0)
		return ENOMEM;
	/* Make every missing entry first (view_nearest made them absent). */
	perms = talloc_memdup(tx, a->perms, a->nperms * sizeof(*perms));
	if (perms == NULL)
		return ENOMEM;
	if (!tx->who->priv)
		perms[0].domid = tx->who->domid;
	/*
	 * Components below a, from the top down to path itself: one forward
	 * scan of path, each prefix ending at a '/' (then path itself).
	 */
	i = strcmp(a->path, "/") == 0 ? 0 : strlen(a->path);
	for (j = 0; j < k; j++) {
		const char *end = strchr(path + i + 1, '/');
		size_t plen = end != NULL ? (size_t)(end - path) : strlen(path);
		bool leaf = end == NULL;

		memcpy(buf, path, plen);
		buf[plen] = '\0';
		i = plen;
		c = entry_find(tx, buf);
		if (c == NULL || c->exists) {
			/* view_nearest made it absent; this cannot happen. */
			talloc_free(perms);
			tx->failed = true;
			return EIO;
		}
		talloc_free(c->perms);
		tx_charge(tx, -(int64_t)(c->nperms * sizeof(*perms)));
		c->nperms = 0;
		c->perms = talloc_memdup(c, perms,
		    a->nperms * sizeof(*perms));
		if (c->perms != NULL)
			tx_charge(tx, (int64_t)(a->nperms * sizeof(*perms)));
		if (c->perms == NULL || entry_set_value(tx, c,
		    leaf ? val : NULL,
		    leaf ? len : 0) != 0) {
			talloc_free(perms);
			tx->failed = true;
			return ENOMEM;
		}
		c->nperms = a->nperms;
		c->pgen = a->pgen;
		c->exists = true;
		if (!c->fresh && !c->removed)
			tx->nhiding++;
		c->fresh = true;
		c->cseq = ++tx->cseq_next;
		c->perms_set = true;
		/* A change event already due (C: sticky) stays due. */
		c->fire = c->fire || leaf;
		tx->created++;
	}
	talloc_free(perms);
	return 0;
}

/* True if path lies strictly below the entry path top. */
static bool
below(const char *top, const char *path)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return path[0] == '/' && path[1] != '\0';
	return strncmp(top, path, n) == 0 && path[n] == '/';
}

int
tx_rm(struct store *st, struct store_tx *tx, const char *path)
{
	struct tx_entry *e, *c, *p;
	char buf[XS_PATH_SCRATCH];
	int err;

	(void)st;
	if (strlen(path) >= sizeof(buf))
		return EINVAL;
	err = view_get(tx, path, &e);
	if (err != 0)
		return err;
	if (!e->exists) {
		parent_of(path, buf);
		err = view_get(tx, buf, &p);
		if (err != 0)
			return err;
		if (p->exists)
			return 0;
		return view_missing_error(tx, path, STORE_PERM_WRITE);
	}
	if (!entry_allows(tx, e, STORE_PERM_WRITE))
		return EACCES;
	/* Descendants in the overlay keep their read set, lose their view. */
	for (c = tx->first; c != NULL; c = c->next) {
		if (!below(path, c->path))
			continue;
		if (c->fresh || c->removed)
			tx->nhiding--;
		/*
		 * A node that existed and was changed here still fires its
		 * and its ancestors' watches at commit, as in C, where a
		 * change event is not narrowed by a later removal.
		 */
		if (c->fire)
			c->fire_gone = true;
		c->exists = c->fresh = c->removed = false;
		c->val_set = c->perms_set = c->fire = false;
	}
	if (!e->fresh && !e->removed)
		tx->nhiding++;
	e->exists = false;
	e->fresh = false;
	e->removed = true;
	e->val_set = e->perms_set = false;
	e->fire = true;
	return 0;
}

/* True if path's parent is exactly dir. */
static bool
child_of(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		n = 0;
	else if (strncmp(dir, path, n) != 0)
		return false;
	return path[n] == '/' && path[n + 1] != '\0' &&
	    strchr(path + n + 1, '/') == NULL;
}

static int
by_cseq(const void *a, const void *b)
{
	const struct tx_entry *x = *(struct tx_entry *const *)a;
	const struct tx_entry *y = *(struct tx_entry *const *)b;

	return x->cseq < y->cseq ? -1 : x->cseq > y->cseq;
}

int
tx_directory(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, char **names, size_t *len, uint64_t *gen)
{
	struct tx_entry *e, *c, **fresh;
	struct node *n = NULL, *ch;
	char *buf, *cp;
	size_t cap, pos = 0, plen = strlen(path), nfresh = 0, i;
	int err;

	err = view_checked(tx, path, STORE_PERM_READ, &e);
	if (err != 0)
		return err;
	if (!e->fresh)
		n = tree_lookup(st, path);
	if (n != NULL && !e->dir_read) {
		e->dir_read = true;
		e->read_cgen = n->cgen;
	}
	cap = (n != NULL ? n->childlen : 0) + 1;
	for (c = tx->first; c != NULL; c = c->next) {
		if (c->fresh && c->exists && child_of(path, c->path)) {
			cap += strlen(c->path) - plen + 1;
			nfresh++;
		}
	}
	buf = talloc_size(ctx, cap);
	if (buf == NULL)
		return ENOMEM;
	cp = talloc_size(buf, plen + 2 + XS_PATH_SCRATCH);
	fresh = talloc_array(buf, struct tx_entry *, nfresh + 1);
	if (cp == NULL || fresh == NULL) {
		talloc_free(buf);
		return ENOMEM;
	}
	/* Live children not removed or re-created here, in order. */
	for (ch = n != NULL ? n->first_child : NULL; ch != NULL;
	    ch = ch->next) {
		snprintf(cp, plen + 2 + XS_PATH_SCRATCH, "%s/%s",
		    strcmp(path, "/") == 0 ? "" : path, ch->name);
		c = entry_find(tx, cp);
		if (c != NULL && (!c->exists || c->fresh))
			continue;
		memcpy(buf + pos, ch->name, ch->namelen + 1);
		pos += ch->namelen + 1;
	}
	talloc_free(cp);
	/*
	 * Then the children created here, in the order they were (last)
	 * created: C appends a created child to its transaction's copy of
	 * the parent, so a child read before it was made, or removed and
	 * made again, lists where its creation put it.
	 */
	i = 0;
	for (c = tx->first; c != NULL && i < nfresh; c = c->next) {
		if (c->fresh && c->exists && child_of(path, c->path))
			fresh[i++] = c;
	}
	nfresh = i;
	qsort(fresh, nfresh, sizeof(*fresh), by_cseq);
	for (i = 0; i < nfresh; i++) {
		const char *name = strrchr(fresh[i]->path, '/') + 1;
		size_t nl = strlen(name);

		memcpy(buf + pos, name, nl + 1);
		pos += nl + 1;
	}
	talloc_free(fresh);
	*names = buf;
	*len = pos;
	*gen = n != NULL ? e->read_cgen : 0;
	return 0;
}

int
tx_get_perms(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, struct store_perm **perms, unsigned int *n)
{
	struct tx_entry *e;
	int err;

	(void)st;
	err = view_checked(tx, path, STORE_PERM_READ, &e);
	if (err != 0)
		return err;
	*perms = talloc_memdup(ctx, e->perms, e->nperms * sizeof(**perms));
	if (*perms == NULL)
		return ENOMEM;
	*n = e->nperms;
	return 0;
}

int
tx_set_perms(struct store *st, struct store_tx *tx, const char *path,
    const struct store_perm *perms, unsigned int n)
{
	struct store_perm *np;
	struct tx_entry *e;
	int err;

	err = view_get(tx, path, &e);
	if (err != 0)
		return err;
	if (!e->exists)
		return view_missing_error(tx, path, STORE_PERM_WRITE);
	err = ops_check_set_perms(st, tx->who, e->perms, e->nperms, e->pgen,
	    entry_size(e) - 8 * (size_t)e->nperms, perms, n);
	if (err != 0)
		return err;
	if (n > e->nperms && domain_check_mem(st, tx->who,
	    (n - e->nperms) * sizeof(*perms)) != 0)
		return ENOMEM;
	np = talloc_memdup(e, perms, n * sizeof(*perms));
	if (np == NULL)
		return ENOMEM;
	talloc_free(e->perms);
	tx_charge(tx, ((int64_t)n - (int64_t)e->nperms) *
	    (int64_t)sizeof(*perms));
	e->perms = np;
	e->nperms = n;
	e->pgen = UINT64_MAX;
	e->perms_set = true;
	e->fire = true;
	return 0;
}

/* ---- commit ---- */

/* Would applying tx change something p read? */
static bool
conflicts_with(const struct store_tx *tx, const struct store_tx *p)
{
	const struct tx_entry *e, *pe;
	char buf[XS_PATH_SCRATCH];

	for (e = tx->first; e != NULL; e = e->next) {
		if (!e->val_set && !e->perms_set && !e->removed && !e->fresh)
			continue;
		pe = entry_find(p, e->path);
		if (pe != NULL && pe->has_read)
			return true;
		if ((e->fresh || e->removed) && strcmp(e->path, "/") != 0 &&
		    strlen(e->path) < sizeof(buf)) {
			parent_of(e->path, buf);
			pe = entry_find(p, buf);
			if (pe != NULL && pe->dir_read)
				return true;
		}
	}
	return false;
}

/*
 * Would tx's commit change what a transaction of higher priority read?
 * Charges the refusal to that transaction; one refused too often loses
 * its priority (an idle client must not block the others for ever).
 */
static bool
blocked_by_priority(struct store_tx *tx)
{
	struct store_tx *p, *next;

	for (p = tx->st->starving; p != NULL; p = next) {
		next = p->snext;
		if (p == tx || !outranks(p, tx) || !conflicts_with(tx, p))
			continue;
		if (++p->prio_blocks >= PRIO_MAX_BLOCKS)
			starving_remove(p);
		return true;
	}
	return false;
}

/* Has anything the transaction read changed since? (gen 0 = was absent) */
static bool
read_set_valid(const struct store_tx *tx)
{
	const struct tx_entry *e;
	const struct node *n;

	for (e = tx->first; e != NULL; e = e->next) {
		if (!e->has_read)
			continue;
		n = tree_lookup(tx->st, e->path);
		if (e->read_gen == 0) {
			if (n != NULL)
				return false;
		} else if (n == NULL || n->gen != e->read_gen) {
			return false;
		}
		if (e->dir_read && (n == NULL || n->cgen != e->read_cgen))
			return false;
	}
	return true;
}

static int
by_depth(const void *a, const void *b)
{
	const struct tx_entry *x = *(struct tx_entry *const *)a;
	const struct tx_entry *y = *(struct tx_entry *const *)b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	/* Created siblings are linked in creation order (see tx_directory). */
	if (x->cseq != y->cseq)
		return x->cseq < y->cseq ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool
entry_applies(const struct tx_entry *e)
{
	return e->fresh || e->removed || e->val_set || e->perms_set;
}

/* Releases what prepare() allocated (on failure). */
static void
unprepare(struct tx_entry **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tree_node_free(v[i]->newnode);
		free(v[i]->newval);
		free(v[i]->newperms);
		v[i]->newnode = NULL;
		v[i]->newval = NULL;
		v[i]->newperms = NULL;
	}
}

/* Allocates everything commit will link or swap in. */
static int
prepare(struct store *st, struct tx_entry **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct tx_entry *e = v[i];
		const char *name;

		if (e->fresh && e->exists) {
			name = strrchr(e->path, '/') + 1;
			if (tree_node_new(st, name, strlen(name), e->value,
			    e->vallen, e->perms, e->nperms, &e->newnode) != 0)
				goto nomem;
			/* 0: stamped with the commit's generation on link. */
			e->newnode->pgen = e->pgen == UINT64_MAX ? 0 : e->pgen;
			continue;
		}
		if (!e->exists)
			continue;
		if (e->val_set && e->vallen > 0) {
			e->newval = malloc(e->vallen);
			if (e->newval == NULL)
				goto nomem;
			memcpy(e->newval, e->value, e->vallen);
		}
		if (e->perms_set) {
			e->newperms = malloc(e->nperms * sizeof(*e->perms));
			if (e->newperms == NULL)
				goto nomem;
			memcpy(e->newperms, e->perms,
			    e->nperms * sizeof(*e->perms));
		}
	}
	return 0;
nomem:
	unprepare(v, n);
	return ENOMEM;
}

/* Applies one prepared entry. Cannot fail. */
static void
apply(struct store *st, struct tx_entry *e)
{
	char buf[XS_PATH_SCRATCH];
	struct node *n = tree_lookup(st, e->path), *p;
	struct store_perm *old;
	unsigned int nold;
	uint64_t oldpgen;
	struct fire_perms fp;

	if (e->removed || e->fresh) {
		if (n != NULL)
			tree_remove(st, n, e->path);
		else if (e->fire && !e->exists)
			e->fire_gone = true;	/* went with an ancestor */
		if (!e->exists)
			return;
		parent_of(e->path, buf);
		p = tree_lookup(st, buf);
		if (p == NULL) {
			/* Cannot happen: validated and applied by depth. */
			tree_node_free(e->newnode);
			e->newnode = NULL;
			return;
		}
		tree_link(st, p, e->newnode);
		n = e->newnode;
		e->newnode = NULL;
		if (e->fire)
			tree_fire(st, e->path, WATCH_MATCH_TREE, n, p);
		return;
	}
	if (n == NULL || !e->exists)
		return;
	old = n->perms;
	nold = n->nperms;
	oldpgen = n->pgen;
	domain_charge_node(st, n, -1);
	if (e->val_set) {
		tree_take_value(n, e->newval,
		    e->newval != NULL ? e->vallen : 0);
		e->newval = NULL;
		n->gen = ++st->gen;
	}
	if (e->perms_set) {
		/* The old list stays valid for the events below. */
		n->perms = e->newperms;
		n->nperms = (uint16_t)e->nperms;
		e->newperms = NULL;
		n->gen = ++st->gen;
		n->pgen = e->pgen == UINT64_MAX ? n->gen : e->pgen;
	}
	domain_charge_node(st, n, 1);
	if (e->fire) {
		memset(&fp, 0, sizeof(fp));
		fp.perms = n->perms;
		fp.nperms = n->nperms;
		fp.pgen = n->pgen;
		if (n->perms != old) {
			fp.old_perms = old;
			fp.nold = nold;
			fp.old_pgen = oldpgen;
		}
		if (n->parent != NULL) {
			fp.pperms = n->parent->perms;
			fp.npperms = n->parent->nperms;
			fp.ppgen = n->parent->pgen;
		}
		watches_fire(st, e->path, WATCH_MATCH_TREE, &fp);
	}
	if (n->perms != old)
		tree_free_perms(n, old);
}

/*
 * After the commit: nodes changed in the transaction and then removed with
 * an ancestor (and that existed when first touched, or exist again) fire
 * for their path (watches on it and its ancestors), as C
 * fires every node its transaction changed; the removal itself gave them
 * only their own exact watches. Filtered by the permissions the
 * transaction saw. A node that exists again fires here too unless apply()
 * fired it (implicitly re-created parents fire nothing there).
 */
static void
fire_gone(struct store *st, const struct store_tx *tx)
{
	const struct tx_entry *e;
	struct fire_perms fp;

	for (e = tx->first; e != NULL; e = e->next) {
		if (!e->fire_gone || (e->fire && e->exists))
			continue;
		/*
		 * As C: fired if it existed when first touched (C reads
		 * every node it removes, so: before the commit), or now.
		 */
		if (!e->live_before && tree_lookup(st, e->path) == NULL)
			continue;
		memset(&fp, 0, sizeof(fp));
		fp.perms = e->perms;
		fp.nperms = e->perms != NULL ? e->nperms : 0;
		fp.pgen = e->pgen;
		watches_fire(st, e->path, WATCH_MATCH_TREE, &fp);
	}
}

int
store_tx_commit(struct store *st, struct store_tx *tx)
{
	struct tx_entry **v, *e;
	size_t n = 0, i;
	int err;

	if (tx->failed)
		return ENOMEM;
	if (blocked_by_priority(tx))
		return EAGAIN;
	if (!read_set_valid(tx))
		return EAGAIN;
	if (domain_check_nodes(st, tx->who, tx->created) != 0)
		return ENOSPC;
	v = talloc_array(NULL, struct tx_entry *, tx->nentries + 1);
	if (v == NULL)
		return ENOMEM;
	for (e = tx->first; e != NULL; e = e->next) {
		if (entry_applies(e))
			v[n++] = e;
	}
	qsort(v, n, sizeof(*v), by_depth);
	err = prepare(st, v, n);
	if (err != 0) {
		talloc_free(v);
		return err;
	}
	for (e = tx->first; e != NULL; e = e->next) {
		if (e->fire || e->fire_gone)
			e->live_before = tree_lookup(st, e->path) != NULL;
	}
	for (i = 0; i < n; i++)
		apply(st, v[i]);
	talloc_free(v);
	fire_gone(st, tx);
	return 0;
}

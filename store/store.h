/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore tree: nodes, permissions, generations, transactions, the
 * watch index and per-domain accounting. No I/O; knows nothing of sockets,
 * rings or connections. All paths given to the store are canonical
 * (protocol/path.h): absolute, or special ("@introduceDomain"...).
 *
 * Errors are positive errno values returned by each call (0 = success):
 *   ENOENT no such node (or parent), EACCES permission denied, EINVAL bad
 *   argument, ENOSPC quota exceeded, ENOMEM allocation failure, EAGAIN
 *   transaction conflict, EEXIST duplicate watch, EPERM owner change by an
 *   unprivileged caller.
 * A failed call changes nothing (no half-written node, no drifted count).
 *
 * Memory: objects returned through out-parameters are talloc'ed under the
 * ctx the caller passes. Transactions and watches are talloc objects too:
 * talloc_free() aborts a transaction / removes a watch from every index.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

struct store;
struct store_tx;
struct store_watch;

#define STORE_DOMID_NONE	0xFFFFFFFFu	/* "no target" */
#define STORE_DOMID_ANY		0x7FF5u		/* DOMID_ANY: every domain */

/* Permission bits of one entry. */
#define STORE_PERM_NONE		0x0
#define STORE_PERM_READ		0x1
#define STORE_PERM_WRITE	0x2
#define STORE_PERM_BOTH		(STORE_PERM_READ | STORE_PERM_WRITE)

/*
 * One permission entry. The first entry of a list names the owner, and its
 * bits are the default for every domain not listed; later entries grant
 * their bits to their domid.
 */
struct store_perm {
	unsigned int domid;
	unsigned int bits;	/* STORE_PERM_* */
};

/* Who asks. Privileged callers bypass permission checks and quotas. */
struct store_caller {
	unsigned int domid;
	unsigned int target;	/* SET_TARGET target, or STORE_DOMID_NONE */
	bool priv;
};

/* Quotas, in the order and with the names of the C daemon's GET_QUOTA. */
enum store_quota {
	STORE_QUOTA_NODES,
	STORE_QUOTA_WATCHES,
	STORE_QUOTA_OUTSTANDING,
	STORE_QUOTA_MEMORY,
	STORE_QUOTA_SOFT_MEMORY,
	STORE_QUOTA_TRANSACTIONS,
	STORE_QUOTA_TRANSACTION_NODES,
	STORE_QUOTA_NODE_PERMISSIONS,
	STORE_QUOTA_PATH_MAX,
	STORE_QUOTA_NODE_SIZE,
	STORE_QUOTA_COUNT
};

/*
 * Called for each watch event the store decides to deliver: the watch's
 * owner (as given to store_watch_add), the event path as the watcher sees it
 * (relative if it registered relative), and its token. The callback must not
 * call back into the store.
 */
typedef void store_event_fn(void *owner, const char *path, const char *token,
    void *arg);

/*
 * Does a domain exist (created, perhaps not yet introduced)? The store asks
 * when a permission list names a domain it does not know; a domain that
 * exists is then made known (store_domain_add).
 */
typedef bool store_domain_exists_fn(unsigned int domid, void *arg);

/* ---- store.c: the store as a whole ---- */

/*
 * Creates a store with the initial tree: "/" (owner 0, n0), "/tool",
 * "/tool/xenstored", and the special nodes "@introduceDomain" and
 * "@releaseDomain" (owner 0, n0), which are not children of "/". Domain 0 is
 * known from the start. event_fn receives watch events.
 * Errors: ENOMEM.
 */
int store_create(TALLOC_CTX *ctx, store_event_fn *event_fn, void *event_arg,
    struct store **out);

/* Counts for reports and tests. */
struct store_stats {
	uint64_t nodes;		/* nodes in the live tree, "/" included */
	uint64_t generation;	/* the global generation counter */
	uint64_t watches;
	uint64_t transactions;	/* open transactions */
};
void store_get_stats(const struct store *st, struct store_stats *out);

/*
 * Walks the whole tree (iteratively) and checks its invariants and the
 * per-domain accounting. Returns 0 if consistent, else EIO with a short
 * description in *report (talloc'ed under ctx; may be NULL on ENOMEM).
 */
int store_check(struct store *st, TALLOC_CTX *ctx, char **report);

/*
 * Frees up to `budget` nodes removed earlier (removal unlinks and gives
 * back the accounting at once, but leaves the freeing to this); returns
 * how many still wait. The daemon calls it once per loop turn.
 */
size_t store_collect(struct store *st, size_t budget);

/* ---- node operations (tx may be NULL: outside any transaction) ---- */

/* Reads a node's value (bytes, no NUL added). Errors: ENOENT, EACCES. */
int store_read(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    char **val, size_t *len);

/*
 * Writes a node, creating it and any missing parents. A created node copies
 * its parent's permissions; an unprivileged creator becomes its owner.
 * Fires watches on the node (not on implicitly created parents).
 * Errors: EACCES, ENOSPC (nodes, node-size), EINVAL (special path), ENOMEM.
 */
int store_write(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, const void *val,
    size_t len);

/* Creates a node (and parents) if missing; an existing node is fine and
 * fires nothing. Errors as store_write. */
int store_mkdir(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path);

/*
 * Removes a node and its whole subtree (iteratively). A missing node is OK if
 * its parent exists, else ENOENT. "/" is EINVAL. Fires, deepest first, the
 * exact watches of each removed descendant, then the node's own watches and
 * those of its ancestors. Errors: ENOENT, EACCES, EINVAL, ENOMEM.
 */
int store_rm(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path);

/*
 * Lists a node's children: names each followed by a NUL, in insertion
 * order (empty list: *len 0). *gen is a generation that changes whenever the
 * child list changes (for DIRECTORY_PART). Errors: ENOENT, EACCES.
 */
int store_directory(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    char **names, size_t *len, uint64_t *gen);

/* A node's permission list (also special nodes). Errors: ENOENT, EACCES. */
int store_get_perms(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path, TALLOC_CTX *ctx,
    struct store_perm **perms, unsigned int *n);

/*
 * For live update: which entries of a node's permission list (also a
 * special node's) the store ignores, because their domain is unknown or
 * became known only after the list was set (XSA-322). stale[i] (n of
 * them, talloc'ed under ctx) matches entry i of store_get_perms(); the
 * owner entry is never stale. Errors: ENOENT, ENOMEM.
 */
int store_perms_stale(struct store *st, const char *path, TALLOC_CTX *ctx,
    bool **stale, unsigned int *n);

/*
 * Replaces a node's permission list (also special nodes). Needs write
 * access and ownership, or privilege. An unprivileged caller may not change
 * the owner (EPERM) nor set node-permissions or more entries (ENOSPC).
 * Fires watches on the node. Errors: ENOENT, EACCES, EPERM, ENOSPC, EINVAL.
 */
int store_set_perms(struct store *st, struct store_tx *tx,
    const struct store_caller *who, const char *path,
    const struct store_perm *perms, unsigned int n);

/* ---- perms.c: the textual form of permissions ---- */

/*
 * Parses permission strings ("r5", "b0", "n0x10") as the C daemon does:
 * letter n/r/w/b, then a domid read with strtol base 0. At least one entry.
 * Result talloc'ed under ctx. Errors: EINVAL, ENOMEM.
 */
int store_perms_parse(TALLOC_CTX *ctx, const char *const *strs,
    unsigned int n, struct store_perm **perms);

/*
 * SET_PERMS's first check after parsing, before the path is looked at
 * (the C daemon's order): an owner (first entry) naming a domain that
 * does not exist is ENOENT. Domains that exist but are not known yet
 * become known. Errors: ENOENT, ENOMEM.
 */
int store_perms_check_owner(struct store *st,
    const struct store_perm *perms);

/*
 * Formats a permission list as the GET_PERMS payload: each entry as
 * letter + signed decimal domid + NUL. Errors: ENOMEM.
 */
int store_perms_format(TALLOC_CTX *ctx, const struct store_perm *perms,
    unsigned int n, char **out, size_t *len);

/*
 * The bits (STORE_PERM_*) that `who` has on a node with this permission
 * list, by the C daemon's rule: privileged or owner (or target of the
 * owner) = all; else the first later entry matching the caller's domid, its
 * target or DOMID_ANY; else the owner entry's bits. known(domid, arg) tells
 * whether an entry's domain may be honoured (stale domids are ignored);
 * NULL = every entry honoured.
 */
unsigned int store_perms_for(const struct store_caller *who,
    const struct store_perm *perms, unsigned int n,
    bool (*known)(unsigned int domid, void *arg), void *arg);

/* ---- tx.c: transactions ---- */

/*
 * Opens a transaction for `who`, talloc'ed under ctx. losses = how many
 * commits this client has lost in a row: a client that keeps losing gets
 * priority, so it cannot starve. Errors: ENOSPC (transactions quota),
 * ENOMEM.
 */
int store_tx_start(struct store *st, const struct store_caller *who,
    unsigned int losses, TALLOC_CTX *ctx, struct store_tx **out);

/*
 * Commits: 0 and every change applied (and its watches fired) at once, or
 * nothing applied: EAGAIN (something it read or wrote changed, or a
 * starving transaction has priority), ENOSPC (quota at commit), ENOMEM
 * (including a transaction marked failed by an earlier error inside it).
 * The caller frees tx afterwards in every case.
 */
int store_tx_commit(struct store *st, struct store_tx *tx);

/*
 * Is a privileged client's starving transaction open (one that got
 * priority after losing commits in a row)? While it is, the daemon holds
 * back unprivileged guests' requests, so that a guest writing without
 * pause cannot starve the toolstack for ever (XSA-206).
 */
bool store_priority_waiting(const struct store *st);

/* Ends the priority of the starving transactions. */
void store_priority_drop(struct store *st);

/*
 * Would an open prioritised transaction outrank a new transaction of a
 * client that lost `losses` commits in a row (and so make it fail if
 * they touch the same nodes)? The daemon lets such a client's
 * TRANSACTION_START wait its turn instead of running a doomed
 * transaction.
 */
bool store_priority_outranks(const struct store *st, unsigned int losses);

/* ---- watches ---- */

/*
 * Adds a watch for `owner` on a canonical path (special paths allowed) with
 * token; `strip` leading bytes are removed from event paths (relative
 * registration). depth < 0: no limit; else only changes at most `depth`
 * levels below path fire it. who must stay valid as long as the watch (it
 * filters events by read permission). The watch is talloc'ed under ctx.
 * Errors: EEXIST (owner already has path+token), ENOSPC (watches quota),
 * ENOMEM. Does not queue the initial event: the caller does.
 */
int store_watch_add(struct store *st, const struct store_caller *who,
    void *owner, const char *path, size_t strip, const char *token,
    int depth, TALLOC_CTX *ctx, struct store_watch **out);

/*
 * Calls fn for every watch: its owner, canonical path, strip, token and
 * depth (< 0: unlimited), for live update. fn must not add or remove
 * watches. O(watches).
 */
typedef void store_watch_visit_fn(void *owner, const char *path,
    size_t strip, const char *token, int depth, void *arg);
void store_watch_each(struct store *st, store_watch_visit_fn *fn, void *arg);

/* Finds owner's watch on path+token (as added), or NULL. */
struct store_watch *store_watch_find(struct store *st, void *owner,
    const char *path, const char *token);

/* ---- domains, accounting, quotas (domain.c) ---- */

/* Makes a domain known (its permission entries are honoured from now on;
 * it gets accounting and the default quotas). Errors: EEXIST, ENOMEM. */
int store_domain_add(struct store *st, unsigned int domid);

/* True if the domain is known. */
bool store_domain_known(const struct store *st, unsigned int domid);

/* The smallest known domid >= from, or STORE_DOMID_NONE. O(65536). */
unsigned int store_domain_next(const struct store *st, unsigned int from);

/* Sets the existence oracle (NULL: only domains made known exist). */
void store_set_domain_oracle(struct store *st, store_domain_exists_fn *fn,
    void *arg);

/*
 * Forgets a dead domain: deletes every node it owns with its subtree
 * (firing their watches), or with keep_orphans gives them to domain 0;
 * removes its entries from every permission list, special nodes included;
 * drops its accounting (its watches and transactions must be gone already).
 * A domain with the same id made known later starts afresh, and entries
 * written before it was known stay ignored (XSA-322). O(tree size),
 * iterative. Domain 0 cannot be removed. Errors: ENOENT, EINVAL.
 */
int store_domain_remove(struct store *st, unsigned int domid,
    bool keep_orphans);

/*
 * Fires the watches of a special path: "@introduceDomain" or
 * "@releaseDomain" (plain watches on it), or "@releaseDomain/<domid>"
 * (watches on that path, and watches on the bare path with a depth),
 * filtered by read permission on the special node. Errors: ENOENT (no
 * such special node).
 */
int store_fire_special(struct store *st, const char *path);

/* The name of a quota ("nodes"), or NULL if out of range. */
const char *store_quota_name(enum store_quota q);

/* Looks a quota up by name. Errors: EINVAL (unknown name). */
int store_quota_lookup(const char *name, enum store_quota *q);

/* Global default of a quota (applies to domains made known later). */
unsigned int store_quota_get(const struct store *st, enum store_quota q);
void store_quota_set(struct store *st, enum store_quota q, unsigned int v);

/* A known domain's own quota value. Errors: ENOENT (unknown domain). */
int store_domain_quota_get(const struct store *st, unsigned int domid,
    enum store_quota q, unsigned int *v);
int store_domain_quota_set(struct store *st, unsigned int domid,
    enum store_quota q, unsigned int v);

/* A known domain's current usage of a counted quota (nodes, watches,
 * transactions, memory and soft-memory: bytes, capped at UINT_MAX).
 * Errors: ENOENT, EINVAL (a quota the store does not count: outstanding,
 * the limits). */
int store_domain_usage(const struct store *st, unsigned int domid,
    enum store_quota q, unsigned int *v);

/*
 * Charges a known domain for bytes the daemon holds for it outside the
 * store (queued replies and events); a negative delta gives them back.
 * Unknown domain: nothing. The count never goes below 0.
 */
void store_domain_charge(struct store *st, unsigned int domid,
    int64_t delta);

/*
 * Would `add` more bytes take who's domain past its hard memory quota?
 * Always false for privileged callers and a quota of 0.
 */
bool store_domain_mem_over(const struct store *st,
    const struct store_caller *who, size_t add);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals shared by the files of libstore. Nothing outside store/ may
 * include this header.
 *
 * Nodes are plain malloc'ed structures, not talloc objects: a subtree is
 * freed by an explicit iterative walk (tree_free_subtree), never by a
 * recursive destructor chain, because the depth is guest-controlled.
 */
#ifndef STORE_INTERNAL_H
#define STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/watch_index.h"

/*
 * One node, in one allocation with its name and (up to the size it was
 * created with) its value; a single permission entry lives in perm0. Only
 * a value that outgrows its room, or a list of several entries, takes a
 * separate malloc. Readers use value and perms; only tree.c (and tx.c's
 * commit, through tree_take_value / tree_free_perms) changes them.
 * Widths: a component is under 4096 bytes, a list under 2048 entries (both
 * fit a 4096-byte payload); a value under 4 GiB.
 */
struct node {
	struct node	*parent;	/* NULL for "/" and special nodes */
	struct node	*first_child;	/* children in insertion order */
	struct node	*last_child;
	struct node	*prev;		/* siblings */
	struct node	*next;
	struct node	*hnext;		/* chain in the (parent, name) hash */
	char		*value;		/* NULL when vallen == 0; inline (after
					   name) or malloc'ed */
	struct store_perm *perms;	/* &perm0 or malloc'ed; nperms >= 1 */
	uint64_t	 gen;		/* changes with value or permissions */
	uint64_t	 cgen;		/* changes with the child list */
	uint64_t	 pgen;		/* when the permissions were set: entries
					   naming a domain known only later are
					   ignored (XSA-322) */
	struct store_perm perm0;	/* the list when it has one entry */
	uint32_t	 vallen;
	uint32_t	 valcap;	/* room for a value after name[] */
	uint32_t	 nchildren;
	uint32_t	 childlen;	/* bytes of the packed child list */
	uint32_t	 hash;		/* hash of (parent, name) */
	uint16_t	 nperms;
	uint16_t	 namelen;
	char		 name[];	/* NUL-terminated component, then the
					   inline value's room */
};

/* Per-domain accounting and quotas. */
struct domain_acct {
	unsigned int	domid;
	unsigned int	quota[STORE_QUOTA_COUNT];
	unsigned int	nodes;
	unsigned int	watches;
	unsigned int	transactions;
	uint64_t	known_gen;	/* generation when it became known */
	uint64_t	mem_nodes;	/* bytes of the nodes it owns */
	uint64_t	mem_other;	/* watches, transactions, and what the
					   daemon holds for it (queued output) */
};

#define STORE_NSPECIAL	2
#define STORE_MAX_DOMID	65535

/* Scratch for a canonical path: every path fits in one 4096-byte payload. */
#define XS_PATH_SCRATCH	4200

struct store {
	struct node	*root;
	struct node	*special[STORE_NSPECIAL];
	struct node	**htab;		/* (parent, name) -> node */
	size_t		 hsize;		/* power of two */
	size_t		 nnodes;	/* live tree nodes, root included */
	uint64_t	 gen;		/* global generation counter */
	struct watch_index *watches;
	store_event_fn	*event_fn;
	void		*event_arg;
	unsigned int	 quota[STORE_QUOTA_COUNT];	/* defaults */
	struct domain_acct **domains;	/* indexed by domid, NULL = unknown */
	size_t		 ntx;		/* open transactions */
	uint64_t	 tx_seq;	/* transaction sequence numbers */
	struct store_tx	*starving;	/* transactions with priority (tx.c) */
	struct node	*garbage;	/* removed, not yet freed (via next) */
	size_t		 ngarbage;
	unsigned int	 nstarving_priv; /* of them, privileged clients' */
	char		*pathbuf;	/* scratch for paths during walks */
	store_domain_exists_fn *exists_fn;
	void		*exists_arg;
	size_t		 pathcap;
};

/* ---- tree.c ---- */
struct node *tree_lookup(struct store *st, const char *path);
struct node *tree_child(struct store *st, const struct node *parent,
    const char *name, size_t namelen);
int tree_node_new(struct store *st, const char *name, size_t namelen,
    const void *val, size_t vallen, const struct store_perm *perms,
    unsigned int nperms, struct node **out);
void tree_node_free(struct node *n);
void tree_link(struct store *st, struct node *parent, struct node *child);
int tree_set_value(struct store *st, struct node *n, const void *val,
    size_t vallen);
int tree_set_perms(struct store *st, struct node *n,
    const struct store_perm *perms, unsigned int nperms);
void tree_take_value(struct node *n, char *val, size_t vallen);
void tree_free_perms(const struct node *n, struct store_perm *perms);
void tree_remove(struct store *st, struct node *n, const char *path);
size_t tree_node_size(const struct node *n);
void tree_fire(struct store *st, const char *path, enum watch_match m,
    const struct node *n, const struct node *p);
int tree_path_of(struct store *st, const struct node *n, size_t *len);
char *tree_path_of_talloc(TALLOC_CTX *ctx, const struct node *n);

/* ---- domain.c ---- */
void domain_init_quotas(struct store *st);
struct domain_acct *domain_get(const struct store *st, unsigned int domid);
bool tree_node_counted(const struct store *st, const struct node *n);
size_t tree_node_mem(const struct node *n);
void domain_charge_node(struct store *st, const struct node *n, int sign);
int domain_check_mem(const struct store *st, const struct store_caller *who,
    size_t add);
struct perm_ctx {
	const struct store	*st;
	uint64_t		 pgen;
};
bool domain_perm_known(unsigned int domid, void *arg);
int domain_learn(struct store *st, unsigned int domid);
int domain_check_nodes(const struct store *st,
    const struct store_caller *who, unsigned int add);
int domain_check_node_size(const struct store *st,
    const struct store_caller *who, size_t size);
int domain_check_chain_size(const struct store *st,
    const struct store_caller *who, const char *rest, unsigned int nperms,
    size_t vallen);
unsigned int domain_quota_for(const struct store *st,
    const struct store_caller *who, enum store_quota q);

/* ---- perms (perms.c) helpers used internally ---- */
bool perm_allows(const struct store *st, const struct store_caller *who,
    const struct store_perm *perms, unsigned int n, uint64_t pgen,
    unsigned int need);

/* ---- watches.c ---- */
struct fire_perms {
	const struct store_perm *perms;		/* the node's */
	unsigned int		 nperms;
	uint64_t		 pgen;
	const struct store_perm *old_perms;	/* before SET_PERMS, or NULL */
	unsigned int		 nold;
	uint64_t		 old_pgen;
	const struct store_perm *pperms;	/* the parent's, or NULL */
	unsigned int		 npperms;
	uint64_t		 ppgen;
};
void watches_fire(struct store *st, const char *path, enum watch_match m,
    const struct fire_perms *fp);

/* ---- ops.c: live operations shared with tx.c's commit ---- */
int ops_create_path(struct store *st, const struct store_caller *who,
    const char *path, const void *val, size_t vallen, struct node **out,
    bool *created);
int ops_check_set_perms(struct store *st, const struct store_caller *who,
    const struct store_perm *oldp, unsigned int nold, uint64_t oldpgen,
    size_t othersize, const struct store_perm *perms, unsigned int n);

/* ---- tx.c ---- */
int tx_read(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, char **val, size_t *len);
int tx_write(struct store *st, struct store_tx *tx, const char *path,
    const void *val, size_t len, bool is_mkdir);
int tx_rm(struct store *st, struct store_tx *tx, const char *path);
int tx_directory(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, char **names, size_t *len, uint64_t *gen);
int tx_get_perms(struct store *st, struct store_tx *tx, const char *path,
    TALLOC_CTX *ctx, struct store_perm **perms, unsigned int *n);
int tx_set_perms(struct store *st, struct store_tx *tx, const char *path,
    const struct store_perm *perms, unsigned int n);
const struct store_caller *tx_caller(const struct store_tx *tx);

#endif

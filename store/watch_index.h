/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The watch index (internal to libstore): watches keyed by canonical path so
 * that a change at P costs O(depth(P) + matches), never O(all watches).
 * No I/O, no knowledge of the tree: the caller supplies the permission filter
 * and the delivery callback.
 */
#ifndef STORE_WATCH_INDEX_H
#define STORE_WATCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

#include "store/store.h"

struct watch_index;

/* How a change matches watches. */
enum watch_match {
	/*
	 * A change at an absolute path P: every watch on P or on an ancestor
	 * of P ("/" included) whose depth allows it (depth < 0: any level;
	 * else depth(P) - depth(watch path) <= depth).
	 * For a special path "@x/N": watches on "@x/N" itself, and watches on
	 * "@x" registered with an explicit depth >= 1.
	 * For a bare special path "@x": only watches on "@x" registered
	 * without depth (depth < 0).
	 */
	WATCH_MATCH_TREE,
	/* Only watches exactly on P (descendants removed by RM). */
	WATCH_MATCH_EXACT,
};

/* Per-watch filter: deliver to this watcher? (read permission) */
typedef bool watch_filter_fn(const struct store_caller *who, void *arg);

/* Creates an empty index under ctx. Errors: ENOMEM. */
int watch_index_create(TALLOC_CTX *ctx, struct watch_index **out);

/*
 * Adds a watch, talloc'ed under ctx; talloc_free() of the returned watch
 * unlinks it from the index (a destructor). Strings are copied. The caller
 * checks duplicates first (watch_index_find). Errors: EINVAL (empty
 * path: it has no prefixes to index), ENOMEM.
 */
int watch_index_add(struct watch_index *wi, TALLOC_CTX *ctx,
    const char *path, size_t strip, const char *token, int depth,
    void *owner, const struct store_caller *who, struct store_watch **out);

/* The watch of `owner` on exactly path+token, or NULL. O(watches on path). */
struct store_watch *watch_index_find(struct watch_index *wi, void *owner,
    const char *path, const char *token);

/* Number of watches in the index. */
size_t watch_index_count(const struct watch_index *wi);

/* Calls fn for every watch attached (see store_watch_each). */
void watch_index_each(const struct watch_index *wi,
    store_watch_visit_fn *fn, void *arg);

/* The domid of a watch's caller (for accounting). */
const struct store_caller *watch_index_who(const struct store_watch *w);

/*
 * Delivers an event for a change at `path` to every matching watch (see
 * enum watch_match) that passes filter (NULL = all): deliver(owner,
 * event_path, token, deliver_arg), where event_path is path with the
 * watch's `strip` leading bytes removed. Delivery order: the order in which
 * the watches were added (the C daemon's order); each matching watch gets
 * exactly one event.
 * The callbacks must not add or remove watches.
 */
void watch_index_fire(struct watch_index *wi, const char *path,
    enum watch_match match, watch_filter_fn *filter, void *filter_arg,
    store_event_fn *deliver, void *deliver_arg);

/*
 * True if some watch's path is `path` or lies below it (path is a prefix of
 * it at a component boundary). O(length of path). Lets a subtree removal skip
 * whole subtrees that nobody watches.
 */
bool watch_index_interest(const struct watch_index *wi, const char *path);

#endif

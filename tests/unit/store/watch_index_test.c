/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * watch_index_test.c: unit tests for store/watch_index.c.
 *
 * Job: check the watch index against its contract (store/watch_index.h):
 * which watches a change fires in tree and exact mode (ancestors, depth,
 * special paths), event paths of relative watches, the permission filter,
 * lookup by owner+path+token, the interest query, and that freeing a
 * watch or the index leaves nothing behind. Events are recorded by a
 * deliver callback and compared against what the matching rules demand.
 *
 * Links only store/watch_index.c, talloc and Check. No I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <talloc.h>

#include "store/watch_index.h"

#define MAX_EVENTS	64

struct event {
	void	*owner;
	char	 path[128];
	char	 token[64];
};

/* Collects delivered events; counts those beyond MAX_EVENTS. */
struct recorder {
	unsigned int	n;
	unsigned int	dropped;
	struct event	ev[MAX_EVENTS];
};

static TALLOC_CTX *ctx;
static struct watch_index *wi;
static struct recorder rec;

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };
static const struct store_caller dom1 = { 1, STORE_DOMID_NONE, false };
static const struct store_caller dom2 = { 2, STORE_DOMID_NONE, false };

static void
setup(void)
{
	ctx = talloc_new(NULL);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(watch_index_create(ctx, &wi), 0);
	memset(&rec, 0, sizeof(rec));
}

static void
teardown(void)
{
	talloc_free(ctx);
	ctx = NULL;
	wi = NULL;
}

static void
record(void *owner, const char *path, const char *token, void *arg)
{
	struct recorder *r = arg;
	struct event *e;

	if (r->n == MAX_EVENTS) {
		r->dropped++;
		return;
	}
	e = &r->ev[r->n++];
	e->owner = owner;
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->token, sizeof(e->token), "%s", token);
}

/* For the large tests: the owner is a counter. */
static void
count_hit(void *owner, const char *path, const char *token, void *arg)
{
	unsigned int *hits = owner;

	(void)path;
	(void)token;
	(void)arg;
	(*hits)++;
}

/* How many recorded events carry this token (and this path, if given). */
static unsigned int
seen(const char *token, const char *path)
{
	unsigned int i, n;

	n = 0;
	for (i = 0; i < rec.n; i++) {
		if (strcmp(rec.ev[i].token, token) != 0)
			continue;
		if (path != NULL && strcmp(rec.ev[i].path, path) != 0)
			continue;
		n++;
	}
	return n;
}

static struct store_watch *
add(const char *path, const char *token, int depth, void *owner)
{
	struct store_watch *w;

	w = NULL;
	ck_assert_int_eq(watch_index_add(wi, ctx, path, 0, token, depth,
	    owner, &dom0, &w), 0);
	ck_assert_ptr_nonnull(w);
	return w;
}

static void
fire(const char *path, enum watch_match match)
{
	memset(&rec, 0, sizeof(rec));
	watch_index_fire(wi, path, match, NULL, NULL, record, &rec);
	ck_assert_uint_eq(rec.dropped, 0);
}

START_TEST(watch_fires_on_ancestor)
{
	int owner;

	add("/", "root", -1, &owner);
	add("/a", "a", -1, &owner);
	add("/a/b", "ab", -1, &owner);
	add("/a/b/c", "abc", -1, &owner);
	add("/a/b/c/d", "abcd", -1, &owner);
	add("/x", "x", -1, &owner);

	fire("/a/b/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 4);
	ck_assert_uint_eq(seen("root", "/a/b/c"), 1);
	ck_assert_uint_eq(seen("a", "/a/b/c"), 1);
	ck_assert_uint_eq(seen("ab", "/a/b/c"), 1);
	ck_assert_uint_eq(seen("abc", "/a/b/c"), 1);
	ck_assert_ptr_eq(rec.ev[0].owner, &owner);

	/* A change on "/" itself fires only the root watch. */
	fire("/", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("root", "/"), 1);

	/* Unwatched deeper path: the root watch sees everything. */
	fire("/q/r/s", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("root", "/q/r/s"), 1);
}
END_TEST

START_TEST(watch_fires_in_creation_order)
{
	static const char *const paths[] = { "/a/b", "/", "/a", "/a/b/c" };
	char tok[16];
	unsigned int i;
	int owner;

	/* As the C daemon walks a connection's watches: oldest first. */
	add("/a/b", "w0", -1, &owner);
	add("/a", "w1", -1, &owner);
	add("/", "w2", -1, &owner);
	add("/a/b", "w3", -1, &owner);
	add("/a", "w4", -1, &owner);
	fire("/a/b", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 5);
	for (i = 0; i < 5; i++) {
		snprintf(tok, sizeof(tok), "w%u", i);
		ck_assert_str_eq(rec.ev[i].token, tok);
	}

	/* More matches than fit on the stack: still in creation order. */
	for (i = 5; i < MAX_EVENTS; i++) {
		snprintf(tok, sizeof(tok), "w%u", i);
		add(paths[i % 3], tok, -1, &owner);
	}
	fire("/a/b/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, MAX_EVENTS);
	for (i = 0; i < MAX_EVENTS; i++) {
		snprintf(tok, sizeof(tok), "w%u", i);
		ck_assert_str_eq(rec.ev[i].token, tok);
	}
}
END_TEST

START_TEST(watch_ignores_sibling_prefix)
{
	int owner;

	add("/a", "a", -1, &owner);
	add("/ab", "ab", -1, &owner);

	fire("/ab/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("ab", "/ab/c"), 1);

	fire("/a", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("a", "/a"), 1);

	fire("/abc", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);
}
END_TEST

START_TEST(watch_ignores_change_above)
{
	int owner;

	add("/a/b", "ab", -1, &owner);
	fire("/a", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);
	fire("/", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);
}
END_TEST

START_TEST(watch_depth_limits_levels)
{
	int owner;

	add("/a", "d0", 0, &owner);
	add("/a", "d1", 1, &owner);
	add("/a", "d2", 2, &owner);
	add("/a", "dinf", -1, &owner);
	add("/", "root0", 0, &owner);
	add("/", "root1", 1, &owner);

	fire("/a", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 5);
	ck_assert_uint_eq(seen("d0", "/a"), 1);
	ck_assert_uint_eq(seen("d1", "/a"), 1);
	ck_assert_uint_eq(seen("d2", "/a"), 1);
	ck_assert_uint_eq(seen("dinf", "/a"), 1);
	ck_assert_uint_eq(seen("root1", "/a"), 1);

	fire("/a/b", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 3);
	ck_assert_uint_eq(seen("d1", "/a/b"), 1);
	ck_assert_uint_eq(seen("d2", "/a/b"), 1);
	ck_assert_uint_eq(seen("dinf", "/a/b"), 1);

	fire("/a/b/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("d2", NULL), 1);
	ck_assert_uint_eq(seen("dinf", NULL), 1);

	fire("/a/b/c/d", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("dinf", "/a/b/c/d"), 1);

	fire("/", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("root0", "/"), 1);
	ck_assert_uint_eq(seen("root1", "/"), 1);
}
END_TEST

START_TEST(watch_exact_mode_only_exact)
{
	int owner;

	add("/", "root", -1, &owner);
	add("/a", "a", -1, &owner);
	add("/a/b", "ab", -1, &owner);
	add("/a/b", "ab0", 0, &owner);
	add("/a/b/c", "abc", -1, &owner);

	fire("/a/b", WATCH_MATCH_EXACT);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("ab", "/a/b"), 1);
	ck_assert_uint_eq(seen("ab0", "/a/b"), 1);

	/* No watch exactly there: nothing, though ancestors are watched. */
	fire("/a/b/z", WATCH_MATCH_EXACT);
	ck_assert_uint_eq(rec.n, 0);

	fire("/", WATCH_MATCH_EXACT);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("root", "/"), 1);
}
END_TEST

START_TEST(watch_special_bare_needs_no_depth)
{
	int owner;

	add("@releaseDomain", "plain", -1, &owner);
	add("@releaseDomain", "d0", 0, &owner);
	add("@releaseDomain", "d1", 1, &owner);
	add("@releaseDomain", "d2", 2, &owner);
	add("/", "root", -1, &owner);

	fire("@releaseDomain", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("plain", "@releaseDomain"), 1);

	/* Other special paths and absolute paths are unrelated. */
	fire("@introduceDomain", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);
	fire("/releaseDomain", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("root", NULL), 1);
}
END_TEST

START_TEST(watch_special_domid_form)
{
	int owner;

	add("@releaseDomain", "plain", -1, &owner);
	add("@releaseDomain", "d0", 0, &owner);
	add("@releaseDomain", "d1", 1, &owner);
	add("@releaseDomain", "d2", 2, &owner);
	add("@releaseDomain/5", "five", -1, &owner);
	add("@releaseDomain/5", "five0", 0, &owner);
	add("@releaseDomain/6", "six", -1, &owner);
	add("/", "root", -1, &owner);

	fire("@releaseDomain/5", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 4);
	ck_assert_uint_eq(seen("d1", "@releaseDomain/5"), 1);
	ck_assert_uint_eq(seen("d2", "@releaseDomain/5"), 1);
	ck_assert_uint_eq(seen("five", "@releaseDomain/5"), 1);
	ck_assert_uint_eq(seen("five0", "@releaseDomain/5"), 1);

	fire("@releaseDomain/7", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("d1", "@releaseDomain/7"), 1);
	ck_assert_uint_eq(seen("d2", "@releaseDomain/7"), 1);

	/* Exact mode keeps only watches on the path itself. */
	fire("@releaseDomain/5", WATCH_MATCH_EXACT);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("five", NULL), 1);
	ck_assert_uint_eq(seen("five0", NULL), 1);
}
END_TEST

/*
 * Deeper special paths (no daemon emits them today) follow the same rule:
 * the path itself, and "@x" with depth >= 1; levels in between never fire.
 */
START_TEST(watch_special_deeper_only_root)
{
	int owner;

	add("@x", "root1", 1, &owner);
	add("@x/a", "mid", -1, &owner);
	add("@x/a", "mid1", 1, &owner);
	add("@x/a/b", "self", -1, &owner);

	fire("@x/a/b", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("root1", "@x/a/b"), 1);
	ck_assert_uint_eq(seen("self", "@x/a/b"), 1);
}
END_TEST

START_TEST(watch_strip_gives_relative_path)
{
	int rel, abs;
	struct store_watch *w;

	ck_assert_int_eq(watch_index_add(wi, ctx, "/local/domain/0/foo", 16,
	    "rel", -1, &rel, &dom1, &w), 0);
	add("/local/domain/0", "abs", -1, &abs);

	fire("/local/domain/0/foo/bar", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(seen("rel", "foo/bar"), 1);
	ck_assert_uint_eq(seen("abs", "/local/domain/0/foo/bar"), 1);

	fire("/local/domain/0/foo", WATCH_MATCH_TREE);
	ck_assert_uint_eq(seen("rel", "foo"), 1);
}
END_TEST

START_TEST(watch_strip_guard_keeps_path)
{
	int owner;
	struct store_watch *w;

	/* A strip longer than the event path must not run past it. */
	ck_assert_int_eq(watch_index_add(wi, ctx, "/", 100, "big", -1,
	    &owner, &dom1, &w), 0);
	fire("/a", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(seen("big", "/a"), 1);
}
END_TEST

struct filter_probe {
	unsigned int	allow_domid;
	unsigned int	calls;
};

static bool
allow_one(const struct store_caller *who, void *arg)
{
	struct filter_probe *fp = arg;

	fp->calls++;
	return who->domid == fp->allow_domid;
}

START_TEST(watch_filter_blocks_delivery)
{
	struct filter_probe fp = { 1, 0 };
	struct store_watch *w1, *w2;
	int o1, o2;

	ck_assert_int_eq(watch_index_add(wi, ctx, "/a", 0, "t1", -1, &o1,
	    &dom1, &w1), 0);
	ck_assert_int_eq(watch_index_add(wi, ctx, "/a", 0, "t2", -1, &o2,
	    &dom2, &w2), 0);
	ck_assert_ptr_eq(watch_index_who(w1), &dom1);
	ck_assert_ptr_eq(watch_index_who(w2), &dom2);

	watch_index_fire(wi, "/a/b", WATCH_MATCH_TREE, allow_one, &fp,
	    record, &rec);
	ck_assert_uint_eq(fp.calls, 2);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_ptr_eq(rec.ev[0].owner, &o1);
	ck_assert_str_eq(rec.ev[0].token, "t1");

	/* No filter: everyone. */
	fire("/a/b", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 2);
}
END_TEST

START_TEST(watch_free_removes_from_index)
{
	struct store_watch *w, *keep;
	int owner;

	keep = add("/a/x", "keep", -1, &owner);
	w = add("/a/b/c", "gone", -1, &owner);
	ck_assert_uint_eq(watch_index_count(wi), 2);
	ck_assert(watch_index_interest(wi, "/a/b"));

	talloc_free(w);
	ck_assert_uint_eq(watch_index_count(wi), 1);
	ck_assert(!watch_index_interest(wi, "/a/b/c"));
	ck_assert(!watch_index_interest(wi, "/a/b"));
	ck_assert(watch_index_interest(wi, "/a"));
	ck_assert(watch_index_interest(wi, "/"));
	ck_assert_ptr_null(watch_index_find(wi, &owner, "/a/b/c", "gone"));
	fire("/a/b/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);

	talloc_free(keep);
	ck_assert_uint_eq(watch_index_count(wi), 0);
	ck_assert(!watch_index_interest(wi, "/"));
	ck_assert(!watch_index_interest(wi, "/a"));
	fire("/a/x", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);

	/* Re-adding after removal works like the first time. */
	add("/a/b/c", "again", -1, &owner);
	fire("/a/b/c", WATCH_MATCH_TREE);
	ck_assert_uint_eq(seen("again", "/a/b/c"), 1);
}
END_TEST

START_TEST(watch_find_by_owner_path_token)
{
	struct store_watch *wa, *wa2, *wb;
	int a, b, c;

	wa = add("/p/q", "tok", -1, &a);
	wa2 = add("/p/q", "other", -1, &a);
	wb = add("/p/q", "tok", -1, &b);

	ck_assert_ptr_eq(watch_index_find(wi, &a, "/p/q", "tok"), wa);
	ck_assert_ptr_eq(watch_index_find(wi, &a, "/p/q", "other"), wa2);
	ck_assert_ptr_eq(watch_index_find(wi, &b, "/p/q", "tok"), wb);
	ck_assert_ptr_null(watch_index_find(wi, &b, "/p/q", "other"));
	ck_assert_ptr_null(watch_index_find(wi, &c, "/p/q", "tok"));
	ck_assert_ptr_null(watch_index_find(wi, &a, "/p", "tok"));
	ck_assert_ptr_null(watch_index_find(wi, &a, "/p/q/r", "tok"));
	ck_assert_ptr_null(watch_index_find(wi, &a, "/pq", "tok"));
}
END_TEST

START_TEST(watch_interest_component_boundary)
{
	int owner;

	ck_assert(!watch_index_interest(wi, "/"));
	add("/a/b", "t", -1, &owner);
	ck_assert(watch_index_interest(wi, "/"));
	ck_assert(watch_index_interest(wi, "/a"));
	ck_assert(watch_index_interest(wi, "/a/b"));
	ck_assert(!watch_index_interest(wi, "/a/b/c"));
	ck_assert(!watch_index_interest(wi, "/ab"));
	ck_assert(!watch_index_interest(wi, "/a/bc"));
	ck_assert(!watch_index_interest(wi, "/b"));
	ck_assert(!watch_index_interest(wi, ""));

	/* A watch on "/" covers "/" only: nothing lies below "/x". */
	add("/", "root", -1, &owner);
	ck_assert(!watch_index_interest(wi, "/x"));
	ck_assert(!watch_index_interest(wi, "@releaseDomain"));
}
END_TEST

START_TEST(watch_empty_path_rejected)
{
	struct store_watch *w;
	int owner;

	w = NULL;
	ck_assert_int_eq(watch_index_add(wi, ctx, "", 0, "t", -1, &owner,
	    &dom0, &w), EINVAL);
	ck_assert_ptr_null(w);
	ck_assert_uint_eq(watch_index_count(wi), 0);
	fire("", WATCH_MATCH_TREE);
	ck_assert_uint_eq(rec.n, 0);
}
END_TEST

#define MANY	10000

START_TEST(watch_many_distinct_paths)
{
	static unsigned int hits[MANY];
	static struct store_watch *w[MANY];
	unsigned int i, local;
	char path[64];

	memset(hits, 0, sizeof(hits));
	for (i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/data", i);
		w[i] = add(path, "t", -1, &hits[i]);
	}
	ck_assert_uint_eq(watch_index_count(wi), MANY);

	watch_index_fire(wi, "/local/domain/1234/data", WATCH_MATCH_TREE,
	    NULL, NULL, count_hit, NULL);
	watch_index_fire(wi, "/local/domain/1234/data/sub", WATCH_MATCH_TREE,
	    NULL, NULL, count_hit, NULL);
	watch_index_fire(wi, "/local/domain/1234", WATCH_MATCH_TREE,
	    NULL, NULL, count_hit, NULL);
	watch_index_fire(wi, "/local/domain/12345/data", WATCH_MATCH_TREE,
	    NULL, NULL, count_hit, NULL);
	for (i = 0; i < MANY; i++)
		ck_assert_uint_eq(hits[i], i == 1234 ? 2 : 0);

	/* One watch above them all fires alongside. */
	local = 0;
	add("/local", "l", -1, &local);
	watch_index_fire(wi, "/local/domain/9999/data", WATCH_MATCH_TREE,
	    NULL, NULL, count_hit, NULL);
	ck_assert_uint_eq(local, 1);
	ck_assert_uint_eq(hits[9999], 1);

	/* Free the even ones: only the odd ones still fire. */
	for (i = 0; i < MANY; i += 2)
		talloc_free(w[i]);
	ck_assert_uint_eq(watch_index_count(wi), MANY / 2 + 1);
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/data", i);
		watch_index_fire(wi, path, WATCH_MATCH_EXACT, NULL, NULL,
		    count_hit, NULL);
		ck_assert_uint_eq(hits[i], i % 2);
		snprintf(path, sizeof(path), "/local/domain/%u", i);
		ck_assert(watch_index_interest(wi, path) == (i % 2 == 1));
	}
	for (i = 1; i < MANY; i += 2)
		talloc_free(w[i]);
	ck_assert_uint_eq(watch_index_count(wi), 1);
	ck_assert(!watch_index_interest(wi, "/local/domain"));
}
END_TEST

START_TEST(watch_many_watchers_one_path)
{
	static unsigned int hits[1000];
	unsigned int i;
	char tok[32];

	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 1000; i++) {
		snprintf(tok, sizeof(tok), "tok%u", i);
		add("/shared/node", tok, -1, &hits[i]);
	}
	watch_index_fire(wi, "/shared/node", WATCH_MATCH_TREE, NULL, NULL,
	    count_hit, NULL);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(hits[i], 1);
	watch_index_fire(wi, "/shared/node/child", WATCH_MATCH_TREE, NULL,
	    NULL, count_hit, NULL);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(hits[i], 2);
	watch_index_fire(wi, "/shared", WATCH_MATCH_TREE, NULL, NULL,
	    count_hit, NULL);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(hits[i], 2);
}
END_TEST

/* Lookups stay right while the table grows and watches come and go. */
START_TEST(watch_survives_rehash)
{
	static struct store_watch *w[4000];
	unsigned int i, j, owner;
	char path[64];

	owner = 0;
	for (i = 0; i < 4000; i++) {
		snprintf(path, sizeof(path), "/r/%u/%u", i % 97, i);
		w[i] = add(path, "t", -1, &owner);
		/* Every third watch goes again at once. */
		if (i % 3 == 2) {
			talloc_free(w[i]);
			w[i] = NULL;
		}
		for (j = 0; j <= i; j += 1 + i / 16) {
			snprintf(path, sizeof(path), "/r/%u/%u", j % 97, j);
			ck_assert_ptr_eq(watch_index_find(wi, &owner, path,
			    "t"), w[j]);
		}
	}
	for (i = 0; i < 4000; i++) {
		snprintf(path, sizeof(path), "/r/%u/%u", i % 97, i);
		ck_assert_ptr_eq(watch_index_find(wi, &owner, path, "t"),
		    w[i]);
		ck_assert(watch_index_interest(wi, path) == (w[i] != NULL));
	}
}
END_TEST

START_TEST(watch_deep_path_no_recursion)
{
	unsigned int hits, i;
	char *path;
	struct store_watch *w;

	/* 3000 components: "/a/a/.../a". */
	path = talloc_array(ctx, char, 2 * 3000 + 1);
	ck_assert_ptr_nonnull(path);
	for (i = 0; i < 3000; i++) {
		path[2 * i] = '/';
		path[2 * i + 1] = 'a';
	}
	path[2 * 3000] = '\0';

	hits = 0;
	w = add(path, "deep", 2999, &hits);
	ck_assert(watch_index_interest(wi, "/a/a/a"));
	/* Its depth reaches from itself down 2999 levels. */
	watch_index_fire(wi, path, WATCH_MATCH_TREE, NULL, NULL, count_hit,
	    NULL);
	ck_assert_uint_eq(hits, 1);
	talloc_free(w);
	ck_assert(!watch_index_interest(wi, "/"));
	ck_assert_uint_eq(watch_index_count(wi), 0);
}
END_TEST

/*
 * talloc's memlimit is deprecated but is the only allocation-failure hook
 * talloc offers; it is confined to this helper.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void
set_limit(TALLOC_CTX *c, size_t max)
{
	ck_assert_int_eq(talloc_set_memlimit(c, max), 0);
}
#pragma GCC diagnostic pop

START_TEST(watch_add_enomem_changes_nothing)
{
	TALLOC_CTX *lim;
	struct watch_index *lwi;
	struct store_watch *w;
	unsigned int hits, failures, i;
	size_t before, extra;
	int owner, r;
	char path[160];

	lim = talloc_new(ctx);
	ck_assert_ptr_nonnull(lim);
	ck_assert_int_eq(watch_index_create(lim, &lwi), 0);
	hits = 0;
	ck_assert_int_eq(watch_index_add(lwi, lim, "/a/b", 0, "old", -1,
	    &hits, &dom0, &w), 0);

	/* 40 new components: enough new entries to make the table grow. */
	strcpy(path, "/a/b");
	for (i = 0; i < 40; i++)
		strcat(path, "/c");

	failures = 0;
	for (extra = 0; ; extra += 8) {
		before = talloc_total_size(lim);
		set_limit(lim, before + extra);
		w = NULL;
		r = watch_index_add(lwi, lim, path, 0, "new", -1, &owner,
		    &dom0, &w);
		if (r == 0)
			break;
		ck_assert_int_eq(r, ENOMEM);
		ck_assert_ptr_null(w);
		failures++;
		ck_assert_uint_eq(talloc_total_size(lim), before);
		ck_assert_uint_eq(watch_index_count(lwi), 1);
		ck_assert(!watch_index_interest(lwi, "/a/b/c"));
		ck_assert_ptr_null(watch_index_find(lwi, &owner, path, "new"));
		watch_index_fire(lwi, path, WATCH_MATCH_TREE, NULL, NULL,
		    count_hit, NULL);
		ck_assert_uint_eq(hits, failures);
	}
	ck_assert_uint_gt(failures, 40);
	set_limit(lim, 0);	/* 0 = no limit */
	ck_assert_uint_eq(watch_index_count(lwi), 2);
	ck_assert_ptr_eq(watch_index_find(lwi, &owner, path, "new"), w);
	ck_assert(watch_index_interest(lwi, "/a/b/c/c"));
	talloc_free(lim);
}
END_TEST

START_TEST(watch_create_enomem)
{
	TALLOC_CTX *lim;
	struct watch_index *lwi;
	unsigned int failures;
	size_t extra;
	int r;

	lim = talloc_new(ctx);
	ck_assert_ptr_nonnull(lim);
	failures = 0;
	/* A limit of 0 means none: start at 1. */
	for (extra = 1; ; extra += 8) {
		set_limit(lim, extra);
		lwi = NULL;
		r = watch_index_create(lim, &lwi);
		if (r == 0)
			break;
		ck_assert_int_eq(r, ENOMEM);
		ck_assert_ptr_null(lwi);
		ck_assert_uint_eq(talloc_total_size(lim), 0);
		failures++;
	}
	/* Both the index and its first table must have failed once. */
	ck_assert_uint_gt(failures, 2);
	ck_assert_uint_eq(watch_index_count(lwi), 0);
	talloc_free(lim);
}
END_TEST

START_TEST(watch_index_freed_before_watches)
{
	TALLOC_CTX *wctx;
	struct watch_index *lwi;
	struct store_watch *w1, *w2, *w3;
	int owner;

	/* Watches under their own context, freed after the index. */
	wctx = talloc_new(ctx);
	ck_assert_ptr_nonnull(wctx);
	ck_assert_int_eq(watch_index_create(ctx, &lwi), 0);
	ck_assert_int_eq(watch_index_add(lwi, wctx, "/a/b", 0, "t", -1,
	    &owner, &dom1, &w1), 0);
	ck_assert_int_eq(watch_index_add(lwi, wctx, "/a", 0, "t", -1,
	    &owner, &dom2, &w2), 0);
	/* And one under the index itself, which goes with it. */
	ck_assert_int_eq(watch_index_add(lwi, lwi, "/a/c", 0, "t", -1,
	    &owner, &dom1, &w3), 0);
	(void)w3;
	talloc_free(lwi);
	/* Detached watches stay readable and free cleanly. */
	ck_assert_ptr_eq(watch_index_who(w1), &dom1);
	talloc_free(w2);
	talloc_free(wctx);
}
END_TEST

START_TEST(watch_index_and_watches_freed_together)
{
	TALLOC_CTX *parent, *wctx;
	struct watch_index *lwi;
	struct store_watch *w;
	int owner, order;

	/* Siblings under one parent, in both creation orders. */
	for (order = 0; order < 2; order++) {
		parent = talloc_new(ctx);
		ck_assert_ptr_nonnull(parent);
		if (order == 0) {
			ck_assert_int_eq(watch_index_create(parent, &lwi), 0);
			wctx = talloc_new(parent);
		} else {
			wctx = talloc_new(parent);
			ck_assert_int_eq(watch_index_create(parent, &lwi), 0);
		}
		ck_assert_ptr_nonnull(wctx);
		ck_assert_int_eq(watch_index_add(lwi, wctx, "/x/y", 0, "t",
		    -1, &owner, &dom1, &w), 0);
		ck_assert_int_eq(watch_index_add(lwi, wctx, "@releaseDomain",
		    0, "t", 1, &owner, &dom1, &w), 0);
		talloc_free(parent);
	}
}
END_TEST

static Suite *
watch_index_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("watch_index");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, watch_fires_on_ancestor);
	tcase_add_test(tc, watch_fires_in_creation_order);
	tcase_add_test(tc, watch_ignores_sibling_prefix);
	tcase_add_test(tc, watch_ignores_change_above);
	tcase_add_test(tc, watch_depth_limits_levels);
	tcase_add_test(tc, watch_exact_mode_only_exact);
	tcase_add_test(tc, watch_special_bare_needs_no_depth);
	tcase_add_test(tc, watch_special_domid_form);
	tcase_add_test(tc, watch_special_deeper_only_root);
	tcase_add_test(tc, watch_strip_gives_relative_path);
	tcase_add_test(tc, watch_strip_guard_keeps_path);
	tcase_add_test(tc, watch_filter_blocks_delivery);
	tcase_add_test(tc, watch_free_removes_from_index);
	tcase_add_test(tc, watch_find_by_owner_path_token);
	tcase_add_test(tc, watch_interest_component_boundary);
	tcase_add_test(tc, watch_empty_path_rejected);
	tcase_add_test(tc, watch_many_distinct_paths);
	tcase_add_test(tc, watch_many_watchers_one_path);
	tcase_add_test(tc, watch_survives_rehash);
	tcase_add_test(tc, watch_deep_path_no_recursion);
	tcase_add_test(tc, watch_add_enomem_changes_nothing);
	tcase_add_test(tc, watch_create_enomem);
	tcase_add_test(tc, watch_index_freed_before_watches);
	tcase_add_test(tc, watch_index_and_watches_freed_together);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(watch_index_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

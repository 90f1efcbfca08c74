/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for store/ops.c and store/tree.c: node operations on the live
 * tree, permissions and their error hiding, generations, watch events,
 * quotas, and the data-structure promises (big flat directories, deep and
 * large subtrees removed without recursion).
 */
#define _GNU_SOURCE	/* memmem */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };
static const struct store_caller dom5 = { 5, STORE_DOMID_NONE, false };
static const struct store_caller dom6 = { 6, STORE_DOMID_NONE, false };

#define MAX_EVENTS 64
struct events {
	unsigned int n;
	char path[MAX_EVENTS][128];
	char token[MAX_EVENTS][32];
	void *owner[MAX_EVENTS];
};

static void
record(void *owner, const char *path, const char *token, void *arg)
{
	struct events *ev = arg;

	if (ev->n < MAX_EVENTS) {
		snprintf(ev->path[ev->n], sizeof(ev->path[0]), "%s", path);
		snprintf(ev->token[ev->n], sizeof(ev->token[0]), "%s", token);
		ev->owner[ev->n] = owner;
	}
	ev->n++;
}

static struct events ev;
static struct store *st;
static TALLOC_CTX *ctx;

static void
setup(void)
{
	memset(&ev, 0, sizeof(ev));
	ctx = talloc_new(NULL);
	ck_assert_int_eq(store_create(ctx, record, &ev, &st), 0);
}

static void
teardown(void)
{
	char *report = NULL;

	ck_assert_msg(store_check(st, ctx, &report) == 0, "%s",
	    report ? report : "?");
	talloc_free(ctx);
}

static void
write_str(const struct store_caller *who, const char *p, const char *v)
{
	ck_assert_int_eq(store_write(st, NULL, who, p, v, strlen(v)), 0);
}

static char *
read_str(const struct store_caller *who, const char *p, int *err)
{
	char *v = NULL;
	size_t len = 0;

	*err = store_read(st, NULL, who, p, ctx, &v, &len);
	if (*err != 0)
		return NULL;
	return talloc_strndup(ctx, v, len);
}

static void
set_perms(const struct store_caller *who, const char *p, const char *s1,
    const char *s2, int want)
{
	const char *strs[2] = { s1, s2 };
	struct store_perm *perms;

	ck_assert_int_eq(store_perms_parse(ctx, strs, s2 ? 2 : 1, &perms), 0);
	ck_assert_int_eq(store_set_perms(st, NULL, who, p, perms,
	    s2 ? 2 : 1), want);
}

START_TEST(store_initial_tree_has_tool_xenstored)
{
	char *names;
	size_t len;
	uint64_t gen;

	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/", ctx, &names,
	    &len, &gen), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(names, "tool\0", 5);
	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/tool", ctx,
	    &names, &len, &gen), 0);
	ck_assert_mem_eq(names, "xenstored\0", 10);
}
END_TEST

START_TEST(store_write_creates_parents_and_reads_back)
{
	int err;
	char *v;

	write_str(&dom0, "/a/b/c", "hello");
	v = read_str(&dom0, "/a/b/c", &err);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(v, "hello");
	v = read_str(&dom0, "/a/b", &err);
	ck_assert_int_eq(err, 0);
	ck_assert_str_eq(v, "");
	read_str(&dom0, "/a/x", &err);
	ck_assert_int_eq(err, ENOENT);
}
END_TEST

START_TEST(store_write_keeps_binary_values)
{
	static const char bin[] = { 'a', 0, 'b', 0, 0, (char)0xff };
	char *v;
	size_t len;

	ck_assert_int_eq(store_write(st, NULL, &dom0, "/bin", bin,
	    sizeof(bin)), 0);
	ck_assert_int_eq(store_read(st, NULL, &dom0, "/bin", ctx, &v, &len),
	    0);
	ck_assert_uint_eq(len, sizeof(bin));
	ck_assert_mem_eq(v, bin, sizeof(bin));
}
END_TEST

START_TEST(store_directory_keeps_insertion_order)
{
	char *names;
	size_t len;
	uint64_t gen, gen2;

	write_str(&dom0, "/d/zeta", "");
	write_str(&dom0, "/d/alpha", "");
	write_str(&dom0, "/d/mid", "");
	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/d", ctx, &names,
	    &len, &gen), 0);
	ck_assert_uint_eq(len, 5 + 6 + 4);
	ck_assert_mem_eq(names, "zeta\0alpha\0mid\0", len);
	/* Rewriting a child does not change the list's generation... */
	write_str(&dom0, "/d/alpha", "x");
	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/d", ctx, &names,
	    &len, &gen2), 0);
	ck_assert(gen2 == gen);
	/* ...removing one does, and keeps the others' order. */
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/d/alpha"), 0);
	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/d", ctx, &names,
	    &len, &gen2), 0);
	ck_assert(gen2 != gen);
	ck_assert_mem_eq(names, "zeta\0mid\0", len);
}
END_TEST

START_TEST(store_mkdir_existing_is_fine_and_silent)
{
	struct store_watch *w;

	write_str(&dom0, "/m", "v");
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "/m", 0, "t", -1,
	    ctx, &w), 0);
	ck_assert_int_eq(store_mkdir(st, NULL, &dom0, "/m"), 0);
	ck_assert_uint_eq(ev.n, 0);
	ck_assert_int_eq(store_mkdir(st, NULL, &dom0, "/m/new"), 0);
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_str_eq(ev.path[0], "/m/new");
}
END_TEST

START_TEST(store_rm_missing_node_needs_parent)
{
	write_str(&dom0, "/p", "");
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/p/missing"), 0);
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/nope/missing"), ENOENT);
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/"), EINVAL);
}
END_TEST

START_TEST(store_rm_fires_descendants_deepest_first_then_node)
{
	struct store_watch *w1, *w2, *w3;

	write_str(&dom0, "/a/b/c", "1");
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "/a/b/c", 0, "c",
	    -1, ctx, &w1), 0);
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "/a", 0, "a", -1,
	    ctx, &w2), 0);
	/* A watch on a never-existing deeper path does not fire. */
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "/a/b/c/d/e", 0,
	    "e", -1, ctx, &w3), 0);
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/a"), 0);
	ck_assert_uint_eq(ev.n, 2);
	ck_assert_str_eq(ev.path[0], "/a/b/c");
	ck_assert_str_eq(ev.token[0], "c");
	ck_assert_str_eq(ev.path[1], "/a");
	ck_assert_str_eq(ev.token[1], "a");
}
END_TEST

START_TEST(store_watch_relative_strip_and_depth)
{
	struct store_watch *w;

	ck_assert_int_eq(store_watch_add(st, &dom0, &ev,
	    "/local/domain/0/foo", 16, "rel", 1, ctx, &w), 0);
	write_str(&dom0, "/local/domain/0/foo/bar", "1");
	write_str(&dom0, "/local/domain/0/foo/bar/deep", "1");
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_str_eq(ev.path[0], "foo/bar");
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev,
	    "/local/domain/0/foo", 16, "rel", 1, ctx, &w), EEXIST);
	talloc_free(w);
}
END_TEST

START_TEST(store_unprivileged_creator_owns_and_others_are_denied)
{
	struct store_perm *perms;
	unsigned int n;
	int err;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_domain_add(st, 6), 0);
	write_str(&dom0, "/local/domain/5", "");
	set_perms(&dom0, "/local/domain/5", "n5", NULL, 0);
	write_str(&dom5, "/local/domain/5/data", "secret");
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0,
	    "/local/domain/5/data", ctx, &perms, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(perms[0].domid, 5);
	read_str(&dom6, "/local/domain/5/data", &err);
	ck_assert_int_eq(err, EACCES);
	/* A missing node under an unreadable parent is hidden as EACCES. */
	read_str(&dom6, "/local/domain/5/none", &err);
	ck_assert_int_eq(err, EACCES);
	read_str(&dom5, "/local/domain/5/none", &err);
	ck_assert_int_eq(err, ENOENT);
	ck_assert_int_eq(store_write(st, NULL, &dom6, "/local/domain/5/x",
	    "v", 1), EACCES);
	ck_assert_int_eq(store_write(st, NULL, &dom5, "/outside", "v", 1),
	    EACCES);
}
END_TEST

START_TEST(store_set_perms_rules)
{
	int err;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	write_str(&dom0, "/local/domain/5", "");
	set_perms(&dom0, "/local/domain/5", "n5", NULL, 0);
	write_str(&dom5, "/local/domain/5/x", "v");
	/* An unprivileged owner may grant, not give the node away. */
	set_perms(&dom5, "/local/domain/5/x", "n5", "r6", 0);
	set_perms(&dom5, "/local/domain/5/x", "n6", NULL, EPERM);
	/* A grant to an unknown domain is kept but ignored... */
	read_str(&dom6, "/local/domain/5/x", &err);
	ck_assert_int_eq(err, EACCES);
	/* ...and stays ignored when a domain 6 appears later (XSA-322). */
	ck_assert_int_eq(store_domain_add(st, 6), 0);
	read_str(&dom6, "/local/domain/5/x", &err);
	ck_assert_int_eq(err, EACCES);
	/* Granting again, now that 6 exists, works. */
	set_perms(&dom5, "/local/domain/5/x", "n5", "r6", 0);
	ck_assert_str_eq(read_str(&dom6, "/local/domain/5/x", &err), "v");
	/* A non-existent owner is ENOENT. */
	set_perms(&dom0, "/local/domain/5/x", "n77", NULL, ENOENT);
	/* Special nodes carry permissions too. */
	set_perms(&dom0, "@releaseDomain", "n0", "r5", 0);
	set_perms(&dom0, "@nosuch", "n0", NULL, ENOENT);
}
END_TEST

START_TEST(store_quota_nodes_and_node_size)
{
	char big[3000];
	unsigned int used;
	int i;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_domain_quota_set(st, 5, STORE_QUOTA_NODES, 3),
	    0);
	write_str(&dom0, "/local/domain/5", "");
	set_perms(&dom0, "/local/domain/5", "n5", NULL, 0);
	/* The home node is owned by 5 already: 2 more fit, not 3. */
	for (i = 0; i < 2; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/local/domain/5/n%d", i);
		write_str(&dom5, p, "x");
	}
	ck_assert_int_eq(store_write(st, NULL, &dom5, "/local/domain/5/n9",
	    "x", 1), ENOSPC);
	ck_assert_int_eq(store_domain_usage(st, 5, STORE_QUOTA_NODES, &used),
	    0);
	ck_assert_uint_eq(used, 3);
	ck_assert_int_eq(store_domain_quota_set(st, 5, STORE_QUOTA_NODES, 0),
	    0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(store_write(st, NULL, &dom5, "/local/domain/5/big",
	    big, sizeof(big)), ENOSPC);
	/* dom0 is not bound by quotas. */
	ck_assert_int_eq(store_write(st, NULL, &dom0, "/big", big,
	    sizeof(big)), 0);
	/* Removing gives the charge back. */
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/local/domain/5"), 0);
	ck_assert_int_eq(store_domain_usage(st, 5, STORE_QUOTA_NODES, &used),
	    0);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(store_node_size_quota_covers_new_intermediate_nodes)
{
	struct store_tx *tx;
	char path[512], name[201];

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	write_str(&dom0, "/local/domain/5", "");
	set_perms(&dom0, "/local/domain/5", "n5", NULL, 0);
	ck_assert_int_eq(store_domain_quota_set(st, 5,
	    STORE_QUOTA_NODE_SIZE, 200), 0);
	memset(name, 'x', 200);
	name[200] = '\0';
	/* "mid" would hold a 201-byte child list: over 200 with its header. */
	snprintf(path, sizeof(path), "/local/domain/5/mid/%s", name);
	ck_assert_int_eq(store_write(st, NULL, &dom5, path, "v", 1), ENOSPC);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &tx), 0);
	ck_assert_int_eq(store_write(st, tx, &dom5, path, "v", 1), ENOSPC);
	talloc_free(tx);
	/* Nothing was made; a short name fits. */
	ck_assert_int_eq(store_read(st, NULL, &dom5, "/local/domain/5/mid",
	    ctx, &(char *){ NULL }, &(size_t){ 0 }), ENOENT);
	write_str(&dom5, "/local/domain/5/mid/short", "v");
}
END_TEST

START_TEST(store_watch_event_filtered_by_read_permission)
{
	struct store_watch *w;
	int spy;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_watch_add(st, &dom5, &spy, "/", 0, "all", -1,
	    ctx, &w), 0);
	write_str(&dom0, "/private", "x");
	ck_assert_uint_eq(ev.n, 0);
	set_perms(&dom0, "/private", "n0", "r5", 0);
	/* Now readable: the permission change itself is seen. */
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_ptr_eq(ev.owner[0], &spy);
}
END_TEST

START_TEST(store_big_flat_directory)
{
	char p[64], *names;
	size_t len;
	uint64_t gen;
	int i;

	for (i = 0; i < 10000; i++) {
		snprintf(p, sizeof(p), "/flat/c%d", i);
		write_str(&dom0, p, "v");
	}
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/flat/c5000"), 0);
	ck_assert_int_eq(store_directory(st, NULL, &dom0, "/flat", ctx,
	    &names, &len, &gen), 0);
	ck_assert_mem_eq(names, "c0\0c1\0", 6);
	ck_assert_ptr_null(memmem(names, len, "\0c5000\0", 7));
	ck_assert_ptr_nonnull(memmem(names, len, "\0c5001\0", 7));
}
END_TEST

START_TEST(store_remove_large_and_deep_subtrees_iteratively)
{
	struct store_stats s0, s1;
	char *p;
	size_t i, pos;
	int j;

	store_get_stats(st, &s0);
	/* 100,000 nodes, 100 x 1000. */
	for (i = 0; i < 100; i++) {
		for (j = 0; j < 1000; j++) {
			char q[64];

			snprintf(q, sizeof(q), "/big/d%zu/n%d", i, j);
			write_str(&dom0, q, "");
		}
	}
	/* A 1,500-level chain: no recursion may follow it. */
	p = talloc_size(ctx, 4096);
	strcpy(p, "/big/deep");
	pos = strlen(p);
	for (i = 0; i < 1500; i++) {
		memcpy(p + pos, "/a", 3);
		pos += 2;
	}
	write_str(&dom0, p, "bottom");
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/big"), 0);
	store_get_stats(st, &s1);
	ck_assert(s1.nodes == s0.nodes);
}
END_TEST

START_TEST(store_check_detects_nothing_wrong_after_churn)
{
	char p[64];
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(p, sizeof(p), "/churn/%d/x", i % 37);
		write_str(&dom0, p, "v");
		if (i % 5 == 0) {
			snprintf(p, sizeof(p), "/churn/%d", i % 11);
			ck_assert_int_eq(store_rm(st, NULL, &dom0, p), 0);
		}
	}
	/* teardown runs store_check */
}
END_TEST


static bool
exists_5_to_9(unsigned int domid, void *arg)
{
	(void)arg;
	return domid >= 5 && domid <= 9;
}

START_TEST(store_oracle_makes_existing_domain_known)
{
	set_perms(&dom0, "/x", "n7", NULL, ENOENT);
	write_str(&dom0, "/x", "");
	set_perms(&dom0, "/x", "n7", NULL, ENOENT);
	store_set_domain_oracle(st, exists_5_to_9, NULL);
	set_perms(&dom0, "/x", "n7", NULL, 0);
	ck_assert(store_domain_known(st, 7));
	set_perms(&dom0, "/x", "n12", NULL, ENOENT);
	ck_assert(!store_domain_known(st, 12));
}
END_TEST

START_TEST(store_perms_stale_marks_ignored_entries)
{
	unsigned int n;
	bool *stale;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	write_str(&dom0, "/s", "v");
	/* 6 unknown when set: ignored, and still after 6 appears. */
	set_perms(&dom0, "/s", "n5", "r6", 0);
	ck_assert_int_eq(store_domain_add(st, 6), 0);
	ck_assert_int_eq(store_perms_stale(st, "/s", ctx, &stale, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(!stale[0]);
	ck_assert(stale[1]);
	/* Set again now that 6 is known: honoured. */
	set_perms(&dom0, "/s", "n5", "r6", 0);
	ck_assert_int_eq(store_perms_stale(st, "/s", ctx, &stale, &n), 0);
	ck_assert(!stale[1]);
	ck_assert_int_eq(store_perms_stale(st, "@releaseDomain", ctx, &stale,
	    &n), 0);
	ck_assert_int_eq(store_perms_stale(st, "/none", ctx, &stale, &n),
	    ENOENT);
}
END_TEST

START_TEST(store_domain_remove_deletes_owned_and_strips_grants)
{
	const struct store_caller dom7 = { 7, STORE_DOMID_NONE, false };
	struct store_perm *perms;
	struct store_watch *w;
	unsigned int n;
	int err;

	store_set_domain_oracle(st, exists_5_to_9, NULL);
	write_str(&dom0, "/local/domain/7/device", "");
	set_perms(&dom0, "/local/domain/7", "n0", "r7", 0);
	set_perms(&dom0, "/local/domain/7/device", "n7", NULL, 0);
	write_str(&dom7, "/local/domain/7/device/state", "4");
	set_perms(&dom0, "@releaseDomain", "n0", "r7", 0);
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev,
	    "/local/domain/7/device/state", 0, "s", -1, ctx, &w), 0);
	ck_assert_int_eq(store_domain_remove(st, 7, false), 0);
	ck_assert(!store_domain_known(st, 7));
	/* Its nodes are gone (with their watch events), dom0's stay. */
	read_str(&dom0, "/local/domain/7/device", &err);
	ck_assert_int_eq(err, ENOENT);
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_str_eq(ev.path[0], "/local/domain/7/device/state");
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0, "/local/domain/7",
	    ctx, &perms, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* The grant on the special node went too. */
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0, "@releaseDomain",
	    ctx, &perms, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(perms[0].domid, 0);
	ck_assert_int_eq(store_domain_remove(st, 7, false), ENOENT);
	ck_assert_int_eq(store_domain_remove(st, 0, false), EINVAL);
}
END_TEST

START_TEST(store_domain_remove_keep_orphans_gives_nodes_to_dom0)
{
	struct store_perm *perms;
	unsigned int n;

	store_set_domain_oracle(st, exists_5_to_9, NULL);
	write_str(&dom0, "/o", "");
	set_perms(&dom0, "/o", "b8", NULL, 0);
	ck_assert_int_eq(store_domain_remove(st, 8, true), 0);
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0, "/o", ctx, &perms,
	    &n), 0);
	ck_assert_uint_eq(perms[0].domid, 0);
	ck_assert_uint_eq(perms[0].bits, STORE_PERM_BOTH);
}
END_TEST

START_TEST(store_fire_special_bare_and_per_domid)
{
	struct store_watch *plain, *deep, *one, *spy;
	int spyowner;

	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "@releaseDomain", 0,
	    "plain", -1, ctx, &plain), 0);
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "@releaseDomain", 0,
	    "deep", 1, ctx, &deep), 0);
	ck_assert_int_eq(store_watch_add(st, &dom0, &ev, "@releaseDomain/3",
	    0, "one", -1, ctx, &one), 0);
	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_watch_add(st, &dom5, &spyowner,
	    "@introduceDomain", 0, "spy", -1, ctx, &spy), 0);
	ck_assert_int_eq(store_fire_special(st, "@releaseDomain"), 0);
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_str_eq(ev.token[0], "plain");
	ck_assert_int_eq(store_fire_special(st, "@releaseDomain/3"), 0);
	ck_assert_uint_eq(ev.n, 3);
	ck_assert_int_eq(store_fire_special(st, "@releaseDomain/4"), 0);
	ck_assert_uint_eq(ev.n, 4);
	ck_assert_str_eq(ev.token[3], "deep");
	/* Domain 5 may not read @introduceDomain: nothing for it. */
	ck_assert_int_eq(store_fire_special(st, "@introduceDomain"), 0);
	ck_assert_uint_eq(ev.n, 4);
	ck_assert_int_eq(store_fire_special(st, "@bogus"), ENOENT);
}
END_TEST

static Suite *
ops_suite(void)
{
	Suite *s = suite_create("store_ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, store_initial_tree_has_tool_xenstored);
	tcase_add_test(tc, store_write_creates_parents_and_reads_back);
	tcase_add_test(tc, store_write_keeps_binary_values);
	tcase_add_test(tc, store_directory_keeps_insertion_order);
	tcase_add_test(tc, store_mkdir_existing_is_fine_and_silent);
	tcase_add_test(tc, store_rm_missing_node_needs_parent);
	tcase_add_test(tc, store_rm_fires_descendants_deepest_first_then_node);
	tcase_add_test(tc, store_watch_relative_strip_and_depth);
	tcase_add_test(tc,
	    store_unprivileged_creator_owns_and_others_are_denied);
	tcase_add_test(tc, store_set_perms_rules);
	tcase_add_test(tc, store_quota_nodes_and_node_size);
	tcase_add_test(tc,
	    store_node_size_quota_covers_new_intermediate_nodes);
	tcase_add_test(tc, store_watch_event_filtered_by_read_permission);
	tcase_add_test(tc, store_big_flat_directory);
	tcase_add_test(tc, store_remove_large_and_deep_subtrees_iteratively);
	tcase_add_test(tc, store_check_detects_nothing_wrong_after_churn);
	tcase_add_test(tc, store_oracle_makes_existing_domain_known);
	tcase_add_test(tc,
	    store_domain_remove_deletes_owned_and_strips_grants);
	tcase_add_test(tc,
	    store_domain_remove_keep_orphans_gives_nodes_to_dom0);
	tcase_add_test(tc, store_fire_special_bare_and_per_domid);
	tcase_add_test(tc, store_perms_stale_marks_ignored_entries);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ops_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

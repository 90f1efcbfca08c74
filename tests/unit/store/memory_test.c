/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the store's per-domain memory accounting and the hard
 * memory quota: what a domain makes the store hold (nodes it owns,
 * watches, transactions, charges from the daemon) is counted, given back
 * when the object goes, never goes below zero, and a request that would
 * take an unprivileged domain past its quota fails with ENOMEM and
 * changes nothing. Every test ends with store_check, which recomputes the
 * node bytes of each domain from the tree.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };
static const struct store_caller dom5 = { 5, STORE_DOMID_NONE, false };

static struct store *st;
static TALLOC_CTX *ctx;

static void
no_events(void *owner, const char *path, const char *token, void *arg)
{
	(void)owner;
	(void)path;
	(void)token;
	(void)arg;
}

static void
setup(void)
{
	struct store_perm home[2] = { { 5, STORE_PERM_NONE },
	    { 0, STORE_PERM_NONE } };

	ctx = talloc_new(NULL);
	ck_assert_int_eq(store_create(ctx, no_events, NULL, &st), 0);
	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_write(st, NULL, &dom0, "/local/domain/5", "",
	    0), 0);
	ck_assert_int_eq(store_set_perms(st, NULL, &dom0, "/local/domain/5",
	    home, 1), 0);
}

static void
teardown(void)
{
	char *report = NULL;

	ck_assert_msg(store_check(st, ctx, &report) == 0, "%s",
	    report ? report : "?");
	talloc_free(ctx);
}

static unsigned int
mem_of(unsigned int domid)
{
	unsigned int v = 0;

	ck_assert_int_eq(store_domain_usage(st, domid, STORE_QUOTA_MEMORY,
	    &v), 0);
	return v;
}

static int
write5(const char *path, size_t len)
{
	static char buf[4096];

	memset(buf, 'v', sizeof(buf));
	return store_write(st, NULL, &dom5, path, buf, len);
}

START_TEST(memory_follows_node_create_grow_shrink_remove)
{
	unsigned int base = mem_of(5), a, b, c;

	ck_assert_uint_gt(base, 0);	/* the home node it owns */
	ck_assert_int_eq(write5("/local/domain/5/x", 10), 0);
	a = mem_of(5);
	ck_assert_uint_gt(a, base + 10);
	ck_assert_int_eq(write5("/local/domain/5/x", 1000), 0);
	b = mem_of(5);
	ck_assert_uint_eq(b, a + 990);
	ck_assert_int_eq(write5("/local/domain/5/x", 0), 0);
	c = mem_of(5);
	ck_assert_uint_eq(c, a - 10);
	ck_assert_int_eq(store_rm(st, NULL, &dom5, "/local/domain/5/x"), 0);
	ck_assert_uint_eq(mem_of(5), base);
}
END_TEST

START_TEST(memory_moves_with_the_owner_and_permission_count)
{
	struct store_perm two[2] = { { 5, STORE_PERM_NONE },
	    { 0, STORE_PERM_READ } };
	struct store_perm to0[1] = { { 0, STORE_PERM_NONE } };
	unsigned int base5, base0, with;

	ck_assert_int_eq(write5("/local/domain/5/p", 100), 0);
	base5 = mem_of(5);
	base0 = mem_of(0);
	ck_assert_int_eq(store_set_perms(st, NULL, &dom5, "/local/domain/5/p",
	    two, 2), 0);
	with = mem_of(5);
	ck_assert_uint_eq(with, base5 + sizeof(struct store_perm));
	/* A privileged owner change moves the node's bytes to dom0. */
	ck_assert_int_eq(store_set_perms(st, NULL, &dom0, "/local/domain/5/p",
	    to0, 1), 0);
	ck_assert_uint_lt(mem_of(5), base5 - 100);
	ck_assert_uint_gt(mem_of(0), base0 + 100);
}
END_TEST

START_TEST(memory_counts_watches_and_transactions_until_freed)
{
	struct store_watch *w;
	struct store_tx *tx;
	unsigned int base = mem_of(5), after_watch, after_tx;
	char val[500];

	ck_assert_int_eq(store_watch_add(st, &dom5, &w, "/local/domain/5", 0,
	    "tok", -1, ctx, &w), 0);
	after_watch = mem_of(5);
	ck_assert_uint_gt(after_watch, base + strlen("/local/domain/5tok"));
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &tx), 0);
	memset(val, 'v', sizeof(val));
	ck_assert_int_eq(store_write(st, tx, &dom5, "/local/domain/5/t", val,
	    sizeof(val)), 0);
	after_tx = mem_of(5);
	ck_assert_uint_gt(after_tx, after_watch + sizeof(val));
	/* Aborting gives the transaction's copies back. */
	talloc_free(tx);
	ck_assert_uint_eq(mem_of(5), after_watch);
	talloc_free(w);
	ck_assert_uint_eq(mem_of(5), base);
}
END_TEST

START_TEST(memory_committed_transaction_charges_nodes_not_copies)
{
	struct store_tx *tx;
	unsigned int base = mem_of(5), direct;

	ck_assert_int_eq(write5("/local/domain/5/d", 300), 0);
	direct = mem_of(5) - base;
	ck_assert_int_eq(store_rm(st, NULL, &dom5, "/local/domain/5/d"), 0);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &tx), 0);
	{
		char val[300];

		memset(val, 'v', sizeof(val));
		ck_assert_int_eq(store_write(st, tx, &dom5,
		    "/local/domain/5/d", val, sizeof(val)), 0);
	}
	ck_assert_int_eq(store_tx_commit(st, tx), 0);
	talloc_free(tx);
	ck_assert_uint_eq(mem_of(5) - base, direct);
}
END_TEST

START_TEST(memory_hard_quota_refuses_growth_with_enomem)
{
	struct store_watch *w;
	struct store_tx *tx;
	unsigned int used, nodes_before;
	int i, err = 0;

	ck_assert_int_eq(store_domain_quota_set(st, 5, STORE_QUOTA_MEMORY,
	    mem_of(5) + 8000), 0);
	ck_assert_int_eq(store_domain_quota_set(st, 5, STORE_QUOTA_NODES, 0),
	    0);
	for (i = 0; i < 100 && err == 0; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/local/domain/5/n%d", i);
		err = write5(p, 1000);
	}
	ck_assert_int_eq(err, ENOMEM);
	ck_assert_int_gt(i, 3);		/* some fitted before the quota */
	used = mem_of(5);
	ck_assert_int_eq(store_domain_usage(st, 5, STORE_QUOTA_NODES,
	    &nodes_before), 0);
	/* The failed write left nothing behind. */
	ck_assert_int_eq(store_read(st, NULL, &dom5, "/local/domain/5/n99",
	    ctx, &(char *){ NULL }, &(size_t){ 0 }), ENOENT);
	/* With one byte of room: growing a node, a watch, a transaction. */
	ck_assert_int_eq(store_domain_quota_set(st, 5, STORE_QUOTA_MEMORY,
	    used + 1), 0);
	ck_assert_int_eq(write5("/local/domain/5/n0", 1002), ENOMEM);
	ck_assert_int_eq(store_watch_add(st, &dom5, &w, "/local/domain/5", 0,
	    "tok", -1, ctx, &w), ENOMEM);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &tx), ENOMEM);
	ck_assert_uint_eq(mem_of(5), used);
	/* Shrinking and removing still work, and free room again. */
	ck_assert_int_eq(write5("/local/domain/5/n0", 10), 0);
	ck_assert_int_eq(store_rm(st, NULL, &dom5, "/local/domain/5/n1"), 0);
	ck_assert_int_eq(write5("/local/domain/5/n1", 10), 0);
	/* Privileged callers are never refused. */
	ck_assert_int_eq(store_write(st, NULL, &dom0, "/local/domain/5/big",
	    "x", 1), 0);
	ck_assert(!store_domain_mem_over(st, &dom0, 1u << 30));
	ck_assert(store_domain_mem_over(st, &dom5, 1u << 20));
}
END_TEST

START_TEST(memory_daemon_charges_never_go_negative)
{
	unsigned int base = mem_of(5);

	store_domain_charge(st, 5, 4096);
	ck_assert_uint_eq(mem_of(5), base + 4096);
	store_domain_charge(st, 5, -4096);
	ck_assert_uint_eq(mem_of(5), base);
	/* Giving back more than was charged floors the extra part at 0. */
	store_domain_charge(st, 5, -100000);
	ck_assert_uint_eq(mem_of(5), base);
	/* An unknown domain is ignored. */
	store_domain_charge(st, 77, 100);
	ck_assert_int_eq(store_domain_usage(st, 77, STORE_QUOTA_MEMORY,
	    &(unsigned int){ 0 }), ENOENT);
}
END_TEST

START_TEST(memory_domain_remove_drops_everything_and_restarts_at_zero)
{
	ck_assert_int_eq(write5("/local/domain/5/a/b/c", 2000), 0);
	ck_assert_int_eq(store_domain_remove(st, 5, false), 0);
	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_uint_eq(mem_of(5), 0);
}
END_TEST

static Suite *
memory_suite(void)
{
	Suite *s = suite_create("store_memory");
	TCase *tc = tcase_create("memory");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, memory_follows_node_create_grow_shrink_remove);
	tcase_add_test(tc, memory_moves_with_the_owner_and_permission_count);
	tcase_add_test(tc, memory_counts_watches_and_transactions_until_freed);
	tcase_add_test(tc,
	    memory_committed_transaction_charges_nodes_not_copies);
	tcase_add_test(tc, memory_hard_quota_refuses_growth_with_enomem);
	tcase_add_test(tc, memory_daemon_charges_never_go_negative);
	tcase_add_test(tc,
	    memory_domain_remove_drops_everything_and_restarts_at_zero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(memory_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for store/tx.c: isolation, first-read snapshots, conflicts,
 * the sibling-creation case the C daemon gets wrong, removal and
 * re-creation inside a transaction, all-or-nothing commit, quotas, watch
 * events fired only at commit, and the priority that keeps a losing client
 * from starving.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };
static const struct store_caller dom5 = { 5, STORE_DOMID_NONE, false };

static unsigned int nevents;
static char last_event[256];

static void
record(void *owner, const char *path, const char *token, void *arg)
{
	(void)owner;
	(void)token;
	(void)arg;
	nevents++;
	snprintf(last_event, sizeof(last_event), "%s", path);
}

static struct store *st;
static TALLOC_CTX *ctx;

static void
setup(void)
{
	nevents = 0;
	last_event[0] = '\0';
	ctx = talloc_new(NULL);
	ck_assert_int_eq(store_create(ctx, record, NULL, &st), 0);
}

static void
teardown(void)
{
	char *report = NULL;
	struct store_stats s;

	/* Every test frees its transactions: none may stay counted. */
	store_get_stats(st, &s);
	ck_assert(s.transactions == 0);
	ck_assert_msg(store_check(st, ctx, &report) == 0, "%s",
	    report ? report : "?");
	talloc_free(ctx);
}

static void
put(struct store_tx *tx, const char *p, const char *v)
{
	ck_assert_int_eq(store_write(st, tx, &dom0, p, v, strlen(v)), 0);
}

/* Reads p (in tx or not) and compares with want; NULL want = ENOENT. */
static void
expect(struct store_tx *tx, const char *p, const char *want)
{
	char *v;
	size_t len;
	int err = store_read(st, tx, &dom0, p, ctx, &v, &len);

	if (want == NULL) {
		ck_assert_int_eq(err, ENOENT);
		return;
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(v, want, len);
}

static struct store_tx *
start(unsigned int losses)
{
	struct store_tx *tx;

	ck_assert_int_eq(store_tx_start(st, &dom0, losses, ctx, &tx), 0);
	return tx;
}

static int
commit(struct store_tx *tx)
{
	int err = store_tx_commit(st, tx);

	talloc_free(tx);
	return err;
}

START_TEST(tx_writes_invisible_outside_until_commit)
{
	struct store_tx *tx = start(0);

	put(tx, "/a", "1");
	expect(tx, "/a", "1");
	expect(NULL, "/a", NULL);
	ck_assert_int_eq(commit(tx), 0);
	expect(NULL, "/a", "1");
}
END_TEST

START_TEST(tx_abort_discards)
{
	struct store_tx *tx;

	put(NULL, "/a", "old");
	tx = start(0);
	put(tx, "/a", "new");
	talloc_free(tx);
	expect(NULL, "/a", "old");
}
END_TEST

START_TEST(tx_first_read_snapshots_and_conflict_gives_eagain)
{
	struct store_tx *tx;

	put(NULL, "/n", "a");
	tx = start(0);
	expect(tx, "/n", "a");
	put(NULL, "/n", "b");
	expect(tx, "/n", "a");
	put(tx, "/c", "c");
	expect(tx, "/c", "c");
	ck_assert_int_eq(commit(tx), EAGAIN);
	expect(NULL, "/n", "b");
	expect(NULL, "/c", NULL);
}
END_TEST

START_TEST(tx_blind_write_conflicts_when_node_changes)
{
	struct store_tx *tx;

	put(NULL, "/n", "a");
	tx = start(0);
	put(tx, "/n", "mine");
	put(NULL, "/n", "theirs");
	ck_assert_int_eq(commit(tx), EAGAIN);
	expect(NULL, "/n", "theirs");
}
END_TEST

START_TEST(tx_sibling_creations_do_not_conflict)
{
	struct store_tx *t1, *t2;

	put(NULL, "/p", "");
	t1 = start(0);
	t2 = start(0);
	put(t1, "/p/a", "1");
	put(t2, "/p/b", "2");
	ck_assert_int_eq(commit(t1), 0);
	ck_assert_int_eq(commit(t2), 0);
	expect(NULL, "/p/a", "1");
	expect(NULL, "/p/b", "2");
}
END_TEST

START_TEST(tx_same_child_created_twice_conflicts)
{
	struct store_tx *t1, *t2;

	put(NULL, "/p", "");
	t1 = start(0);
	t2 = start(0);
	put(t1, "/p/a", "1");
	put(t2, "/p/a", "2");
	ck_assert_int_eq(commit(t1), 0);
	ck_assert_int_eq(commit(t2), EAGAIN);
	expect(NULL, "/p/a", "1");
}
END_TEST

START_TEST(tx_directory_sees_own_changes_and_conflicts_on_new_child)
{
	struct store_tx *tx;
	char *names;
	size_t len;
	uint64_t gen;

	put(NULL, "/d/x", "");
	put(NULL, "/d/y", "");
	tx = start(0);
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/d/x"), 0);
	put(tx, "/d/z", "");
	ck_assert_int_eq(store_directory(st, tx, &dom0, "/d", ctx, &names,
	    &len, &gen), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(names, "y\0z\0", 4);
	/* Someone adds a child after we listed: our listing is stale. */
	put(NULL, "/d/w", "");
	ck_assert_int_eq(commit(tx), EAGAIN);
}
END_TEST

START_TEST(tx_rm_then_recreate_replaces_subtree)
{
	struct store_tx *tx;
	char *names;
	size_t len;
	uint64_t gen;

	put(NULL, "/r/old/deep", "x");
	tx = start(0);
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/r"), 0);
	expect(tx, "/r/old/deep", NULL);
	expect(tx, "/r", NULL);
	put(tx, "/r/new", "n");
	expect(tx, "/r/old", NULL);
	ck_assert_int_eq(store_directory(st, tx, &dom0, "/r", ctx, &names,
	    &len, &gen), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(names, "new\0", 4);
	expect(NULL, "/r/old/deep", "x");
	ck_assert_int_eq(commit(tx), 0);
	expect(NULL, "/r/old", NULL);
	expect(NULL, "/r/new", "n");
}
END_TEST

START_TEST(tx_events_fire_only_at_commit)
{
	struct store_tx *tx;
	struct store_watch *w;

	ck_assert_int_eq(store_watch_add(st, &dom0, &nevents, "/e", 0, "t",
	    -1, ctx, &w), 0);
	tx = start(0);
	put(tx, "/e/a/b", "1");
	ck_assert_uint_eq(nevents, 0);
	ck_assert_int_eq(commit(tx), 0);
	/* The written node fires; its implicitly made parents do not. */
	ck_assert_uint_eq(nevents, 1);
	ck_assert_str_eq(last_event, "/e/a/b");
	tx = start(0);
	put(tx, "/e/a/b", "2");
	talloc_free(tx);
	ck_assert_uint_eq(nevents, 1);
}
END_TEST

START_TEST(tx_changed_then_removed_node_fires_at_commit)
{
	struct store_tx *tx;
	struct store_watch *w;

	/*
	 * C fires every node its transaction changed, even one a later RM
	 * of an ancestor took away: a watch on an ancestor (here "/g")
	 * hears of /g/a/b, not only of /g/a (tests/diff found the miss).
	 */
	put(NULL, "/g/a/b", "0");
	ck_assert_int_eq(store_watch_add(st, &dom0, &nevents, "/g", 0, "t",
	    -1, ctx, &w), 0);
	tx = start(0);
	put(tx, "/g/a/b", "1");
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a"), 0);
	ck_assert_int_eq(commit(tx), 0);
	/* /g/a (the removal) and /g/a/b (the change), once each. */
	ck_assert_uint_eq(nevents, 2);
	ck_assert_str_eq(last_event, "/g/a/b");

	/* The same when an implicit parent brings the node back. */
	nevents = 0;
	put(NULL, "/g/a/b", "0");
	nevents = 0;
	tx = start(0);
	put(tx, "/g/a/b", "1");
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a"), 0);
	put(tx, "/g/a/b/c", "1");
	ck_assert_int_eq(commit(tx), 0);
	/*
	 * /g/a (removed, and brought back: fired twice here, one event on
	 * the wire, see daemon/conn_dedup.c), /g/a/b (changed), /g/a/b/c
	 * (written).
	 */
	ck_assert_uint_eq(nevents, 4);

	/* Made here, removed with its parent, made again as a parent. */
	nevents = 0;
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/g/a"), 0);
	put(NULL, "/g/a", "0");
	nevents = 0;
	tx = start(0);
	put(tx, "/g/a/c", "1");
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a"), 0);
	put(tx, "/g/a/c/d", "1");
	ck_assert_int_eq(commit(tx), 0);
	/* /g/a (twice, one on the wire), /g/a/c, /g/a/c/d. */
	ck_assert_uint_eq(nevents, 4);

	/* Removed with its parent, made again, removed again. */
	ck_assert_int_eq(store_rm(st, NULL, &dom0, "/g/a"), 0);
	put(NULL, "/g/a/d", "0");
	nevents = 0;
	tx = start(0);
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a"), 0);
	put(tx, "/g/a/d", "1");
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a/d"), 0);
	ck_assert_int_eq(commit(tx), 0);
	/* /g/a twice (removed, made again: one on the wire), /g/a/d. */
	ck_assert_uint_eq(nevents, 3);
	ck_assert_str_eq(last_event, "/g/a/d");

	/* A node made and removed in one transaction never was: no event. */
	nevents = 0;
	put(NULL, "/g/a", "0");
	nevents = 0;
	tx = start(0);
	put(tx, "/g/a/new", "1");
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/g/a"), 0);
	ck_assert_int_eq(commit(tx), 0);
	ck_assert_uint_eq(nevents, 1);
	ck_assert_str_eq(last_event, "/g/a");
}
END_TEST

/* DIRECTORY of path (in tx or not) must be exactly want (packed). */
static void
expect_dir(struct store_tx *tx, const char *path, const char *want,
    size_t wlen)
{
	char *names;
	size_t len;
	uint64_t gen;

	ck_assert_int_eq(store_directory(st, tx, &dom0, path, ctx, &names,
	    &len, &gen), 0);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(names, want, wlen);
}

START_TEST(tx_created_children_list_in_creation_order)
{
	struct store_tx *tx;

	/*
	 * As in C, whose transaction appends a created child to its copy
	 * of the parent: live children first, then those made here in the
	 * order they were made, not in the order they were first touched
	 * (tests/diff found "b" read before "a" was made listed first).
	 */
	put(NULL, "/o/x", "");
	put(NULL, "/o/y", "");
	tx = start(0);
	expect(tx, "/o/b", NULL);
	put(tx, "/o/a", "1");
	put(tx, "/o/b", "1");
	/* Removed and made again: it moves to the end. */
	ck_assert_int_eq(store_rm(st, tx, &dom0, "/o/x"), 0);
	put(tx, "/o/x", "2");
	expect_dir(tx, "/o", "y\0a\0b\0x", 8);
	ck_assert_int_eq(commit(tx), 0);
	expect_dir(NULL, "/o", "y\0a\0b\0x", 8);
}
END_TEST

START_TEST(tx_set_perms_and_get_perms_inside)
{
	struct store_tx *tx;
	struct store_perm p[2] = { { 0, STORE_PERM_NONE },
	    { 5, STORE_PERM_READ } }, *got;
	unsigned int n;

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	put(NULL, "/sp", "v");
	tx = start(0);
	ck_assert_int_eq(store_set_perms(st, tx, &dom0, "/sp", p, 2), 0);
	ck_assert_int_eq(store_get_perms(st, tx, &dom0, "/sp", ctx, &got, &n),
	    0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0, "/sp", ctx, &got,
	    &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(commit(tx), 0);
	ck_assert_int_eq(store_get_perms(st, NULL, &dom0, "/sp", ctx, &got,
	    &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(got[1].domid, 5);
}
END_TEST

START_TEST(tx_quota_transactions_and_transaction_nodes)
{
	struct store_tx *t[3];
	unsigned int i;
	char p[64];

	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_domain_quota_set(st, 5,
	    STORE_QUOTA_TRANSACTIONS, 2), 0);
	ck_assert_int_eq(store_domain_quota_set(st, 5,
	    STORE_QUOTA_TRANSACTION_NODES, 4), 0);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &t[0]), 0);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &t[1]), 0);
	ck_assert_int_eq(store_tx_start(st, &dom5, 0, ctx, &t[2]), ENOSPC);
	talloc_free(t[1]);
	/* Five distinct reads exceed 4 entries: the transaction fails. */
	for (i = 0; i < 5; i++) {
		char *v;
		size_t len;

		snprintf(p, sizeof(p), "/q%u", i);
		store_read(st, t[0], &dom5, p, ctx, &v, &len);
	}
	ck_assert_int_eq(store_tx_commit(st, t[0]), ENOMEM);
	talloc_free(t[0]);
}
END_TEST

START_TEST(tx_starving_client_gets_priority)
{
	struct store_tx *starving, *other;

	put(NULL, "/counter", "0");
	starving = start(3);		/* lost three times in a row */
	expect(starving, "/counter", "0");
	other = start(0);
	expect(other, "/counter", "0");
	put(other, "/counter", "1");
	/* The other client would overwrite what the starving one read. */
	ck_assert_int_eq(commit(other), EAGAIN);
	put(starving, "/counter", "1");
	ck_assert_int_eq(commit(starving), 0);
	expect(NULL, "/counter", "1");
	/* Priority ends with the transaction. */
	other = start(0);
	expect(other, "/counter", "1");
	put(other, "/counter", "2");
	ck_assert_int_eq(commit(other), 0);
}
END_TEST

START_TEST(tx_priority_lapses_when_idle)
{
	struct store_tx *idle, *other;
	int i, err = EAGAIN;

	put(NULL, "/c", "0");
	idle = start(5);
	expect(idle, "/c", "0");
	for (i = 0; i < 100 && err == EAGAIN; i++) {
		other = start(0);
		put(other, "/c", "x");
		err = commit(other);
	}
	ck_assert_int_eq(err, 0);
	ck_assert_int_lt(i, 100);
	talloc_free(idle);
}
END_TEST

START_TEST(tx_starving_clients_take_turns_by_losses_then_age)
{
	struct store_tx *a, *b, *c;

	put(NULL, "/n", "0");
	a = start(3);
	b = start(5);		/* lost more: goes first */
	c = start(5);		/* as many, but younger than b */
	expect(a, "/n", "0");
	expect(b, "/n", "0");
	expect(c, "/n", "0");
	put(a, "/n", "a");
	put(b, "/n", "b");
	put(c, "/n", "c");
	ck_assert_int_eq(commit(a), EAGAIN);
	ck_assert_int_eq(commit(c), EAGAIN);
	ck_assert_int_eq(commit(b), 0);
	expect(NULL, "/n", "b");
}
END_TEST

START_TEST(tx_priority_waiting_only_for_privileged_and_droppable)
{
	struct store_tx *starving, *other;

	ck_assert(!store_priority_waiting(st));
	starving = start(3);
	ck_assert(store_priority_waiting(st));
	/* Dropped (the daemon's time bound): others commit again. */
	expect(starving, "/tool", "");
	store_priority_drop(st);
	ck_assert(!store_priority_waiting(st));
	other = start(0);
	put(other, "/tool", "x");
	ck_assert_int_eq(commit(other), 0);
	talloc_free(starving);
	/* Who would a new transaction be outranked by? */
	ck_assert(!store_priority_outranks(st, 0));
	starving = start(4);
	ck_assert(store_priority_outranks(st, 0));
	ck_assert(store_priority_outranks(st, 4));	/* older wins ties */
	ck_assert(!store_priority_outranks(st, 5));
	talloc_free(starving);
	ck_assert(!store_priority_outranks(st, 0));
	/* A guest's priority holds nobody back. */
	ck_assert_int_eq(store_domain_add(st, 5), 0);
	ck_assert_int_eq(store_tx_start(st, &dom5, 3, ctx, &starving), 0);
	ck_assert(!store_priority_waiting(st));
	talloc_free(starving);
}
END_TEST

START_TEST(tx_empty_commit_and_abort)
{
	ck_assert_int_eq(commit(start(0)), 0);
	talloc_free(start(0));
}
END_TEST

static Suite *
tx_suite(void)
{
	Suite *s = suite_create("store_tx");
	TCase *tc = tcase_create("tx");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tx_writes_invisible_outside_until_commit);
	tcase_add_test(tc, tx_abort_discards);
	tcase_add_test(tc, tx_first_read_snapshots_and_conflict_gives_eagain);
	tcase_add_test(tc, tx_blind_write_conflicts_when_node_changes);
	tcase_add_test(tc, tx_sibling_creations_do_not_conflict);
	tcase_add_test(tc, tx_same_child_created_twice_conflicts);
	tcase_add_test(tc,
	    tx_directory_sees_own_changes_and_conflicts_on_new_child);
	tcase_add_test(tc, tx_rm_then_recreate_replaces_subtree);
	tcase_add_test(tc, tx_events_fire_only_at_commit);
	tcase_add_test(tc, tx_created_children_list_in_creation_order);
	tcase_add_test(tc, tx_changed_then_removed_node_fires_at_commit);
	tcase_add_test(tc, tx_set_perms_and_get_perms_inside);
	tcase_add_test(tc, tx_quota_transactions_and_transaction_nodes);
	tcase_add_test(tc, tx_starving_client_gets_priority);
	tcase_add_test(tc, tx_priority_lapses_when_idle);
	tcase_add_test(tc, tx_starving_clients_take_turns_by_losses_then_age);
	tcase_add_test(tc,
	    tx_priority_waiting_only_for_privileged_and_droppable);
	tcase_add_test(tc, tx_empty_commit_and_abort);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * world.c: the daemon and tree shared by fuzz_framer and fuzz_request
 * (see world.h). The tree, as a toolstack would leave it:
 *   /local/domain/5            owner 5 ("n5"), the hostile guest's home
 *   /local/domain/5/data       owner 5, "hello"
 *   /local/domain/7            owner 7 ("n7")
 *   /local/domain/7/secret     owner 7 ("n7"), WORLD_SECRET
 *   /local/domain/7/ro         owner 7, readable by all ("r7")
 *   /local/domain/7/shared     owner 7, both for 5 ("n7", "b5")
 *   /vm                        owner 0, readable ("r0")
 * Domains 0, 5 and 7 are known; the existence oracle says domains below
 * 16 exist, so SET_PERMS naming 8..15 makes them known as it would for a
 * created domain. Domain 5's quotas are lowered (nodes 64, watches 8,
 * transactions 4, transaction nodes 32, node size 512) so that a short
 * input can run into each.
 */
#include <string.h>
#include <syslog.h>

#include "daemon/dispatch.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/world.h"

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };

static bool
exists_below_16(unsigned int domid, void *arg)
{
	(void)arg;
	return domid < 16;
}

static void
node(struct store *st, const char *path, const char *val,
    const struct store_perm *perms, unsigned int n)
{
	FUZZ_CHECK(store_write(st, NULL, &dom0, path, val, strlen(val)) == 0);
	FUZZ_CHECK(store_set_perms(st, NULL, &dom0, path, perms, n) == 0);
}

/* Domain 5 made known, its home written and its quotas lowered. */
static void
add_hostile(struct store *st)
{
	static const struct store_perm n5[] = { { 5, STORE_PERM_NONE } };
	static const struct { enum store_quota q; unsigned int v; } low[] = {
		{ STORE_QUOTA_NODES, 64 },
		{ STORE_QUOTA_WATCHES, 8 },
		{ STORE_QUOTA_TRANSACTIONS, 4 },
		{ STORE_QUOTA_TRANSACTION_NODES, 32 },
		{ STORE_QUOTA_NODE_SIZE, 512 },
	};
	unsigned int i;

	FUZZ_CHECK(store_domain_add(st, WORLD_HOSTILE) == 0);
	node(st, "/local/domain/5", "", n5, 1);
	node(st, "/local/domain/5/data", "hello", n5, 1);
	for (i = 0; i < sizeof(low) / sizeof(low[0]); i++)
		FUZZ_CHECK(store_domain_quota_set(st, WORLD_HOSTILE, low[i].q,
		    low[i].v) == 0);
}

struct daemon *
world_new(void)
{
	static const struct store_perm n7[] = { { 7, STORE_PERM_NONE } };
	static const struct store_perm r7[] = { { 7, STORE_PERM_READ } };
	static const struct store_perm r0[] = { { 0, STORE_PERM_READ } };
	static const struct store_perm shared[] = {
		{ 7, STORE_PERM_NONE }, { 5, STORE_PERM_BOTH } };
	struct daemon *d;
	struct store *st;

	/* Debug lines for every request would dominate the run time. */
	setlogmask(LOG_MASK(LOG_EMERG));

	d = daemon_new();
	FUZZ_CHECK(d != NULL);
	FUZZ_CHECK(store_create(d->ctx, watch_deliver, d, &d->store) == 0);
	st = d->store;
	store_set_domain_oracle(st, exists_below_16, NULL);
	add_hostile(st);
	FUZZ_CHECK(store_domain_add(st, WORLD_VICTIM) == 0);
	node(st, "/local/domain/7", "", n7, 1);
	node(st, WORLD_SECRET_PATH, WORLD_SECRET, n7, 1);
	node(st, "/local/domain/7/ro", "readable", r7, 1);
	node(st, "/local/domain/7/shared", "", shared, 2);
	node(st, "/vm", "", r0, 1);
	return d;
}

void
world_make_hostile(struct conn *c)
{
	c->who.domid = WORLD_HOSTILE;
	c->who.target = STORE_DOMID_NONE;
	c->who.priv = false;
}

void
world_check_victim(struct daemon *d)
{
	struct store_perm *perms;
	unsigned int n;
	TALLOC_CTX *tmp;
	size_t len;
	char *val;

	tmp = talloc_new(NULL);
	FUZZ_CHECK(tmp != NULL);
	FUZZ_CHECK(store_read(d->store, NULL, &dom0, WORLD_SECRET_PATH, tmp,
	    &val, &len) == 0);
	FUZZ_CHECK(len == strlen(WORLD_SECRET) &&
	    memcmp(val, WORLD_SECRET, len) == 0);
	FUZZ_CHECK(store_get_perms(d->store, NULL, &dom0, WORLD_SECRET_PATH,
	    tmp, &perms, &n) == 0);
	FUZZ_CHECK(n == 1 && perms[0].domid == WORLD_VICTIM &&
	    perms[0].bits == STORE_PERM_NONE);
	talloc_free(tmp);
}

void
world_check_quotas(struct daemon *d)
{
	static const enum store_quota counted[] = { STORE_QUOTA_NODES,
		STORE_QUOTA_WATCHES, STORE_QUOTA_TRANSACTIONS };
	unsigned int i, used, quota;

	for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
		FUZZ_CHECK(store_domain_usage(d->store, WORLD_HOSTILE,
		    counted[i], &used) == 0);
		FUZZ_CHECK(store_domain_quota_get(d->store, WORLD_HOSTILE,
		    counted[i], &quota) == 0);
		if (used > quota) {
			fprintf(stderr, "domain 5 uses %u %s, quota %u\n",
			    used, store_quota_name(counted[i]), quota);
			abort();
		}
	}
}

void
world_check_store(struct daemon *d)
{
	char *report = NULL;
	int err;

	err = store_check(d->store, NULL, &report);
	if (err != 0) {
		fprintf(stderr, "store_check: %s\n",
		    report != NULL ? report : "(no report)");
		abort();
	}
	talloc_free(report);
}

/* What domain_forget() does once the connection is gone. */
static void
release(struct daemon *d)
{
	FUZZ_CHECK(store_domain_remove(d->store, WORLD_HOSTILE, false) == 0);
	(void)store_fire_special(d->store, "@releaseDomain");
	(void)store_fire_special(d->store, "@releaseDomain/5");
	FUZZ_CHECK(!store_domain_known(d->store, WORLD_HOSTILE));
}

void
world_reintroduce_hostile(struct daemon *d)
{
	release(d);
	world_check_store(d);
	add_hostile(d->store);
	(void)store_fire_special(d->store, "@introduceDomain");
}

void
world_release_hostile(struct daemon *d, bool privileged_ran,
    uint64_t baseline)
{
	struct store_stats stats;

	release(d);
	world_check_store(d);
	store_get_stats(d->store, &stats);
	if (!privileged_ran) {
		FUZZ_CHECK(stats.nodes <= baseline);
		world_check_victim(d);
	}
}

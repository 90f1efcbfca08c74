/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A daemon without its loop, for the harnesses that run requests through
 * the real daemon code (fuzz_framer, fuzz_request): struct daemon as
 * main.c's daemon_new() sets it up, the real store with watch_deliver()
 * as its event callback, and a fixed tree in which domain 5 is the
 * hostile guest and domain 7 a victim (world.c lists the nodes). No
 * hypervisor, no socket listening, no log files: logs are muted.
 */
#ifndef TESTS_FUZZ_WORLD_H
#define TESTS_FUZZ_WORLD_H

#include <stdbool.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

#define WORLD_HOSTILE	5u	/* the attacker's domid */
#define WORLD_VICTIM	7u	/* another guest, which 5 must not harm */
#define WORLD_SECRET_PATH	"/local/domain/7/secret"
#define WORLD_SECRET	"victim-only"

/*
 * Creates the daemon (talloc root; talloc_free() it afterwards) with its
 * store and the fixed tree, with lowered quotas for the hostile domain so
 * that a short input can reach them. Aborts on failure (a harness bug).
 */
struct daemon	*world_new(void);

/* Makes c the hostile domain's connection: domid 5, unprivileged. */
void	world_make_hostile(struct conn *c);

/*
 * The victim's secret node still holds WORLD_SECRET with owner 7 and no
 * access for others; aborts otherwise. Only meaningful while no
 * privileged request ran.
 */
void	world_check_victim(struct daemon *d);

/*
 * Domain 5 holds no more nodes, watches and transactions than its quotas
 * allow; aborts otherwise. Only meaningful while no privileged request
 * ran (dom0 may lower a quota below the usage, or give 5 nodes).
 */
void	world_check_quotas(struct daemon *d);

/* store_check() must pass; aborts with its report otherwise. */
void	world_check_store(struct daemon *d);

/*
 * What a release of the hostile domain does after its connection is
 * gone: store_domain_remove(5) and the @releaseDomain events; then checks
 * the store and that no node owned by 5 is left (node count at most
 * `baseline`, the count after world_new(), when no privileged request ran).
 */
void	world_release_hostile(struct daemon *d, bool privileged_ran,
	    uint64_t baseline);

/*
 * Domain 5 dies and a new domain 5 is introduced, while other
 * connections keep their watches and transactions: the caller has dropped
 * and closed the old connection. Removal as world_release_hostile(), a
 * store_check(), then the new domain's home and quotas as world_new()
 * made them and @introduceDomain.
 */
void	world_reintroduce_hostile(struct daemon *d);

#endif

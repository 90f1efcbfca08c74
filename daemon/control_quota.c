/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONTROL quota and quota-soft: the store's quotas for an administrator.
 *
 *   quota                    the global hard quotas: "name: value text"
 *   quota set <name> <val>   a global hard quota (domains made known
 *                            later get it; running ones keep their copy,
 *                            as with SET_QUOTA)
 *   quota <domid>            that domain's quotas, with its usage where
 *                            the store counts it (nodes, watches,
 *                            transactions)
 *   quota-soft               the soft memory quota
 *   quota-soft set memory <val>
 * 0 disables a check (as in SET_QUOTA and the -Q option; the C daemon
 * refuses 0 here). path-max stops at 2048. "quota max [-r]" (the C
 * daemon's record of the most any domain ever used) is refused with
 * EINVAL: the store keeps no such record, and an invented answer would
 * mislead. The values live in the store; no state here.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "daemon/control.h"
#include "protocol/args.h"

#define QUOTA_PATH_MAX	2048	/* XENSTORE_REL_PATH_MAX */

static const char *const quota_text[STORE_QUOTA_COUNT] = {
	[STORE_QUOTA_NODES] = "Nodes per domain",
	[STORE_QUOTA_WATCHES] = "Watches per domain",
	[STORE_QUOTA_OUTSTANDING] = "Outstanding requests per domain",
	[STORE_QUOTA_MEMORY] = "Memory per domain (bytes)",
	[STORE_QUOTA_SOFT_MEMORY] = "Memory per domain before a warning",
	[STORE_QUOTA_TRANSACTIONS] = "Open transactions per domain",
	[STORE_QUOTA_TRANSACTION_NODES] = "Nodes accessed per transaction",
	[STORE_QUOTA_NODE_PERMISSIONS] = "Permission entries per node",
	[STORE_QUOTA_PATH_MAX] = "Path length (below the domain's home)",
	[STORE_QUOTA_NODE_SIZE] = "Bytes per node",
};

static int
show(struct daemon *d, struct conn *c, struct request *req, bool soft)
{
	enum store_quota q;
	char *text;

	text = talloc_strdup(req->ctx, soft ? "Soft quota settings:\n" :
	    "Quota settings:\n");
	for (q = 0; text != NULL && q < STORE_QUOTA_COUNT; q++) {
		if ((q == STORE_QUOTA_SOFT_MEMORY) != soft)
			continue;
		text = talloc_asprintf_append(text, "%-17s: %8u %s\n",
		    soft ? "memory" : store_quota_name(q),
		    store_quota_get(d->store, q), quota_text[q]);
	}
	if (text == NULL)
		return ENOMEM;
	return dispatch_reply_str(d, c, req, text);
}

static int
set(struct daemon *d, struct conn *c, struct request *req, enum store_quota q,
    const char *value)
{
	unsigned int v;

	if (args_parse_uint(value, &v) != 0 || v == UINT_MAX)
		return EINVAL;
	if (q == STORE_QUOTA_PATH_MAX && v > QUOTA_PATH_MAX)
		return EINVAL;
	store_quota_set(d->store, q, v);
	log_info("control: quota %s set to %u", store_quota_name(q), v);
	return dispatch_reply_str(d, c, req, "OK");
}

static int
show_domain(struct daemon *d, struct conn *c, struct request *req,
    const char *arg)
{
	unsigned int domid, v, used;
	enum store_quota q;
	char *text;
	int err;

	if (args_parse_domid(arg, &domid) != 0)
		return EINVAL;
	if ((err = store_domain_quota_get(d->store, domid, STORE_QUOTA_NODES,
	    &v)) != 0)
		return err;	/* ENOENT: not a domain the store knows */
	text = talloc_asprintf(req->ctx, "Domain %u: used / quota\n", domid);
	for (q = 0; text != NULL && q < STORE_QUOTA_COUNT; q++) {
		if (store_domain_quota_get(d->store, domid, q, &v) != 0)
			return ENOENT;
		if (q == STORE_QUOTA_OUTSTANDING && domain_conn(d, domid))
			text = talloc_asprintf_append(text,
			    "%-17s: %8u / %8u\n", store_quota_name(q),
			    domain_conn(d, domid)->out_count, v);
		else if (store_domain_usage(d->store, domid, q, &used) == 0)
			text = talloc_asprintf_append(text,
			    "%-17s: %8u / %8u\n", store_quota_name(q), used, v);
		else
			text = talloc_asprintf_append(text,
			    "%-17s: %8s / %8u\n", store_quota_name(q), "-", v);
	}
	if (text == NULL)
		return ENOMEM;
	return dispatch_reply_str(d, c, req, text);
}

int
control_quota(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	enum store_quota q;

	if (nargs == 0)
		return show(d, c, req, false);
	if (strcmp(args[0], "set") == 0) {
		if (nargs != 3 || store_quota_lookup(args[1], &q) != 0 ||
		    q == STORE_QUOTA_SOFT_MEMORY)
			return EINVAL;
		return set(d, c, req, q, args[2]);
	}
	if (strcmp(args[0], "max") == 0) {
		log_info("control quota max: not supported, xstored keeps "
		    "no record of the most each domain used");
		return EINVAL;
	}
	if (nargs != 1)
		return EINVAL;
	return show_domain(d, c, req, args[0]);
}

int
control_quota_soft(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	if (nargs == 0)
		return show(d, c, req, true);
	if (nargs != 3 || strcmp(args[0], "set") != 0 ||
	    strcmp(args[1], "memory") != 0)
		return EINVAL;
	return set(d, c, req, STORE_QUOTA_SOFT_MEMORY, args[2]);
}

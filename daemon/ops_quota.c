/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET_QUOTA and SET_QUOTA (privileged; the table checks that).
 *
 *   GET          -> the quota names, space-separated
 *   GET name     -> the global value (the default for domains made known
 *                   later)
 *   GET dom name -> that domain's own value (unknown domain: ENOENT)
 *   SET name val / SET dom name val -> OK
 * Unknown names, bad numbers and UINT_MAX are EINVAL; 0 means no check.
 * The values live in the store; no state here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"

static int
reply_names(struct daemon *d, struct conn *c, const struct request *req)
{
	char *list;
	unsigned int q;

	list = talloc_strdup(req->ctx, "");
	for (q = 0; list != NULL && q < STORE_QUOTA_COUNT; q++)
		list = talloc_asprintf_append(list, "%s%s", q ? " " : "",
		    store_quota_name(q));
	if (list == NULL)
		return ENOMEM;
	return dispatch_reply_str(d, c, req, list);
}

int
op_get_quota(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[3];
	unsigned int argc, domid, v;
	enum store_quota q;
	char buf[16];
	int err;

	args_split(req->payload, req->len, argv, 3, &argc);
	switch (argc) {
	case 0:
		return reply_names(d, c, req);
	case 1:
		if ((err = store_quota_lookup(argv[0], &q)) != 0)
			return err;
		v = store_quota_get(d->store, q);
		break;
	case 2:
		if ((err = args_parse_domid(argv[0], &domid)) != 0 ||
		    (err = store_quota_lookup(argv[1], &q)) != 0 ||
		    (err = store_domain_quota_get(d->store, domid, q, &v)) != 0)
			return err;
		break;
	default:
		return EINVAL;
	}
	(void)snprintf(buf, sizeof(buf), "%u", v);
	return dispatch_reply_str(d, c, req, buf);
}

int
op_set_quota(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[4];
	unsigned int argc, domid, v;
	enum store_quota q;
	int err;

	args_split(req->payload, req->len, argv, 4, &argc);
	if (argc != 2 && argc != 3)
		return EINVAL;
	if ((err = store_quota_lookup(argv[argc - 2], &q)) != 0 ||
	    (err = args_parse_uint(argv[argc - 1], &v)) != 0)
		return err;
	if (v == UINT_MAX)
		return EINVAL;
	if (argc == 2) {
		store_quota_set(d->store, q, v);
	} else {
		if ((err = args_parse_domid(argv[0], &domid)) != 0 ||
		    (err = store_domain_quota_set(d->store, domid, q, v)) != 0)
			return err;
	}
	return dispatch_reply_str(d, c, req, "OK");
}

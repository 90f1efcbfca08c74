/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET_FEATURE and SET_FEATURE: the server feature bits, globally and per
 * domain.
 *
 * State: d->features, the values SET_FEATURE stored for domains not yet
 * introduced, indexed by domid (allocated on first use); an introduction
 * will write them into the domain's ring page (domain.c). A known or
 * introduced domain without an entry has the global set, DAEMON_FEATURES;
 * a domain neither known, introduced nor given an entry is unknown
 * (ENOENT). SET_FEATURE after INTRODUCE is EBUSY.
 */
#include <errno.h>
#include <stdio.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"

#define FEATURE_TABLE_SIZE	(WIRE_DOMID_MAX + 1)

static bool
feature_set(const struct daemon *d, unsigned int domid)
{
	return d->features != NULL &&
	    (d->features[domid] & DAEMON_FEATURE_SET) != 0;
}

static unsigned int
domain_features(const struct daemon *d, unsigned int domid)
{
	if (feature_set(d, domid))
		return d->features[domid] & DAEMON_FEATURES;
	return DAEMON_FEATURES;
}

static int
reply_uint(struct daemon *d, struct conn *c, const struct request *req,
    unsigned int v)
{
	char buf[16];

	(void)snprintf(buf, sizeof(buf), "%u", v);
	return dispatch_reply_str(d, c, req, buf);
}

int
op_get_feature(struct daemon *d, struct conn *c, struct request *req)
{
	const char *arg;
	unsigned int domid;
	int err;

	/* An empty payload asks for the caller's own (a socket's: global). */
	if (req->len == 0)
		return reply_uint(d, c, req, DAEMON_FEATURES);
	if (!c->who.priv)
		return EACCES;
	if ((err = args_single(req->payload, req->len, &arg)) != 0 ||
	    (err = args_parse_domid(arg, &domid)) != 0)
		return err;
	/*
	 * A SET_FEATURE makes a domain known for this purpose, as the C
	 * daemon's domain record made by SET_FEATURE does.
	 */
	if (!store_domain_known(d->store, domid) &&
	    !domain_introduced(d, domid) && !feature_set(d, domid))
		return ENOENT;
	return reply_uint(d, c, req, domain_features(d, domid));
}

int
op_set_feature(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[2];
	unsigned int argc, domid, value;
	int err;

	args_split(req->payload, req->len, argv, 2, &argc);
	if (argc < 2)
		return EINVAL;
	if ((err = args_parse_domid(argv[0], &domid)) != 0 ||
	    (err = args_parse_uint(argv[1], &value)) != 0)
		return err;
	if (value & ~(unsigned int)DAEMON_FEATURES)
		return EINVAL;
	/* Only before introduction: the ring page already has its bits. */
	if (domid == 0 || domain_introduced(d, domid))
		return EBUSY;
	if (d->features == NULL) {
		d->features = talloc_zero_array(d->ctx, uint8_t,
		    FEATURE_TABLE_SIZE);
		if (d->features == NULL)
			return ENOMEM;
	}
	d->features[domid] = (uint8_t)(value | DAEMON_FEATURE_SET);
	return dispatch_reply_str(d, c, req, "OK");
}

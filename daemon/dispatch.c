/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request dispatch: the one table of message types, the checks every
 * request passes before its handler, and the reply path.
 *
 * Before a handler runs, in this order (as the C daemon checks them):
 *  1. the type has a row with a handler, else ENOSYS (unknown types, the
 *     removed RESTRICT (20), >= 27, and WATCH_EVENT/ERROR sent by a
 *     client);
 *  2. DISPATCH_PRIV rows need a privileged caller, else EACCES;
 *  3. unless the row is DISPATCH_NOTX, a nonzero tx_id must name an open
 *     transaction of this connection, else ENOENT.
 * Each request gets a talloc context, freed as soon as its reply (or
 * ERROR) is queued (XSA-416). A reply over 4096 bytes becomes E2BIG
 * (XSA-72). If even an ERROR reply cannot be queued (ENOMEM), the client
 * would wait forever: the connection is ended instead.
 *
 * No I/O here: replies go to conn_queue().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "protocol/path.h"

#define DISPATCH_PRIV	0x1	/* privileged callers only */
#define DISPATCH_NOTX	0x2	/* the header's tx_id is ignored */

struct dispatch_row {
	const char	*name;
	dispatch_fn	*fn;
	unsigned int	 flags;
};

static const struct dispatch_row rows[WIRE_TYPE_COUNT] = {
	[XS_CONTROL] =		{ "CONTROL", op_control, DISPATCH_PRIV },
	[XS_DIRECTORY] =	{ "DIRECTORY", op_directory, 0 },
	[XS_READ] =		{ "READ", op_read, 0 },
	[XS_GET_PERMS] =	{ "GET_PERMS", op_get_perms, 0 },
	[XS_WATCH] =		{ "WATCH", op_watch, DISPATCH_NOTX },
	[XS_UNWATCH] =		{ "UNWATCH", op_unwatch, DISPATCH_NOTX },
	[XS_TRANSACTION_START] = { "TRANSACTION_START",
				    op_transaction_start, 0 },
	[XS_TRANSACTION_END] =	{ "TRANSACTION_END", op_transaction_end, 0 },
	[XS_INTRODUCE] =	{ "INTRODUCE", op_introduce, DISPATCH_PRIV },
	[XS_RELEASE] =		{ "RELEASE", op_release, DISPATCH_PRIV },
	[XS_GET_DOMAIN_PATH] =	{ "GET_DOMAIN_PATH", op_get_domain_path, 0 },
	[XS_WRITE] =		{ "WRITE", op_write, 0 },
	[XS_MKDIR] =		{ "MKDIR", op_mkdir, 0 },
	[XS_RM] =		{ "RM", op_rm, 0 },
	[XS_SET_PERMS] =	{ "SET_PERMS", op_set_perms, 0 },
	[XS_WATCH_EVENT] =	{ "WATCH_EVENT", NULL, 0 },
	[XS_ERROR] =		{ "ERROR", NULL, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED",
				    op_is_domain_introduced, DISPATCH_PRIV },
	[XS_RESUME] =		{ "RESUME", op_resume, DISPATCH_PRIV },
	[XS_SET_TARGET] =	{ "SET_TARGET", op_set_target, DISPATCH_PRIV },
	[XS_RESET_WATCHES] =	{ "RESET_WATCHES", op_reset_watches, 0 },
	[XS_DIRECTORY_PART] =	{ "DIRECTORY_PART", op_directory_part, 0 },
	/* GET_FEATURE checks privilege itself: only a domid needs it. */
	[WIRE_GET_FEATURE] =	{ "GET_FEATURE", op_get_feature, 0 },
	[WIRE_SET_FEATURE] =	{ "SET_FEATURE", op_set_feature,
				    DISPATCH_PRIV },
	[WIRE_GET_QUOTA] =	{ "GET_QUOTA", op_get_quota, DISPATCH_PRIV },
	[WIRE_SET_QUOTA] =	{ "SET_QUOTA", op_set_quota, DISPATCH_PRIV },
};

static int
send_error(struct daemon *d, struct conn *c, const struct xsd_sockmsg *req,
    int err)
{
	struct xsd_sockmsg hdr;
	struct iovec iov;
	const char *name;

	name = wire_error_name(err);
	hdr = *req;
	hdr.type = XS_ERROR;
	iov.iov_base = (void *)(uintptr_t)name;
	iov.iov_len = strlen(name) + 1;
	return conn_queue(d, c, &hdr, &iov, 1);
}

void
dispatch_request(struct daemon *d, struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	const struct dispatch_row *row = NULL;
	struct request req;
	int err;

	memset(&req, 0, sizeof(req));
	req.hdr = *hdr;
	req.payload = payload;
	req.len = hdr->len;
	logs_packet_in(d, c, hdr, payload);

	if (hdr->type < WIRE_TYPE_COUNT && rows[hdr->type].fn != NULL)
		row = &rows[hdr->type];
	log_debug("conn %lu: %s req %u tx %u len %u", c->id,
	    row != NULL ? row->name : "unknown type", hdr->req_id,
	    hdr->tx_id, hdr->len);

	if (row == NULL)
		err = ENOSYS;
	else if ((row->flags & DISPATCH_PRIV) && !c->who.priv)
		err = EACCES;
	else if (!(row->flags & DISPATCH_NOTX) && hdr->tx_id != 0 &&
	    (req.tx = conn_tx_find(c, hdr->tx_id)) == NULL)
		err = ENOENT;
	else if ((req.ctx = talloc_new(c)) == NULL)
		err = ENOMEM;
	else {
		/* The handler may free req.tx (RESET_WATCHES, END). */
		err = row->fn(d, c, &req);
		req.tx = NULL;
		talloc_free(req.ctx);
	}
	if (err == 0)
		return;
	if (send_error(d, c, hdr, err) != 0)
		conn_close(d, c, "out of memory for a reply");
}

int
dispatch_reply(struct daemon *d, struct conn *c, const struct request *req,
    const void *data, size_t len)
{
	struct iovec iov;

	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return conn_queue(d, c, &req->hdr, &iov, 1);
}

int
dispatch_reply_str(struct daemon *d, struct conn *c,
    const struct request *req, const char *s)
{
	return dispatch_reply(d, c, req, s, strlen(s) + 1);
}

int
dispatch_path(struct daemon *d, struct conn *c, struct request *req,
    const char *in, unsigned int flags, char **out, size_t *strip)
{
	unsigned int max = 0;
	size_t dummy;

	/* Privileged callers are bound only by the payload size. */
	if (!c->who.priv &&
	    store_domain_quota_get(d->store, c->who.domid,
	    STORE_QUOTA_PATH_MAX, &max) != 0)
		max = store_quota_get(d->store, STORE_QUOTA_PATH_MAX);
	return path_canonicalize(req->ctx, in, c->who.domid, flags, max, out,
	    strip != NULL ? strip : &dummy);
}

unsigned int
dispatch_atou(const char *s)
{
	long v;

	/*
	 * atoi() is (int)strtol(): junk gives 0, and the value wraps into
	 * an unsigned as the C daemon's assignment does.
	 */
	v = strtol(s, NULL, 10);
	return (unsigned int)v;
}

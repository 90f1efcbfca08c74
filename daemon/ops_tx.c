/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TRANSACTION_START and TRANSACTION_END. The id table and the count of
 * lost commits live in conn_tx.c; the isolation and conflict rules in the
 * store. No state here.
 */
#include <errno.h>
#include <stdio.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"

int
op_transaction_start(struct daemon *d, struct conn *c, struct request *req)
{
	char buf[16];
	uint32_t id;
	int err;

	/* No nesting: a start sent inside an open transaction. */
	if (req->tx != NULL)
		return EBUSY;
	if ((err = conn_tx_start(d, c, &id)) != 0)
		return err;
	(void)snprintf(buf, sizeof(buf), "%u", id);
	if ((err = dispatch_reply_str(d, c, req, buf)) != 0)
		(void)conn_tx_end(d, c, id, false);
	return err;
}

int
op_transaction_end(struct daemon *d, struct conn *c, struct request *req)
{
	const char *arg;
	bool commit;
	int err;

	/* "T" commits, "F" aborts; anything else leaves it open. */
	if (args_single(req->payload, req->len, &arg) != 0 ||
	    !args_parse_bool(arg, &commit))
		return EINVAL;
	if (req->tx == NULL)
		return ENOENT;
	req->tx = NULL;		/* freed by conn_tx_end() either way */
	err = conn_tx_end(d, c, req->hdr.tx_id, commit);
	/* oxenstored's access log has a line per commit and conflict. */
	if (commit && (err == 0 || err == EAGAIN))
		access_log_tx(d, c, req->hdr.tx_id, err == 0);
	if (err != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watches: the WATCH, UNWATCH and RESET_WATCHES handlers, and delivery of
 * the store's watch events to connections.
 *
 * State: none here. A connection's watches are store objects talloc'ed
 * under conn->watches, so freeing that context (RESET_WATCHES, or the
 * connection going away) removes them from every store index (XSA-330).
 *
 * Events: the store calls watch_deliver() synchronously while it applies
 * a change, which may be on behalf of another connection. Delivery only
 * queues a packet; an event whose payload would exceed 4096 bytes is
 * dropped (XSA-324), and a closing connection gets nothing.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"
#include "protocol/path.h"

/*
 * Queues one WATCH_EVENT (req_id 0, tx_id 0, path\0token\0). A watcher we
 * cannot tell about a change (ENOMEM) is disconnected: a silent gap in
 * its events would be worse than a reconnect.
 */
static void
queue_event(struct daemon *d, struct conn *c, const char *path,
    const char *token)
{
	struct xsd_sockmsg hdr;
	struct iovec iov[2];
	char sample[LOG_SAMPLE_SIZE];

	if (c->closing)
		return;
	iov[0].iov_base = (void *)(uintptr_t)path;
	iov[0].iov_len = strlen(path) + 1;
	iov[1].iov_base = (void *)(uintptr_t)token;
	iov[1].iov_len = strlen(token) + 1;
	if (iov[0].iov_len + iov[1].iov_len > XENSTORE_PAYLOAD_MAX) {
		log_debug("conn %lu: dropped an oversized event for %s",
		    c->id, log_sample(path, iov[0].iov_len - 1, sample,
		    sizeof(sample)));
		return;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = XS_WATCH_EVENT;
	if (conn_queue(d, c, &hdr, iov, 2) != 0)
		conn_close(d, c, "out of memory for a watch event");
}

void
watch_deliver(void *owner, const char *path, const char *token, void *arg)
{
	queue_event(arg, owner, path, token);
}

int
op_watch(struct daemon *d, struct conn *c, struct request *req)
{
	struct store_watch *w;
	const char *argv[3];
	unsigned int argc, u;
	char *path;
	size_t strip;
	int depth = -1, err;

	/* wpath\0token\0, plus depth\0 since we advertise WATCHDEPTH. */
	args_split(req->payload, req->len, argv, 3, &argc);
	if (argc != 2 && argc != 3)
		return EINVAL;
	if (argc == 3) {
		if (args_parse_uint(argv[2], &u) != 0 || u > INT_MAX)
			return EINVAL;
		depth = (int)u;
	}
	err = dispatch_path(d, c, req, argv[0], PATH_ALLOW_SPECIAL, &path,
	    &strip);
	if (err != 0)
		return err;
	err = store_watch_add(d->store, &c->who, c, path, strip, argv[1],
	    depth, c->watches, &w);
	if (err != 0)
		return err;
	if ((err = dispatch_reply_str(d, c, req, "OK")) != 0) {
		talloc_free(w);
		return err;
	}
	/* The initial event, right after OK: the path as registered. */
	queue_event(d, c, path + strip, argv[1]);
	return 0;
}

int
op_unwatch(struct daemon *d, struct conn *c, struct request *req)
{
	struct store_watch *w;
	const char *argv[2];
	unsigned int argc;
	char *path;
	int err;

	args_split(req->payload, req->len, argv, 2, &argc);
	if (argc != 2)
		return EINVAL;
	err = dispatch_path(d, c, req, argv[0], PATH_ALLOW_SPECIAL, &path,
	    NULL);
	if (err != 0)
		return err;
	w = store_watch_find(d->store, c, path, argv[1]);
	if (w == NULL)
		return ENOENT;
	talloc_free(w);
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_reset_watches(struct daemon *d, struct conn *c, struct request *req)
{
	TALLOC_CTX *fresh;

	/* Allocate first: failure must leave the watches in place. */
	fresh = talloc_new(c);
	if (fresh == NULL)
		return ENOMEM;
	talloc_free(c->watches);
	c->watches = fresh;
	/*
	 * Transactions go too, including the one this request may have
	 * named: req->tx is dead from here on (XSA-484).
	 */
	conn_tx_reset(c);
	req->tx = NULL;
	return dispatch_reply_str(d, c, req, "OK");
}

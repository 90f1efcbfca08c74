/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request dispatch (dispatch.c) and the message handlers (ops_*.c).
 *
 * dispatch.c owns the one table of message types; a handler runs only
 * after the table's checks (known type, privilege, transaction id) passed.
 * A handler either queues its reply with dispatch_reply*() and returns
 * what that returned, or returns a positive errno, which dispatch.c turns
 * into an ERROR reply. Handlers allocate temporaries under req->ctx, which
 * is freed once the reply is queued.
 */
#ifndef DAEMON_DISPATCH_H
#define DAEMON_DISPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "protocol/wire.h"

struct request {
	struct xsd_sockmsg hdr;
	const char	*payload;	/* hdr.len bytes, not NUL-terminated */
	size_t		 len;
	TALLOC_CTX	*ctx;		/* freed after the reply is queued */
	struct store_tx	*tx;		/* the header's transaction, or NULL */
};

typedef int dispatch_fn(struct daemon *d, struct conn *c,
    struct request *req);

/* ---- dispatch.c ---- */

/*
 * Runs one complete request from c (payload = hdr->len bytes) and queues
 * its reply. May condemn c (conn_close) but never frees it.
 */
void	dispatch_request(struct daemon *d, struct conn *c,
	    const struct xsd_sockmsg *hdr, const char *payload);

/*
 * Queues a reply echoing req's type, req_id and tx_id. Errors: E2BIG (the
 * payload exceeds XENSTORE_PAYLOAD_MAX: nothing queued, XSA-72), ENOMEM.
 */
int	dispatch_reply(struct daemon *d, struct conn *c,
	    const struct request *req, const void *data, size_t len);

/* dispatch_reply() of a C string including its NUL ("OK\0"). */
int	dispatch_reply_str(struct daemon *d, struct conn *c,
	    const struct request *req, const char *s);

/*
 * Canonicalises a path argument for c's caller (relative paths go under
 * its home; the path-max quota applies to unprivileged callers only).
 * strip may be NULL. Errors: EINVAL, ENOMEM.
 */
int	dispatch_path(struct daemon *d, struct conn *c, struct request *req,
	    const char *in, unsigned int flags, char **out, size_t *strip);

/* Parses a decimal like C's atoi() into an unsigned (junk is 0). */
unsigned int dispatch_atou(const char *s);

/* ---- ops_node.c ---- */
dispatch_fn	op_read;
dispatch_fn	op_write;
dispatch_fn	op_mkdir;
dispatch_fn	op_rm;
dispatch_fn	op_directory;
dispatch_fn	op_directory_part;
dispatch_fn	op_get_perms;
dispatch_fn	op_set_perms;

/* ---- ops_watch.c ---- */
dispatch_fn	op_watch;
dispatch_fn	op_unwatch;
dispatch_fn	op_reset_watches;
/* The store's event callback (store_event_fn); arg is the daemon. */
void	watch_deliver(void *owner, const char *path, const char *token,
	    void *arg);

/* ---- ops_tx.c ---- */
dispatch_fn	op_transaction_start;
dispatch_fn	op_transaction_end;

/* ---- ops_domain.c ---- */
dispatch_fn	op_introduce;
dispatch_fn	op_release;
dispatch_fn	op_resume;
dispatch_fn	op_set_target;
dispatch_fn	op_is_domain_introduced;
dispatch_fn	op_get_domain_path;

/* ---- ops_feature.c ---- */
dispatch_fn	op_get_feature;
dispatch_fn	op_set_feature;

/* ---- ops_quota.c ---- */
dispatch_fn	op_get_quota;
dispatch_fn	op_set_quota;

/* ---- ops_control.c ---- */
dispatch_fn	op_control;

#endif

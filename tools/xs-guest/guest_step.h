/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One guest step as the script and the scenarios take it: a request built
 * from words, sent over the connection, its reply judged, and a clear
 * line on stderr when it goes wrong. Results are enum guest_status
 * values (guest_status.h), not errno values: these functions are where
 * the errno values of the layers below become the tool's verdict.
 *
 * Messages: failures print "xs-guest: FAIL: ..." (GUEST_FAILED), and
 * breakdowns "xs-guest: <step>: <reason>" (GUEST_BROKEN); a timeout names
 * the deadline that passed.
 */
#ifndef TOOLS_XS_GUEST_GUEST_STEP_H
#define TOOLS_XS_GUEST_GUEST_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "tools/xs-guest/guest_conn.h"
#include "tools/xs-guest/guest_msg.h"

/*
 * Sends type with argc words (guest_msg_build; lens may be NULL) in
 * transaction tx and waits for its reply, stored in *reply (the caller's).
 * Any reply, ERROR included, is GUEST_OK. GUEST_USAGE: the words make no
 * payload; GUEST_BROKEN: the connection failed (printed).
 */
int	guest_step_req(struct guest_conn *gc, uint32_t tx, uint32_t type,
	    int argc, const char *const *argv, const size_t *lens,
	    struct guest_msg **reply);

/*
 * As guest_step_req, but an ERROR reply is GUEST_FAILED (printed with the
 * request). With reply NULL the reply is freed here.
 */
int	guest_step_ok(struct guest_conn *gc, uint32_t tx, uint32_t type,
	    int argc, const char *const *argv, const size_t *lens,
	    struct guest_msg **reply);

/* guest_step_ok for the common one- and two-string requests. */
int	guest_step_ok1(struct guest_conn *gc, uint32_t tx, uint32_t type,
	    const char *a, struct guest_msg **reply);
int	guest_step_ok2(struct guest_conn *gc, uint32_t tx, uint32_t type,
	    const char *a, const char *b, struct guest_msg **reply);

/*
 * READ path in tx and compare with the want (its strlen bytes):
 * GUEST_FAILED, printed, on an ERROR or another value.
 */
int	guest_step_expect_read(struct guest_conn *gc, uint32_t tx,
	    const char *path, const char *want, size_t want_len);

/*
 * Waits (the connection's timeout) for the event (path, token):
 * GUEST_FAILED, printed, if it does not come.
 */
int	guest_step_expect_event(struct guest_conn *gc, const char *path,
	    const char *token);

/*
 * A round trip (GET_DOMAIN_PATH of domain 0, which changes nothing and
 * needs no permission): once its reply is in, every event caused by an
 * earlier request is queued, since the daemon answers in order.
 */
int	guest_step_barrier(struct guest_conn *gc);

/*
 * Starts a transaction: *tx is its id. GUEST_FAILED on an ERROR reply or
 * a reply that is not a number.
 */
int	guest_step_txstart(struct guest_conn *gc, uint32_t *tx);

/* Prints "xs-guest: FAIL: <message>" and returns GUEST_FAILED. */
int	guest_step_fail(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Prints "xs-guest: <what>: <reason for err>" and returns GUEST_BROKEN
 * (ETIMEDOUT gives the deadline gc waited; EPROTO names the two causes
 * of a corrupt response ring).
 */
int	guest_step_broken(struct guest_conn *gc, int err, const char *what);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_step.c: requests as steps with a verdict.
 *
 * Job: build a request from words, send it over a guest connection, judge
 * the reply, and say clearly on stderr what went wrong: the single place
 * where errno values become GUEST_FAILED or GUEST_BROKEN. Owns no state.
 *
 * Must not: exit, or print to stdout (the script's output is stdout's).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/args.h"
#include "tools/xs-guest/guest_status.h"
#include "tools/xs-guest/guest_step.h"

/* Room for the "TYPE first-word" label of a request in messages. */
#define LABEL_MAX	96

static void
label_of(char *buf, size_t len, uint32_t type, int argc,
    const char *const *argv)
{
	snprintf(buf, len, "%s%s%.64s", guest_msg_type_name(type),
	    argc > 0 ? " " : "", argc > 0 ? argv[0] : "");
}

int
guest_step_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xs-guest: FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return GUEST_FAILED;
}

int
guest_step_broken(struct guest_conn *gc, int err, const char *what)
{
	switch (err) {
	case ETIMEDOUT:
		fprintf(stderr, "xs-guest: %s: no answer within %d ms "
		    "(is the daemon serving this domain?)\n", what,
		    guest_conn_timeout(gc));
		break;
	case EPROTO:
		fprintf(stderr, "xs-guest: %s: the response ring is corrupt "
		    "(bad indexes or a packet over 4096 bytes): a daemon "
		    "bug, or bytes left by an earlier guest process (start "
		    "with -R)\n", what);
		break;
	case ENOBUFS:
		fprintf(stderr, "xs-guest: %s: more than %d packets arrived "
		    "unread\n", what, GUEST_CONN_QUEUE_MAX);
		break;
	default:
		fprintf(stderr, "xs-guest: %s: %s\n", what, strerror(err));
		break;
	}
	return GUEST_BROKEN;
}

int
guest_step_req(struct guest_conn *gc, uint32_t tx, uint32_t type, int argc,
    const char *const *argv, const size_t *lens, struct guest_msg **reply)
{
	char payload[XENSTORE_PAYLOAD_MAX], label[LABEL_MAX];
	size_t len;
	int err;

	*reply = NULL;
	label_of(label, sizeof(label), type, argc, argv);
	err = guest_msg_build(type, argc, argv, lens, payload,
	    sizeof(payload), &len);
	if (err != 0) {
		fprintf(stderr, "xs-guest: %s: %s\n", label, err == E2BIG ?
		    "payload over 4096 bytes" : "a WRITE needs a path");
		return GUEST_USAGE;
	}
	guest_conn_logf(gc, "step: %s", label);
	err = guest_conn_request(gc, type, tx, payload, len, reply);
	if (err != 0)
		return guest_step_broken(gc, err, label);
	return GUEST_OK;
}

int
guest_step_ok(struct guest_conn *gc, uint32_t tx, uint32_t type, int argc,
    const char *const *argv, const size_t *lens, struct guest_msg **reply)
{
	struct guest_msg *m;
	char label[LABEL_MAX];
	int st;

	if (reply != NULL)
		*reply = NULL;
	st = guest_step_req(gc, tx, type, argc, argv, lens, &m);
	if (st != GUEST_OK)
		return st;
	if (guest_msg_error(m) != NULL) {
		label_of(label, sizeof(label), type, argc, argv);
		st = guest_step_fail("%s: ERROR %s", label, m->body);
		guest_msg_free(m);
		return st;
	}
	if (reply != NULL)
		*reply = m;
	else
		guest_msg_free(m);
	return GUEST_OK;
}

int
guest_step_ok1(struct guest_conn *gc, uint32_t tx, uint32_t type,
    const char *a, struct guest_msg **reply)
{
	const char *argv[1] = { a };

	return guest_step_ok(gc, tx, type, 1, argv, NULL, reply);
}

int
guest_step_ok2(struct guest_conn *gc, uint32_t tx, uint32_t type,
    const char *a, const char *b, struct guest_msg **reply)
{
	const char *argv[2] = { a, b };

	return guest_step_ok(gc, tx, type, 2, argv, NULL, reply);
}

int
guest_step_expect_read(struct guest_conn *gc, uint32_t tx, const char *path,
    const char *want, size_t want_len)
{
	struct guest_msg *m;
	int st;

	st = guest_step_ok1(gc, tx, XS_READ, path, &m);
	if (st != GUEST_OK)
		return st;
	if (m->hdr.len != want_len || memcmp(m->body, want, want_len) != 0) {
		fprintf(stderr, "xs-guest: FAIL: READ %s: got \"", path);
		guest_msg_print_bytes(stderr, m->body, m->hdr.len);
		fputs("\", want \"", stderr);
		guest_msg_print_bytes(stderr, want, want_len);
		fputs("\"\n", stderr);
		st = GUEST_FAILED;
	}
	guest_msg_free(m);
	return st;
}

int
guest_step_expect_event(struct guest_conn *gc, const char *path,
    const char *token)
{
	struct guest_msg *m;
	int err;

	guest_conn_logf(gc, "step: expect event %s %s", path, token);
	err = guest_conn_wait_event(gc, path, token, -1, &m);
	if (err == ETIMEDOUT)
		return guest_step_fail("no watch event \"%s %s\" within %d ms "
		    "(%zu other events queued)", path, token,
		    guest_conn_timeout(gc), guest_conn_events(gc));
	if (err != 0)
		return guest_step_broken(gc, err, "waiting for an event");
	guest_msg_free(m);
	return GUEST_OK;
}

int
guest_step_barrier(struct guest_conn *gc)
{
	return guest_step_ok1(gc, 0, XS_GET_DOMAIN_PATH, "0", NULL);
}

int
guest_step_txstart(struct guest_conn *gc, uint32_t *tx)
{
	struct guest_msg *m;
	unsigned int id;
	int st;

	st = guest_step_ok(gc, 0, XS_TRANSACTION_START, 0, NULL, NULL, &m);
	if (st != GUEST_OK)
		return st;
	if (args_parse_uint(m->body, &id) != 0 || id == 0)
		st = guest_step_fail("TRANSACTION_START: reply \"%.32s\" is "
		    "no transaction id", m->body);
	else
		*tx = id;
	guest_msg_free(m);
	return st;
}

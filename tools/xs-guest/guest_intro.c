/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_intro.c: what a toolstack says over the dom0 socket around a
 * domain's introduction.
 *
 * Job: write a new domain's home with its permissions, send INTRODUCE and
 * RELEASE. Owns no state. The simulated domain's files are
 * guest_toolstack.c's job; the socket is guest_sock.c's.
 *
 * Must not: touch the simulator directory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/xs-guest/guest_intro.h"
#include "tools/xs-guest/guest_sock.h"

#define PAYLOAD_MAX	256	/* our payloads: a path and a few perms */

/*
 * Sends one request built from words (as guest_msg_build does) and wants
 * OK; an ERROR reply becomes its errno, printed with what was asked.
 */
static int
must_ok(int fd, int ms, uint32_t *req_id, FILE *trace, uint32_t type,
    int argc, const char *const *argv)
{
	char payload[PAYLOAD_MAX];
	struct guest_msg *reply;
	size_t len;
	int err, i;

	err = guest_msg_build(type, argc, argv, NULL, payload,
	    sizeof(payload), &len);
	if (err != 0)
		return err;
	if (trace != NULL) {
		fprintf(trace, "xs-guest: toolstack: %s",
		    guest_msg_type_name(type));
		for (i = 0; i < argc; i++)
			fprintf(trace, " %s", argv[i]);
		fputc('\n', trace);
	}
	err = guest_sock_request(fd, ms, (*req_id)++, type, 0, payload, len,
	    &reply);
	if (err != 0)
		return err;
	err = guest_msg_errno(reply);
	if (err != 0)
		fprintf(stderr, "xs-guest: toolstack: %s %s: ERROR %s\n",
		    guest_msg_type_name(type), argv[0], reply->body);
	guest_msg_free(reply);
	return err;
}

int
guest_intro_home(int fd, int ms, uint32_t *req_id, unsigned int domid,
    FILE *trace)
{
	char home[64], data[80], control[80], feature[128], owner[16];
	char reader[16];
	const char *argv[3];
	int err;

	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	snprintf(data, sizeof(data), "%s/data", home);
	snprintf(control, sizeof(control), "%s/control", home);
	snprintf(feature, sizeof(feature),
	    "%s/platform-feature-xs_reset_watches", control);
	snprintf(owner, sizeof(owner), "n%u", domid);
	snprintf(reader, sizeof(reader), "r%u", domid);

	/* Each node: write, then its permissions (n0 rN, or owner N). */
	argv[0] = home;
	argv[1] = "";
	if ((err = must_ok(fd, ms, req_id, trace, XS_WRITE, 2, argv)) != 0)
		return err;
	argv[1] = "n0";
	argv[2] = reader;
	if ((err = must_ok(fd, ms, req_id, trace, XS_SET_PERMS, 3, argv)) !=
	    0)
		return err;

	argv[0] = data;
	argv[1] = "";
	if ((err = must_ok(fd, ms, req_id, trace, XS_WRITE, 2, argv)) != 0)
		return err;
	argv[1] = owner;
	if ((err = must_ok(fd, ms, req_id, trace, XS_SET_PERMS, 2, argv)) !=
	    0)
		return err;

	argv[0] = control;
	argv[1] = "";
	if ((err = must_ok(fd, ms, req_id, trace, XS_WRITE, 2, argv)) != 0)
		return err;
	argv[1] = "n0";
	argv[2] = reader;
	if ((err = must_ok(fd, ms, req_id, trace, XS_SET_PERMS, 3, argv)) !=
	    0)
		return err;

	argv[0] = feature;
	argv[1] = "1";
	if ((err = must_ok(fd, ms, req_id, trace, XS_WRITE, 2, argv)) != 0)
		return err;
	argv[1] = "n0";
	argv[2] = reader;
	return must_ok(fd, ms, req_id, trace, XS_SET_PERMS, 3, argv);
}

int
guest_intro_introduce(int fd, int ms, uint32_t *req_id, unsigned int domid,
    unsigned long mfn, unsigned int port, struct guest_msg **reply)
{
	char payload[64];
	int n;

	n = snprintf(payload, sizeof(payload), "%u%c%lu%c%u%c", domid, '\0',
	    mfn, '\0', port, '\0');
	if (n < 0 || (size_t)n >= sizeof(payload))
		return E2BIG;
	return guest_sock_request(fd, ms, (*req_id)++, XS_INTRODUCE, 0,
	    payload, (size_t)n, reply);
}

int
guest_intro_release(int fd, int ms, uint32_t *req_id, unsigned int domid,
    struct guest_msg **reply)
{
	char payload[16];
	int n;

	n = snprintf(payload, sizeof(payload), "%u%c", domid, '\0');
	if (n < 0 || (size_t)n >= sizeof(payload))
		return E2BIG;
	return guest_sock_request(fd, ms, (*req_id)++, XS_RELEASE, 0,
	    payload, (size_t)n, reply);
}

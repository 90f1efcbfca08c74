/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain management requests: INTRODUCE, RELEASE, RESUME, SET_TARGET,
 * IS_DOMAIN_INTRODUCED, GET_DOMAIN_PATH: argument parsing in the C
 * daemon's order, so that a bad request gets the same error in every mode;
 * the work is domain.c's. Without a hypervisor INTRODUCE fails where the
 * C daemon fails when it cannot map the ring (the backend says with which
 * errno).
 *
 * No state here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "daemon/dispatch.h"
#include "daemon/hypervisor.h"
#include "protocol/args.h"
#include "protocol/path.h"

/* The domid argument of a one-argument request. */
static int
single_domid(const struct request *req, unsigned int *domid)
{
	const char *arg;
	int err;

	if ((err = args_single(req->payload, req->len, &arg)) != 0)
		return err;
	return args_parse_domid(arg, domid);
}

int
op_introduce(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[3];
	unsigned int argc, domid, port;
	unsigned long gfn;
	int err;

	/* domid\0gfn\0evtchn\0; the gfn is not used (grant ref 1 is). */
	args_split(req->payload, req->len, argv, 3, &argc);
	if (argc < 3)
		return EINVAL;
	if ((err = args_parse_domid(argv[0], &domid)) != 0)
		return err;
	/* The port is read with atoi() as C does: junk is 0, and 0 fails. */
	port = dispatch_atou(argv[2]);
	if (port == 0)
		return EINVAL;
	/* The frame number: for a foreign-mapping fallback only. */
	gfn = strtoul(argv[1], NULL, 10);
	if ((err = domain_introduce(d, domid, gfn, port)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

/* RELEASE and RESUME: the C daemon refuses its own domain outright. */
static int
introduced_domid(const struct daemon *d, const struct request *req,
    unsigned int *domid)
{
	int err;

	if ((err = single_domid(req, domid)) != 0)
		return err;
	if (*domid == 0)
		return EINVAL;
	if (!domain_introduced(d, *domid))
		return ENOENT;
	return 0;
}

int
op_release(struct daemon *d, struct conn *c, struct request *req)
{
	unsigned int domid;
	int err;

	if ((err = introduced_domid(d, req, &domid)) != 0 ||
	    (err = domain_release(d, domid)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_resume(struct daemon *d, struct conn *c, struct request *req)
{
	unsigned int domid;
	int err;

	if ((err = introduced_domid(d, req, &domid)) != 0 ||
	    (err = domain_resume(d, domid)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_set_target(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[2];
	unsigned int argc, domid, tdomid;
	int err;

	args_split(req->payload, req->len, argv, 2, &argc);
	if (argc < 2)
		return EINVAL;
	if ((err = args_parse_domid(argv[0], &domid)) != 0 ||
	    (err = args_parse_domid(argv[1], &tdomid)) != 0)
		return err;
	if ((err = domain_set_target(d, domid, tdomid)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_is_domain_introduced(struct daemon *d, struct conn *c,
    struct request *req)
{
	unsigned int domid;
	bool known;
	int err;

	if ((err = single_domid(req, &domid)) != 0)
		return err;
	/* Domain 0 is the socket's domain and always present. */
	known = domid == WIRE_DOMID_SELF || domid == 0 ||
	    domain_introduced(d, domid);
	return dispatch_reply_str(d, c, req, known ? "T" : "F");
}

int
op_get_domain_path(struct daemon *d, struct conn *c, struct request *req)
{
	unsigned int domid;
	char *path;
	int err;

	/* Formatting only: any domid, known or not. */
	if ((err = single_domid(req, &domid)) != 0)
		return err;
	if ((path = path_domain_home(req->ctx, domid)) == NULL)
		return ENOMEM;
	return dispatch_reply_str(d, c, req, path);
}

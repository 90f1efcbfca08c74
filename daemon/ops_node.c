/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handlers for the node operations: READ, WRITE, MKDIR, RM, DIRECTORY,
 * DIRECTORY_PART, GET_PERMS, SET_PERMS.
 *
 * Each parses its arguments (one-argument requests must be exactly one
 * NUL-terminated string; others count complete strings and fail with
 * EINVAL if too few), canonicalises the path for the caller, and calls the
 * store inside the request's transaction, if any. The store decides
 * permissions, quotas and which watches fire; nothing here keeps state.
 */
#include <errno.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"
#include "protocol/dirpart.h"
#include "protocol/path.h"

/* The one path argument of READ, MKDIR, RM, DIRECTORY, GET_PERMS. */
static int
single_path(struct daemon *d, struct conn *c, struct request *req,
    unsigned int flags, char **path)
{
	const char *arg;
	int err;

	err = args_single(req->payload, req->len, &arg);
	if (err != 0)
		return err;
	return dispatch_path(d, c, req, arg, flags, path, NULL);
}

int
op_read(struct daemon *d, struct conn *c, struct request *req)
{
	char *path, *val;
	size_t len;
	int err;

	if ((err = single_path(d, c, req, 0, &path)) != 0)
		return err;
	err = store_read(d->store, req->tx, &c->who, path, req->ctx, &val,
	    &len);
	if (err != 0)
		return err;
	return dispatch_reply(d, c, req, val, len);
}

int
op_write(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[1];
	unsigned int argc;
	size_t off;
	char *path;
	int err;

	/* path\0 then raw bytes, which may hold NULs of their own. */
	args_split(req->payload, req->len, argv, 1, &argc);
	if (argc < 1)
		return EINVAL;
	if ((err = dispatch_path(d, c, req, argv[0], 0, &path, NULL)) != 0)
		return err;
	off = strlen(argv[0]) + 1;
	err = store_write(d->store, req->tx, &c->who, path,
	    req->payload + off, req->len - off);
	if (err != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_mkdir(struct daemon *d, struct conn *c, struct request *req)
{
	char *path;
	int err;

	if ((err = single_path(d, c, req, 0, &path)) != 0)
		return err;
	if ((err = store_mkdir(d->store, req->tx, &c->who, path)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_rm(struct daemon *d, struct conn *c, struct request *req)
{
	char *path;
	int err;

	if ((err = single_path(d, c, req, 0, &path)) != 0)
		return err;
	if ((err = store_rm(d->store, req->tx, &c->who, path)) != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_directory(struct daemon *d, struct conn *c, struct request *req)
{
	char *path, *names;
	uint64_t gen;
	size_t len;
	int err;

	if ((err = single_path(d, c, req, 0, &path)) != 0)
		return err;
	err = store_directory(d->store, req->tx, &c->who, path, req->ctx,
	    &names, &len, &gen);
	if (err != 0)
		return err;
	/* Over 4096: E2BIG, and libxenstore falls back to DIRECTORY_PART. */
	return dispatch_reply(d, c, req, names, len);
}

int
op_directory_part(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[2];
	unsigned int argc;
	char *path, *names, *out;
	uint64_t gen;
	size_t len, outlen;
	int err;

	args_split(req->payload, req->len, argv, 2, &argc);
	if (argc != 2)
		return EINVAL;
	if ((err = dispatch_path(d, c, req, argv[0], 0, &path, NULL)) != 0)
		return err;
	err = store_directory(d->store, req->tx, &c->who, path, req->ctx,
	    &names, &len, &gen);
	if (err != 0)
		return err;
	out = talloc_size(req->ctx, XENSTORE_PAYLOAD_MAX);
	if (out == NULL)
		return ENOMEM;
	/* The offset is read with atoi(): junk is 0, "-1" is past the end. */
	err = dirpart_build(names, len, gen, dispatch_atou(argv[1]), out,
	    XENSTORE_PAYLOAD_MAX, &outlen);
	if (err != 0)
		return err;
	return dispatch_reply(d, c, req, out, outlen);
}

int
op_get_perms(struct daemon *d, struct conn *c, struct request *req)
{
	struct store_perm *perms;
	unsigned int n;
	char *path, *text;
	size_t len;
	int err;

	if ((err = single_path(d, c, req, PATH_ALLOW_SPECIAL, &path)) != 0)
		return err;
	err = store_get_perms(d->store, req->tx, &c->who, path, req->ctx,
	    &perms, &n);
	if (err != 0)
		return err;
	if ((err = store_perms_format(req->ctx, perms, n, &text, &len)) != 0)
		return err;
	return dispatch_reply(d, c, req, text, len);
}

int
op_set_perms(struct daemon *d, struct conn *c, struct request *req)
{
	struct store_perm *perms;
	const char **argv, *first[1];
	unsigned int argc, n;
	char *path;
	int err;

	/* path\0perm\0perm\0...: count first, then take them all. */
	args_split(req->payload, req->len, first, 1, &argc);
	if (argc < 2)
		return EINVAL;
	argv = talloc_array(req->ctx, const char *, argc);
	if (argv == NULL)
		return ENOMEM;
	args_split(req->payload, req->len, argv, argc, &n);

	err = store_perms_parse(req->ctx, argv + 1, argc - 1, &perms);
	if (err != 0)
		return err;
	/* As in C: an unknown owner is ENOENT before the path is checked. */
	if ((err = store_perms_check_owner(d->store, perms)) != 0)
		return err;
	err = dispatch_path(d, c, req, argv[0], PATH_ALLOW_SPECIAL, &path,
	    NULL);
	if (err != 0)
		return err;
	err = store_set_perms(d->store, req->tx, &c->who, path, perms,
	    argc - 1);
	if (err != 0)
		return err;
	return dispatch_reply_str(d, c, req, "OK");
}

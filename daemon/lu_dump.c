/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live update: the daemon's state as Xen's stream (state/stream.h), in
 * the order 4.17 writes it: GLOBAL (listening socket, event-channel fd),
 * one CONN per live connection with its unprocessed input and unsent
 * output (dom0's ring first; a stand-in for it when we serve none, since
 * a 4.17 reader creates its tree when it restores dom0's ring), xstored's
 * extras (quota defaults, each known domain's quotas and features), the
 * WATCHes (each after all the CONNs, which 4.17's reader allows), the
 * two special nodes' permissions, every node parents first, END.
 *
 * Transactions are not carried (as in C): their clients find them gone.
 * Permission entries the store ignores (XSA-322: their domain died, or
 * was not known when they were set) carry 4.17's ignore flag.
 *
 * The tree walk is iterative (an explicit stack of paths): no recursion
 * on guest-controlled depth. The stream is built in memory, then written
 * with every short write retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/hypervisor.h"
#include "ringio/ringio.h"
#include "state/stream.h"

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };

struct dump {
	struct daemon	*d;
	struct state_writer *w;
	TALLOC_CTX	*ctx;
	int		 err;
};

/* The connection's pending output as one buffer; *resp: partial head. */
static int
conn_output(TALLOC_CTX *ctx, const struct conn *c, const struct conn *req,
    const struct xsd_sockmsg *req_hdr, char **out, size_t *len,
    size_t *resp)
{
	const struct conn_out *o;
	struct xsd_sockmsg ok;
	size_t n = 0, off, done;
	char *buf;

	done = c->ring != NULL ? ringio_conn_out_done(c->ring) :
	    (c->out_head != NULL ? c->out_head->off : 0);
	for (o = c->out_head; o != NULL; o = o->next)
		n += o->len;
	n -= done;
	if (c == req)
		n += WIRE_HDR_SIZE + 3;
	buf = talloc_size(ctx, n + 1);
	if (buf == NULL)
		return ENOMEM;
	off = 0;
	for (o = c->out_head; o != NULL; o = o->next) {
		size_t skip = o == c->out_head ? done : 0;

		memcpy(buf + off, o->data + skip, o->len - skip);
		off += o->len - skip;
	}
	if (c == req) {
		ok = *req_hdr;
		ok.type = XS_CONTROL;
		ok.len = 3;
		memcpy(buf + off, &ok, WIRE_HDR_SIZE);
		memcpy(buf + off + WIRE_HDR_SIZE, "OK", 3);
		off += WIRE_HDR_SIZE + 3;
	}
	*out = buf;
	*len = off;
	*resp = done;
	return 0;
}

static int
write_conn(struct dump *dp, struct conn *c, const struct conn *req,
    const struct xsd_sockmsg *req_hdr)
{
	struct state_conn sc;
	const char *in;
	char *out;
	size_t in_len, out_len, resp;
	int err;

	memset(&sc, 0, sizeof(sc));
	sc.id = c->lu_id;
	if (c->ring != NULL) {
		sc.type = STATE_CONN_RING;
		sc.domid = (uint16_t)c->who.domid;
		sc.tdomid = c->who.target == STORE_DOMID_NONE ?
		    STATE_DOMID_INVALID : (uint16_t)c->who.target;
		sc.evtchn = domain_port(dp->d, c->who.domid);
		ringio_conn_pending_in(c->ring, &in, &in_len);
	} else {
		sc.type = STATE_CONN_SOCKET;
		sc.fd = c->src.fd;
		in = c->in;
		in_len = c->in_len;
	}
	if (in_len > UINT16_MAX)
		return E2BIG;
	err = conn_output(dp->ctx, c, req, req_hdr, &out, &out_len, &resp);
	if (err != 0)
		return err;
	if (out_len > UINT32_MAX)
		return E2BIG;
	sc.in = in;
	sc.in_len = (uint16_t)in_len;
	sc.out = out;
	sc.out_len = (uint32_t)out_len;
	sc.resp_len = (uint16_t)resp;
	err = state_write_conn(dp->w, &sc);
	talloc_free(out);
	return err;
}

static void
visit_watch(void *owner, const char *path, size_t strip, const char *token,
    int depth, void *arg)
{
	struct dump *dp = arg;
	const struct conn *c = owner;
	struct state_watch w;

	if (dp->err != 0 || c->closing)
		return;
	w.conn_id = c->lu_id;
	w.path = path + strip;
	w.token = token;
	w.depth = depth;
	dp->err = state_write_watch(dp->w, &w);
}

/* A store permission list as the stream's (stale: 4.17's ignore flag). */
static struct state_perm *
stream_perms(TALLOC_CTX *ctx, const struct store_perm *p, const bool *stale,
    unsigned int n)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };
	struct state_perm *sp;
	unsigned int i;

	sp = talloc_array(ctx, struct state_perm, n);
	if (sp == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		sp[i].access = letter[p[i].bits & STORE_PERM_BOTH];
		sp[i].flags = stale[i] ? STATE_PERM_IGNORE : 0;
		sp[i].domid = (uint16_t)p[i].domid;
	}
	return sp;
}

static int
write_node(struct dump *dp, TALLOC_CTX *tmp, const char *path, bool value)
{
	struct store_perm *perms;
	struct state_node n;
	unsigned int np, ns;
	bool *stale;
	size_t len = 0;
	char *val = NULL;
	int err;

	err = store_get_perms(dp->d->store, NULL, &dom0, path, tmp, &perms,
	    &np);
	if (err == 0)
		err = store_perms_stale(dp->d->store, path, tmp, &stale, &ns);
	if (err == 0 && value)
		err = store_read(dp->d->store, NULL, &dom0, path, tmp, &val,
		    &len);
	if (err != 0)
		return err;
	if (ns != np)
		return EIO;
	if (len > UINT16_MAX || np > UINT16_MAX)
		return E2BIG;
	n.path = path;
	n.value = val;
	n.len = (uint16_t)len;
	n.nperms = (uint16_t)np;
	n.perms = stream_perms(tmp, perms, stale, np);
	if (n.perms == NULL)
		return ENOMEM;
	return state_write_node(dp->w, &n);
}

/* Depth-first pre-order from "/", children in the store's order. */
static int
write_tree(struct dump *dp)
{
	TALLOC_CTX *tmp;
	char **stack, *path, *names, *child;
	size_t depth = 0, cap = 64, len, off, nkids, i;
	uint64_t gen;
	int err = 0;

	stack = talloc_array(dp->ctx, char *, cap);
	if (stack == NULL)
		return ENOMEM;
	stack[depth++] = talloc_strdup(stack, "/");
	if (stack[0] == NULL)
		return ENOMEM;
	while (depth > 0 && err == 0) {
		path = stack[--depth];
		tmp = talloc_new(dp->ctx);
		if (tmp == NULL)
			return ENOMEM;
		err = write_node(dp, tmp, path, true);
		if (err == 0)
			err = store_directory(dp->d->store, NULL, &dom0, path,
			    tmp, &names, &len, &gen);
		/* Pushed in reverse, so popped in the store's order. */
		for (nkids = 0, off = 0; err == 0 && off < len;
		    off += strlen(names + off) + 1)
			nkids++;
		if (err == 0 && depth + nkids > cap) {
			while (depth + nkids > cap)
				cap *= 2;
			stack = talloc_realloc(dp->ctx, stack, char *, cap);
			if (stack == NULL)
				err = ENOMEM;
		}
		off = len;
		for (i = 0; err == 0 && i < nkids; i++) {
			/* Walk back to the start of the previous name. */
			off--;
			while (off > 0 && names[off - 1] != '\0')
				off--;
			child = talloc_asprintf(stack, "%s/%s",
			    strcmp(path, "/") == 0 ? "" : path, names + off);
			if (child == NULL)
				err = ENOMEM;
			else
				stack[depth + i] = child;
		}
		if (err == 0)
			depth += nkids;
		talloc_free(tmp);
		talloc_free(path);
	}
	return err;
}

static int
write_extras(struct dump *dp)
{
	struct daemon *d = dp->d;
	struct state_domain sd;
	uint32_t q[STORE_QUOTA_COUNT];
	unsigned int i, v, id;
	bool known, fset;
	int err;

	for (i = 0; i < STORE_QUOTA_COUNT; i++)
		q[i] = store_quota_get(d->store, (enum store_quota)i);
	if ((err = state_write_xs_global(dp->w, q, STORE_QUOTA_COUNT)) != 0)
		return err;
	for (id = 0; id < 0x7FF0; id++) {
		known = store_domain_known(d->store, id);
		fset = d->features != NULL &&
		    (d->features[id] & DAEMON_FEATURE_SET);
		if (!known && !fset)
			continue;
		memset(&sd, 0, sizeof(sd));
		sd.domid = (uint16_t)id;
		sd.features_set = fset;
		sd.features = fset ? d->features[id] & ~DAEMON_FEATURE_SET : 0;
		for (i = 0; known && i < STORE_QUOTA_COUNT; i++) {
			if (store_domain_quota_get(d->store, id,
			    (enum store_quota)i, &v) != 0)
				break;
			sd.quota[i] = v;
			sd.nquota = (uint16_t)(i + 1);
		}
		if ((err = state_write_xs_domain(dp->w, &sd)) != 0)
			return err;
	}
	return 0;
}

/* Writes all of buf to a new file at path (0600). Errors: errno. */
static int
write_file(const char *path, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1 && err == 0)
		err = errno;
	if (err != 0)
		(void)unlink(path);
	return err;
}

int
lu_dump(struct daemon *d, const char *path, const struct conn *req_conn,
    const struct xsd_sockmsg *req_hdr, char *why, size_t whysz)
{
	const struct hypervisor_ops *hv = d->cfg.hv;
	struct dump dp;
	struct conn *c, *dom0c;
	struct state_conn stand_in;
	unsigned int port = 0;
	const void *buf;
	size_t len;
	uint32_t id = 1;
	int err;

	memset(&dp, 0, sizeof(dp));
	dp.d = d;
	dp.ctx = talloc_new(d->ctx);
	if (dp.ctx == NULL || state_writer_new(dp.ctx, &dp.w) != 0) {
		talloc_free(dp.ctx);
		snprintf(why, whysz, "out of memory");
		return ENOMEM;
	}
	/* The fd the new process inherits is the backend's; see lu.c. */
	err = state_write_global(dp.w, d->listen_src.fd, d->hv_inherit_fd);

	/* dom0's ring first, or a stand-in a 4.17 reader needs. */
	dom0c = domain_conn(d, 0);
	if (dom0c != NULL) {
		dom0c->lu_id = id++;
		if (err == 0)
			err = write_conn(&dp, dom0c, req_conn, req_hdr);
	} else if (err == 0) {
		memset(&stand_in, 0, sizeof(stand_in));
		stand_in.id = id++;
		stand_in.type = STATE_CONN_RING;
		stand_in.tdomid = STATE_DOMID_INVALID;
		if (d->hv_ready && hv->dom0_port != NULL &&
		    hv->dom0_port(d, &port) == 0)
			stand_in.evtchn = port;
		err = state_write_conn(dp.w, &stand_in);
	}
	for (c = d->conns; c != NULL && err == 0; c = c->next) {
		if (c->closing || c == dom0c)
			continue;
		c->lu_id = id++;
		err = write_conn(&dp, c, req_conn, req_hdr);
	}
	if (err == 0)
		err = write_extras(&dp);
	if (err == 0) {
		store_watch_each(d->store, visit_watch, &dp);
		err = dp.err;
	}
	if (err == 0)
		err = write_node(&dp, dp.ctx, "@releaseDomain", false);
	if (err == 0)
		err = write_node(&dp, dp.ctx, "@introduceDomain", false);
	if (err == 0)
		err = write_tree(&dp);
	if (err == 0)
		err = state_write_end(dp.w, &buf, &len);
	if (err != 0) {
		snprintf(why, whysz, "building the dump: %s", strerror(err));
		talloc_free(dp.ctx);
		return err;
	}
	err = write_file(path, buf, len);
	if (err != 0)
		snprintf(why, whysz, "%s: %s", path, strerror(err));
	else
		log_info("live-update: %zu bytes of state in %s", len, path);
	talloc_free(dp.ctx);
	return err;
}

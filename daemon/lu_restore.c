/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live update, the new process's side (-U): read the dump the old
 * process (xstored, or Xen's C xenstored 4.17) left in
 * <rundir>/state_dump, check all of it (state/reader.c) before anything
 * is used, then rebuild: quotas and domains, dom0's and the guests' rings
 * on their existing ports (mapped again, nothing written to the pages),
 * the tree and the special nodes' permissions, the socket clients on
 * their inherited fds with their unprocessed input and unsent output
 * (including the "OK" for whoever asked for the update), and the
 * watches. Then the dump is deleted.
 *
 * Any failure is returned with a reason: main() then exits non-zero
 * rather than serve a half-restored store (the dump stays for a look).
 * Connections that cannot be re-attached (a ring that no longer maps, as
 * the C daemon marks them ignored) are left out with a warning, with
 * their watches. Order matters for XSA-322: domains are made known before
 * the nodes whose permissions name them are restored.
 *
 * State: the image, between lu_restore_read() and lu_restore_apply(),
 * and the dump's bytes it points into (d->lu_image, under d->ctx).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/dispatch.h"
#include "daemon/hypervisor.h"
#include "protocol/path.h"
#include "ringio/ringio.h"
#include "state/stream.h"

#define DUMMY_DONE	WIRE_HDR_SIZE	/* see restore_ring_out() */

static const struct store_caller dom0 = { 0, STORE_DOMID_NONE, true };

/* Reads the whole file into a buffer under ctx. Errors: errno. */
static int
read_file(TALLOC_CTX *ctx, const char *path, char **out, size_t *len)
{
	struct stat sb;
	size_t got = 0;
	ssize_t n;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno;
	if (fstat(fd, &sb) == -1) {
		err = errno;
		close(fd);
		return err;
	}
	buf = talloc_size(ctx, (size_t)sb.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n == 0 ? EIO : errno;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (err != 0) {
		talloc_free(buf);
		return err;
	}
	*out = buf;
	*len = got;
	return 0;
}

/* An inherited socket: ours again (non-blocking, closed on exec). */
static int
adopt_socket(int fd)
{
	struct stat sb;
	int fl;

	if (fstat(fd, &sb) == -1)
		return errno;
	if (!S_ISSOCK(sb.st_mode))
		return ENOTSOCK;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return errno;
	return 0;
}

int
lu_restore_read(struct daemon *d, char *why, size_t whysz)
{
	struct state_image *img;
	char *path, *buf = NULL, reason[STATE_WHY_MAX];
	size_t len = 0;
	int err;

	path = lu_dump_path(d->ctx);
	if (path == NULL)
		return ENOMEM;
	err = read_file(d->ctx, path, &buf, &len);
	if (err != 0) {
		snprintf(why, whysz, "No state found after live-update: %s: "
		    "%s", path, strerror(err));
		return err;
	}
	err = state_read(d->ctx, buf, len, &img, reason, sizeof(reason));
	if (err != 0) {
		snprintf(why, whysz, "%s: %s", path,
		    err == EINVAL ? reason : strerror(err));
		talloc_free(buf);
		return err;
	}
	talloc_steal(img, buf);
	if (img->socket_fd >= 0 && (err = adopt_socket(img->socket_fd)) != 0) {
		snprintf(why, whysz, "%s: the listening socket (fd %d): %s",
		    path, img->socket_fd, strerror(err));
		talloc_free(img);
		return err;
	}
	if (img->evtchn_fd >= 0 && fcntl(img->evtchn_fd, F_GETFD) == -1) {
		err = errno;
		snprintf(why, whysz, "%s: the event-channel fd %d: %s", path,
		    img->evtchn_fd, strerror(err));
		talloc_free(img);
		return err;
	}
	d->listen_src.fd = img->socket_fd;
	d->hv_inherit_fd = img->evtchn_fd;
	d->lu_image = img;
	d->lu_dump = path;
	log_info("live-update: %zu bytes of state from %s: %zu connections, "
	    "%zu watches, %zu nodes", len, path, img->nconns, img->nwatches,
	    img->nnodes);
	return 0;
}

static void
apply_quotas(struct daemon *d, const struct state_image *img)
{
	unsigned int i;

	for (i = 0; img->have_quota && i < img->nquota &&
	    i < STORE_QUOTA_COUNT; i++)
		store_quota_set(d->store, (enum store_quota)i, img->quota[i]);
}

static int
apply_domains(struct daemon *d, const struct state_image *img)
{
	const struct state_domain *sd;
	size_t k;
	unsigned int i;
	int err;

	for (k = 0; k < img->ndomains; k++) {
		sd = &img->domains[k];
		if (sd->features_set) {
			if (d->features == NULL)
				d->features = talloc_zero_array(d->ctx,
				    uint8_t, WIRE_DOMID_MAX + 1);
			if (d->features == NULL)
				return ENOMEM;
			d->features[sd->domid] = (uint8_t)(sd->features |
			    DAEMON_FEATURE_SET);
		}
		if (sd->nquota == 0)
			continue;
		err = store_domain_add(d->store, sd->domid);
		if (err != 0 && err != EEXIST)
			return err;
		for (i = 0; i < sd->nquota && i < STORE_QUOTA_COUNT; i++)
			(void)store_domain_quota_set(d->store, sd->domid,
			    (enum store_quota)i, sd->quota[i]);
	}
	return 0;
}

/* The stream's permissions as the store's, without stale entries. */
static struct store_perm *
store_perms(TALLOC_CTX *ctx, const struct state_node *n, unsigned int *np)
{
	struct store_perm *p;
	unsigned int i, k = 0, bits;

	p = talloc_array(ctx, struct store_perm, n->nperms);
	if (p == NULL)
		return NULL;
	for (i = 0; i < n->nperms; i++) {
		if (i > 0 && (n->perms[i].flags & STATE_PERM_IGNORE))
			continue;
		switch (n->perms[i].access) {
		case 'r':
			bits = STORE_PERM_READ;
			break;
		case 'w':
			bits = STORE_PERM_WRITE;
			break;
		case 'b':
			bits = STORE_PERM_BOTH;
			break;
		default:
			bits = STORE_PERM_NONE;
			break;
		}
		p[k].domid = n->perms[i].domid;
		p[k].bits = bits;
		k++;
	}
	*np = k;
	return p;
}

static int
apply_node(struct daemon *d, const struct state_node *n, bool special,
    char *why, size_t whysz)
{
	struct store_perm *p;
	unsigned int np;
	int err = 0;

	p = store_perms(d->ctx, n, &np);
	if (p == NULL)
		return ENOMEM;
	if (!special && strcmp(n->path, "/") != 0)
		err = store_write(d->store, NULL, &dom0, n->path, n->value,
		    n->len);
	if (err == 0)
		err = store_set_perms(d->store, NULL, &dom0, n->path, p, np);
	talloc_free(p);
	if (err != 0)
		snprintf(why, whysz, "node %.200s: %s", n->path,
		    strerror(err));
	return err;
}

/*
 * Pending output of a ring: the partly written reply's tail first (it
 * goes on from where the old daemon stopped: a packet whose first
 * DUMMY_DONE bytes count as written), then whole packets.
 */
static int
restore_ring_out(struct daemon *d, struct conn *c, const struct state_conn *sc)
{
	struct xsd_sockmsg h;
	char *pkt;
	size_t off = sc->resp_len;
	int err;

	if (sc->resp_len > 0) {
		pkt = talloc_zero_size(c, DUMMY_DONE + sc->resp_len);
		if (pkt == NULL)
			return ENOMEM;
		memcpy(pkt + DUMMY_DONE, sc->out, sc->resp_len);
		err = conn_queue_raw(d, c, pkt, DUMMY_DONE + sc->resp_len);
		talloc_free(pkt);
		if (err == 0)
			err = ringio_conn_restore_out(c->ring, DUMMY_DONE,
			    DUMMY_DONE + sc->resp_len);
		if (err != 0)
			return err;
	}
	while (off < sc->out_len) {
		if (sc->out_len - off < WIRE_HDR_SIZE)
			return EINVAL;
		memcpy(&h, sc->out + off, WIRE_HDR_SIZE);
		if (wire_check_header(&h) != 0 ||
		    sc->out_len - off < WIRE_HDR_SIZE + h.len)
			return EINVAL;
		err = conn_queue_raw(d, c, sc->out + off, WIRE_HDR_SIZE + h.len);
		if (err != 0)
			return err;
		off += WIRE_HDR_SIZE + h.len;
	}
	return 0;
}

/* A ring's pending input: whole requests run later, a partial one back. */
static int
restore_ring_in(struct conn *c, const struct state_conn *sc, size_t *whole)
{
	struct xsd_sockmsg h;
	size_t off = 0;

	while (sc->in_len - off >= WIRE_HDR_SIZE) {
		memcpy(&h, sc->in + off, WIRE_HDR_SIZE);
		if (wire_check_header(&h) != 0)
			return EINVAL;
		if (sc->in_len - off < WIRE_HDR_SIZE + h.len)
			break;
		off += WIRE_HDR_SIZE + h.len;
	}
	*whole = off;
	return ringio_conn_restore_in(c->ring, sc->in + off, sc->in_len - off);
}

static void
run_whole(struct daemon *d, struct conn *c, const struct state_conn *sc,
    size_t whole)
{
	struct xsd_sockmsg h;
	size_t off = 0;
	char *copy;

	while (off < whole && !c->closing) {
		memcpy(&h, sc->in + off, WIRE_HDR_SIZE);
		copy = talloc_size(c, h.len + 1);
		if (copy == NULL)
			return;
		memcpy(copy, sc->in + off + WIRE_HDR_SIZE, h.len);
		copy[h.len] = '\0';
		dispatch_request(d, c, &h, copy);
		talloc_free(copy);
		off += WIRE_HDR_SIZE + h.len;
	}
}

static int
apply_conn(struct daemon *d, const struct state_conn *sc, struct conn **out,
    size_t *whole, char *why, size_t whysz)
{
	struct conn *c = NULL;
	int err;

	*out = NULL;
	*whole = 0;
	if (sc->type == STATE_CONN_RING) {
		err = domain_restore(d, sc->domid, sc->evtchn,
		    sc->tdomid == STATE_DOMID_INVALID ? STORE_DOMID_NONE :
		    sc->tdomid, &c);
		if (err != 0) {
			log_warn("live-update: domain %u's ring (port %u) "
			    "left out: %s", sc->domid, sc->evtchn,
			    strerror(err));
			return 0;
		}
		err = restore_ring_in(c, sc, whole);
		if (err == 0)
			err = restore_ring_out(d, c, sc);
	} else {
		if ((err = adopt_socket(sc->fd)) != 0) {
			snprintf(why, whysz, "connection %u: socket fd %d: %s",
			    sc->id, sc->fd, strerror(err));
			return err;
		}
		if ((err = conn_new(d, sc->fd)) != 0) {
			snprintf(why, whysz, "connection %u: %s", sc->id,
			    strerror(err));
			return err;
		}
		c = d->conns;	/* conn_new() put it at the head */
		err = conn_restore_in(c, sc->in, sc->in_len);
		if (err == 0 && sc->out_len > 0)
			err = conn_queue_raw(d, c, sc->out, sc->out_len);
	}
	if (err != 0) {
		snprintf(why, whysz, "connection %u: bad pending data: %s",
		    sc->id, strerror(err));
		return err;
	}
	*out = c;
	return 0;
}

static int
apply_watch(struct daemon *d, struct conn *c, const struct state_watch *w,
    TALLOC_CTX *tmp, char *why, size_t whysz)
{
	struct store_watch *sw;
	size_t strip;
	char *path;
	int err;

	err = path_canonicalize(tmp, w->path, c->who.domid,
	    PATH_ALLOW_SPECIAL, 0, &path, &strip);
	if (err == 0)
		err = store_watch_add(d->store, &c->who, c, path, strip,
		    w->token, w->depth, c->watches, &sw);
	if (err == EEXIST)
		return 0;
	if (err == ENOSPC) {
		log_warn("live-update: domain %u: watch %.200s over its "
		    "quota, left out", c->who.domid, path);
		return 0;
	}
	if (err != 0)
		snprintf(why, whysz, "watch %.200s: %s", w->path,
		    strerror(err));
	return err;
}

int
lu_restore_apply(struct daemon *d, char *why, size_t whysz)
{
	struct state_image *img = d->lu_image;
	struct conn **conns, *c;
	size_t *whole, i, j;
	int err = 0;

	conns = talloc_zero_array(d->ctx, struct conn *, img->nconns + 1);
	whole = talloc_zero_array(conns, size_t, img->nconns + 1);
	if (conns == NULL || whole == NULL) {
		talloc_free(conns);
		return ENOMEM;
	}
	apply_quotas(d, img);
	err = apply_domains(d, img);
	/* Rings first: their domains must be known before the nodes. */
	for (i = 0; err == 0 && i < img->nconns; i++)
		if (img->conns[i].type == STATE_CONN_RING)
			err = apply_conn(d, &img->conns[i], &conns[i],
			    &whole[i], why, whysz);
	/* The tree comes whole from the dump: none of store_create's. */
	if (err == 0 && (err = store_rm(d->store, NULL, &dom0, "/tool")) != 0)
		snprintf(why, whysz, "clearing the initial tree: %s",
		    strerror(err));
	for (i = 0; err == 0 && i < img->nnodes; i++)
		err = apply_node(d, &img->nodes[i], false, why, whysz);
	for (i = 0; err == 0 && i < img->nspecials; i++)
		err = apply_node(d, &img->specials[i], true, why, whysz);
	for (i = 0; err == 0 && i < img->nconns; i++)
		if (img->conns[i].type == STATE_CONN_SOCKET)
			err = apply_conn(d, &img->conns[i], &conns[i],
			    &whole[i], why, whysz);
	for (i = 0; err == 0 && i < img->nwatches; i++) {
		for (j = 0; j < img->nconns; j++)
			if (img->conns[j].id == img->watches[i].conn_id)
				break;
		if (j == img->nconns || conns[j] == NULL)
			continue;	/* its connection was left out */
		err = apply_watch(d, conns[j], &img->watches[i], conns, why,
		    whysz);
	}
	if (err != 0) {
		if (why[0] == '\0')
			snprintf(why, whysz, "%s", strerror(err));
		talloc_free(conns);
		return err;
	}
	/* Requests the old daemon held back run now, in order. */
	for (i = 0; i < img->nconns; i++)
		if (conns[i] != NULL && whole[i] > 0)
			run_whole(d, conns[i], &img->conns[i], whole[i]);
	for (c = d->conns; c != NULL; c = c->next)
		conn_kick(d, c);
	if (unlink(d->lu_dump) == -1)
		log_warn("live-update: cannot remove %s: %s", d->lu_dump,
		    strerror(errno));
	log_info("live-update: restored %zu connections, %zu nodes",
	    img->nconns, img->nnodes);
	talloc_free(conns);
	talloc_free(img);
	d->lu_image = NULL;
	/* Domains that died while we were away: 4.17's check_domains(). */
	domain_exc(d);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated hypervisor backend: a directory stands in for Xen, so that
 * guests (tools/xs-guest, or guest code written elsewhere) can talk to the
 * daemon over real ring pages without a hypervisor. The layout is a public
 * interface, documented in docs/ring.md:
 *
 *   DIR/control          the daemon's Unix datagram socket: a guest sends
 *                        "notify <domid>" (its event channel), a toolstack
 *                        sends "dom_exc" after changing a domain's state
 *   DIR/dom<N>/page      4096 bytes, the ring page, mapped MAP_SHARED
 *   DIR/dom<N>/guest     the guest's datagram socket: we send "notify"
 *   DIR/dom<N>/state     "running", "shutdown" or "dying"; no directory
 *                        means the domain does not exist
 *
 * Event-channel ports are the domids: the local port of domain N is N.
 *
 * Live update: the control socket is what survives the exec in place of
 * Xen's event-channel fd (the dump's GLOBAL names it), so a guest's
 * notification sent during the update waits in it; page files are simply
 * mapped again.
 *
 * State: the directory name and the control socket. Datagrams are read at
 * most SIM_BATCH per readiness so that one chatty guest cannot hold up the
 * loop; the rest wait for the next turn (the fd stays readable).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/hypervisor.h"
#include "protocol/args.h"

#define SIM_BATCH	256	/* datagrams handled per readiness */
#define SIM_PAGE	4096
#define PATH_MAX_SIM	4096

struct sim {
	char		*dir;
	int		 fd;		/* DIR/control */
	struct loop_source src;
};

/* Fills a sockaddr_un with DIR/<rel>. Errors: ENAMETOOLONG. */
static int
sim_addr(const struct sim *s, const char *rel, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", s->dir,
	    rel);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return ENAMETOOLONG;
	return 0;
}

/* Handles one datagram from the control socket. */
static void
sim_message(struct daemon *d, const char *msg, size_t len)
{
	char buf[64], sample[LOG_SAMPLE_SIZE];
	unsigned int domid;

	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, msg, len);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	if (strcmp(buf, "dom_exc") == 0) {
		domain_exc(d);
		return;
	}
	if (strncmp(buf, "notify ", 7) == 0 &&
	    args_parse_domid(buf + 7, &domid) == 0 && buf[7] != '\0') {
		domain_event(d, domid);
		return;
	}
bad:
	log_warn("sim: ignoring control message %s",
	    log_sample(msg, len, sample, sizeof(sample)));
}

static void
sim_ready(struct daemon *d, void *obj, uint32_t events)
{
	struct sim *s = obj;
	char msg[128];
	ssize_t n;
	int i;

	(void)events;
	for (i = 0; i < SIM_BATCH; i++) {
		n = recv(s->fd, msg, sizeof(msg), MSG_DONTWAIT);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("sim: control socket: %s",
				    strerror(errno));
			return;
		}
		sim_message(d, msg, (size_t)n);
	}
}

static int
sim_init(struct daemon *d)
{
	struct sockaddr_un sa;
	struct sim *s;
	int err;

	s = talloc_zero(d->ctx, struct sim);
	if (s == NULL)
		return ENOMEM;
	s->fd = -1;
	s->dir = talloc_strdup(s, d->cfg.hv_arg);
	if (s->dir == NULL) {
		talloc_free(s);
		return ENOMEM;
	}
	if (mkdir(s->dir, 0700) == -1 && errno != EEXIST) {
		err = errno;
		goto fail;
	}
	if ((err = sim_addr(s, "control", &sa)) != 0)
		goto fail;
	/* Live update: the socket stayed open and bound across the exec. */
	if (d->hv_inherit_fd >= 0) {
		s->fd = d->hv_inherit_fd;
		if (fcntl(s->fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(s->fd, F_SETFL, O_NONBLOCK) == -1) {
			err = errno;
			s->fd = -1;
			goto fail;
		}
		goto bound;
	}
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		err = errno;
		goto fail;
	}
	(void)unlink(sa.sun_path);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		err = errno;
		goto fail;
	}
bound:
	if ((err = loop_add(d, &s->src, s->fd, EPOLLIN, sim_ready, s)) != 0)
		goto fail;
	d->hv_state = s;
	log_info("simulated hypervisor in %s", s->dir);
	return 0;
fail:
	if (s->fd != -1)
		close(s->fd);
	talloc_free(s);
	return err;
}

static void
sim_fini(struct daemon *d)
{
	struct sim *s = d->hv_state;
	struct sockaddr_un sa;

	if (s == NULL)
		return;
	loop_remove(d, &s->src);
	close(s->fd);
	if (sim_addr(s, "control", &sa) == 0)
		(void)unlink(sa.sun_path);
	talloc_free(s);
	d->hv_state = NULL;
}

static int
sim_map_ring(struct daemon *d, unsigned int domid, unsigned long gfn,
    void **page)
{
	struct sim *s = d->hv_state;
	struct stat sb;
	char *path;
	void *p;
	int fd;

	(void)gfn;		/* the page file stands for the frame */
	*page = NULL;
	path = talloc_asprintf(NULL, "%s/dom%u/page", s->dir, domid);
	if (path == NULL)
		return ENOMEM;
	fd = open(path, O_RDWR | O_CLOEXEC);
	talloc_free(path);
	/* A ring that cannot be mapped is EINVAL, as gntdev answers. */
	if (fd == -1)
		return EINVAL;
	if (fstat(fd, &sb) == -1 || sb.st_size < SIM_PAGE) {
		close(fd);
		return EINVAL;
	}
	p = mmap(NULL, SIM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return EINVAL;
	*page = p;
	return 0;
}

static void
sim_unmap_ring(struct daemon *d, unsigned int domid, void *page)
{
	(void)d;
	(void)domid;
	if (page != NULL)
		munmap(page, SIM_PAGE);
}

static int
sim_bind(struct daemon *d, unsigned int domid, unsigned int remote,
    unsigned int *local)
{
	(void)d;
	(void)remote;
	*local = domid;
	return 0;
}

static void
sim_unbind(struct daemon *d, unsigned int local)
{
	(void)d;
	(void)local;
}

/* A missing or busy guest socket is fine: notifications are hints. */
static void
sim_notify(struct daemon *d, unsigned int local)
{
	struct sim *s = d->hv_state;
	struct sockaddr_un sa;
	char rel[32];

	snprintf(rel, sizeof(rel), "dom%u/guest", local);
	if (sim_addr(s, rel, &sa) != 0)
		return;
	(void)sendto(s->fd, "notify", 6, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, sizeof(sa));
}

static enum hv_domain_state
sim_domain_state(struct daemon *d, unsigned int domid)
{
	struct sim *s = d->hv_state;
	char path[PATH_MAX_SIM], buf[16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/dom%u", s->dir, domid);
	if (access(path, F_OK) != 0)
		return domid == 0 ? HV_DOMAIN_RUNNING : HV_DOMAIN_GONE;
	snprintf(path, sizeof(path), "%s/dom%u/state", s->dir, domid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return HV_DOMAIN_RUNNING;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return HV_DOMAIN_RUNNING;
	buf[n] = '\0';
	if (strncmp(buf, "shutdown", 8) == 0)
		return HV_DOMAIN_SHUTDOWN;
	if (strncmp(buf, "dying", 5) == 0)
		return HV_DOMAIN_DYING;
	return HV_DOMAIN_RUNNING;
}

/* Live update: the control socket (our event channels) is inherited. */
static int
sim_lu_prepare(struct daemon *d)
{
	struct sim *s = d->hv_state;

	return s != NULL ? s->fd : -1;
}

static const struct hypervisor_ops sim_ops = {
	.name = "sim",
	.init = sim_init,
	.fini = sim_fini,
	.map_ring = sim_map_ring,
	.unmap_ring = sim_unmap_ring,
	.bind = sim_bind,
	.unbind = sim_unbind,
	.notify = sim_notify,
	.domain_state = sim_domain_state,
	.lu_prepare = sim_lu_prepare,
};

const struct hypervisor_ops *
hypervisor_sim(void)
{
	return &sim_ops;
}

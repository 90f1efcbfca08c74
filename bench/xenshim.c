/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xenshim.c: an LD_PRELOAD library that lets Debian's 4.17 C xenstored and
 * oxenstored serve their Unix socket on a machine without Xen, for the
 * benchmark only (bench/run.sh).
 *
 * What the daemons call at start and what we answer:
 *   libxenevtchn   a handle on an eventfd that is never written, so the
 *                  daemon's poll never sees a port fire; binds return
 *                  made-up local ports, notify succeeds. With
 *                  XENEVTCHN_NO_CLOEXEC it survives exec, and
 *                  xenevtchn_fdopen wraps it again, as 4.17's live update
 *                  needs (tests/lu).
 *   libxenctrl     xc_interface_open succeeds; domain info lists dom0
 *                  alone, running.
 *   libxengnttab   opens, never maps (only guests would need it).
 *   /proc/xen/xsd_port, /proc/xen/xsd_kva   opened from $XSBENCH_DIR
 *                  (a port number and a zeroed page: dom0's empty ring).
 *   /var/run/xenstored...   oxenstored hard-codes it; rewritten to
 *                  $XSBENCH_DIR (open, unlink, mkdir, bind, connect).
 *   setrlimit(RLIMIT_NOFILE)   clamped to the hard limit: oxenstored asks
 *                  for more and dies without CAP_SYS_RESOURCE.
 *
 * Nothing here is used by xstored itself (tests/lu preloads it into
 * xstored too, since a live update's exec keeps the environment; xstored
 * runs with --hypervisor=none there and calls none of this).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define __XEN_TOOLS__ 1
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

struct xc_interface_core {
	int dummy;
};
struct xenevtchn_handle {
	int fd;
	int next_port;
};
struct xengnttab_handle {
	int dummy;
};

/* Prefixes we move into $XSBENCH_DIR, and the name each becomes. */
static const struct {
	const char *from;
	const char *to;
} redirects[] = {
	{ "/proc/xen/xsd_port", "xsd_port" },
	{ "/proc/xen/xsd_kva", "xsd_kva" },
	{ "/var/run/xenstored", "run" },
	{ "/run/xenstored", "run" },
	{ "/var/run/xen/", "run/" },
	{ "/var/lib/xenstored", "lib" },
};

/*
 * Returns path itself or the rewritten name in buf.  Only exact names or
 * prefixes followed by '/' or NUL match.
 */
static const char *
rewrite(const char *path, char *buf, size_t len)
{
	const char *dir = getenv("XSBENCH_DIR");
	size_t i, n;

	if (path == NULL || dir == NULL)
		return path;
	for (i = 0; i < sizeof(redirects) / sizeof(redirects[0]); i++) {
		n = strlen(redirects[i].from);
		if (strncmp(path, redirects[i].from, n) != 0)
			continue;
		if (redirects[i].from[n - 1] != '/' && path[n] != '\0' &&
		    path[n] != '/')
			continue;
		if ((size_t)snprintf(buf, len, "%s/%s%s", dir, redirects[i].to,
		    path + n) >= len)
			return path;
		return buf;
	}
	return path;
}

static void *
next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* Exported under the libc names; prototypes come from the libc headers. */
int
open(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...) = next("open");
	char buf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real(rewrite(path, buf, sizeof(buf)), flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...) = next("open64");
	char buf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real(rewrite(path, buf, sizeof(buf)), flags, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	FILE *(*real)(const char *, const char *) = next("fopen");
	char buf[4096];

	return real(rewrite(path, buf, sizeof(buf)), mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	FILE *(*real)(const char *, const char *) = next("fopen64");
	char buf[4096];

	return real(rewrite(path, buf, sizeof(buf)), mode);
}

int
unlink(const char *path)
{
	int (*real)(const char *) = next("unlink");
	char buf[4096];

	return real(rewrite(path, buf, sizeof(buf)));
}

int
mkdir(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t) = next("mkdir");
	char buf[4096];

	return real(rewrite(path, buf, sizeof(buf)), mode);
}

/* Rewrites a sockaddr_un's path into *out; returns the address to use. */
static const struct sockaddr *
rewrite_sun(const struct sockaddr *sa, socklen_t *len, struct sockaddr_un *out)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char path[sizeof(sun->sun_path) + 1], buf[4096];
	const char *p;

	if (sa == NULL || sa->sa_family != AF_UNIX ||
	    *len <= offsetof(struct sockaddr_un, sun_path))
		return sa;
	memset(path, 0, sizeof(path));
	memcpy(path, sun->sun_path, *len - offsetof(struct sockaddr_un,
	    sun_path));
	p = rewrite(path, buf, sizeof(buf));
	if (p == path || strlen(p) >= sizeof(out->sun_path))
		return sa;
	memset(out, 0, sizeof(*out));
	out->sun_family = AF_UNIX;
	strcpy(out->sun_path, p);
	*len = sizeof(*out);
	return (const struct sockaddr *)out;
}

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t) = next("bind");
	struct sockaddr_un sun;

	sa = rewrite_sun(sa, &len, &sun);
	return real(fd, sa, len);
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t) = next("connect");
	struct sockaddr_un sun;

	sa = rewrite_sun(sa, &len, &sun);
	return real(fd, sa, len);
}

int
setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	int (*real)(__rlimit_resource_t, const struct rlimit *) =
	    next("setrlimit");
	struct rlimit cur, clamped;

	if (res == RLIMIT_NOFILE && getrlimit(res, &cur) == 0) {
		clamped = *rl;
		if (clamped.rlim_max > cur.rlim_max)
			clamped.rlim_max = cur.rlim_max;
		if (clamped.rlim_cur > clamped.rlim_max)
			clamped.rlim_cur = clamped.rlim_max;
		return real(res, &clamped);
	}
	return real(res, rl);
}

/* libxenctrl */
xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild,
    unsigned open_flags)
{
	(void)logger;
	(void)dombuild;
	(void)open_flags;
	return calloc(1, sizeof(struct xc_interface_core));
}

int
xc_interface_close(xc_interface *xch)
{
	free(xch);
	return 0;
}

int
xc_domain_getinfo(xc_interface *xch, uint32_t first, unsigned int max,
    xc_dominfo_t *info)
{
	(void)xch;
	if (first != 0 || max == 0)
		return 0;
	memset(info, 0, sizeof(*info));
	info->running = 1;
	return 1;
}

int
xc_domain_getinfolist(xc_interface *xch, uint32_t first, unsigned int max,
    xc_domaininfo_t *info)
{
	(void)xch;
	if (first != 0 || max == 0)
		return 0;
	memset(info, 0, sizeof(*info));
	info->flags = XEN_DOMINF_running;
	return 1;
}

/* libxenevtchn */
xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	xenevtchn_handle *h;

	(void)logger;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	/* 4.17 keeps it open across its live-update exec. */
	h->fd = eventfd(0, EFD_NONBLOCK |
	    ((open_flags & XENEVTCHN_NO_CLOEXEC) ? 0 : EFD_CLOEXEC));
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	h->next_port = 10;
	return h;
}

/* After a live update: the inherited eventfd, or a new one if it is gone. */
xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned flags)
{
	xenevtchn_handle *h;

	if (fd < 0 || fcntl(fd, F_GETFD) == -1)
		return xenevtchn_open(logger, flags | XENEVTCHN_NO_CLOEXEC);
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->fd = fd;
	h->next_port = 10;
	return h;
}

int
xenevtchn_close(xenevtchn_handle *h)
{
	if (h != NULL) {
		close(h->fd);
		free(h);
	}
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *h)
{
	return h->fd;
}

int
xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid,
    evtchn_port_t remote)
{
	(void)domid;
	(void)remote;
	return h->next_port++;
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *h, unsigned int virq)
{
	(void)virq;
	return h->next_port++;
}

int
xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *h)
{
	(void)h;
	errno = EAGAIN;
	return -1;
}

int
xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h;
	(void)port;
	return 0;
}

/* libxengnttab */
xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return calloc(1, sizeof(struct xengnttab_handle));
}

int
xengnttab_close(xengnttab_handle *xgt)
{
	free(xgt);
	return 0;
}

int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr)
{
	(void)xgt;
	(void)nr;
	return 0;
}

void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	(void)xgt;
	(void)domid;
	(void)ref;
	(void)prot;
	errno = ENOSYS;
	return NULL;
}

int
xengnttab_unmap(xengnttab_handle *xgt, void *start, uint32_t count)
{
	(void)xgt;
	(void)start;
	(void)count;
	return 0;
}

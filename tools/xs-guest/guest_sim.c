/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_sim.c: a guest's handles on the simulated hypervisor.
 *
 * Job: open a simulated domain as its guest (map the ring page, bind the
 * guest socket), signal the daemon ("notify <domid>" to DIR/control), wait
 * for its signals, and send control datagrams for a toolstack. The layout
 * is in guest_sim.h and docs/ring.md.
 *
 * State (struct guest_sim): the domid, the mapping, the bound datagram
 * socket (non-blocking), its path (to unlink at close) and the control
 * socket's address.
 *
 * Invariants: every path is checked against sun_path/PATH_MAX before use,
 * never truncated silently; the guest socket is non-blocking, so draining
 * it cannot block; a wait drains at most DRAIN_MAX datagrams, so a daemon
 * flooding us cannot keep the caller from its deadline.
 *
 * Must not: look at the page's contents (guest_ring.c does), or write any
 * file of the layout except the guest socket.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_sim.h"

#define GUEST_NOTIFY_TRIES	1000	/* 1 ms apart */

#define DRAIN_MAX	64	/* datagrams read per wait */

struct guest_sim {
	unsigned int	 domid;
	void		*page;
	int		 fd;
	struct sockaddr_un guest;
	struct sockaddr_un control;
};

/* Fills *sun with DIR/name; ENAMETOOLONG if it does not fit. */
static int
sun_path_of(struct sockaddr_un *sun, const char *dir, const char *name)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir,
	    name);
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	return 0;
}

static int
map_page(const char *dir, unsigned int domid, void **page)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd, n, err;

	n = snprintf(path, sizeof(path), "%s/dom%u/page", dir, domid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		err = errno;
		close(fd);
		return err;
	}
	if (st.st_size < GUEST_RING_PAGE_SIZE) {
		close(fd);
		return EINVAL;
	}
	p = mmap(NULL, GUEST_RING_PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	err = errno;
	/* The mapping keeps the file; the descriptor is no longer needed. */
	close(fd);
	if (p == MAP_FAILED)
		return err;
	*page = p;
	return 0;
}

/* Removes a socket file left by an earlier guest, and nothing else. */
static int
unlink_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	if (unlink(path) == -1 && errno != ENOENT)
		return errno;
	return 0;
}

int
guest_sim_open(const char *dir, unsigned int domid, struct guest_sim **out)
{
	struct guest_sim *gs;
	char name[32];
	int err;

	*out = NULL;
	gs = calloc(1, sizeof(*gs));
	if (gs == NULL)
		return ENOMEM;
	gs->domid = domid;
	gs->fd = -1;
	snprintf(name, sizeof(name), "dom%u/guest", domid);
	err = sun_path_of(&gs->guest, dir, name);
	if (err == 0)
		err = sun_path_of(&gs->control, dir, "control");
	if (err == 0)
		err = map_page(dir, domid, &gs->page);
	if (err != 0) {
		free(gs);
		return err;
	}
	gs->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (gs->fd == -1) {
		err = errno;
		goto fail;
	}
	err = unlink_stale(gs->guest.sun_path);
	if (err != 0)
		goto fail;
	if (bind(gs->fd, (struct sockaddr *)&gs->guest,
	    sizeof(gs->guest)) == -1) {
		err = errno;
		goto fail;
	}
	*out = gs;
	return 0;

fail:
	if (gs->fd != -1)
		close(gs->fd);
	munmap(gs->page, GUEST_RING_PAGE_SIZE);
	free(gs);
	return err;
}

void
guest_sim_close(struct guest_sim *gs)
{
	if (gs == NULL)
		return;
	close(gs->fd);
	/* The domain may already be destroyed, directory and all. */
	(void)unlink(gs->guest.sun_path);
	munmap(gs->page, GUEST_RING_PAGE_SIZE);
	free(gs);
}

void *
guest_sim_page(struct guest_sim *gs)
{
	return gs->page;
}

/* Sends msg to the control socket through fd; 0 or errno. */
static int
send_control(int fd, const struct sockaddr_un *control, const char *msg)
{
	size_t len = strlen(msg);
	ssize_t n;

	do {
		n = sendto(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (const struct sockaddr *)control, sizeof(*control));
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno;
	/* A datagram goes whole or not at all. */
	return (size_t)n == len ? 0 : EMSGSIZE;
}

int
guest_sim_notify(void *arg)
{
	struct guest_sim *gs = arg;
	char msg[32];
	int err;

	struct timespec pause = { 0, 1000000 };	/* 1 ms */
	int tries;

	snprintf(msg, sizeof(msg), "notify %u", gs->domid);
	/*
	 * A full control queue holds other domains' notifications, not
	 * necessarily ours: dropping this one would leave our ring to the
	 * daemon's slow rescan. Xen never loses a pending event, so retry
	 * while the daemon drains the queue (bounded: GUEST_NOTIFY_TRIES ms).
	 */
	for (tries = 0; tries < GUEST_NOTIFY_TRIES; tries++) {
		err = send_control(gs->fd, &gs->control, msg);
		if (err != EAGAIN && err != EWOULDBLOCK)
			return err;
		(void)nanosleep(&pause, NULL);
	}
	return 0;	/* the daemon's rescan will still find the ring */
}

int
guest_sim_wait(void *arg, int ms, bool *woken)
{
	struct guest_sim *gs = arg;
	struct pollfd pfd;
	char buf[64];
	ssize_t n;
	int i, r;

	*woken = false;
	pfd.fd = gs->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = poll(&pfd, 1, ms);
	if (r == -1)
		return errno == EINTR ? 0 : errno;
	if (r == 0)
		return 0;
	for (i = 0; i < DRAIN_MAX; i++) {
		n = recv(gs->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return errno;
		}
		*woken = true;
	}
	return 0;
}

int
guest_sim_control(const char *dir, const char *msg)
{
	struct sockaddr_un control;
	int fd, err;

	err = sun_path_of(&control, dir, "control");
	if (err != 0)
		return err;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	err = send_control(fd, &control, msg);
	close(fd);
	return err;
}

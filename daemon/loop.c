/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one epoll set, run one turn at a time. Nothing in it
 * scans every connection; each phase touches only what became ready or
 * what an earlier phase queued.
 *
 * One turn:
 *  1. Wait for ready fds (epoll_wait). No timeout, unless work is left
 *     over from the last turn (rings with more requests, removed nodes
 *     still to free: 0) or guests are held for a starving transaction
 *     (until that hold's time limit, prio.c).
 *  2. Handle each ready fd through its loop_source: accept new clients,
 *     read signals, read requests (conn.c frames them and dispatch.c runs
 *     them, queueing replies and watch events), resume writes that
 *     EPOLLOUT unblocked.
 *  3. Drain pending output: every connection that got output queued in
 *     this turn writes as much as its socket takes; a blocked one waits
 *     for EPOLLOUT (conn_drain_pending()).
 *  4. Free the connections marked closing (conn_reap_closed()); release
 *     guests held for a transaction that has ended (prio_check()); start
 *     a live update that waited for transactions (lu_check(), lu.c): it
 *     execs the new binary and does not come back unless it fails.
 *  5. Free up to LOOP_COLLECT nodes removed earlier (store_collect()): a
 *     big RM answers after unlinking, and the frees follow in slices.
 * Then back to 1, unless a signal asked us to stop.
 *
 * Why phase 4 exists: a connection may be condemned while one epoll batch
 * still holds events naming it (a bad packet in phase 2, a failed write,
 * an event queue over its bound while another client's request runs).
 * Objects are therefore never freed inside their own callbacks: they are
 * marked closing, unregistered, and freed here once no pointer to them can
 * be in flight. A stale event for a closing connection is ignored.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

#define LOOP_BATCH	64	/* events taken per epoll_wait */
#define LOOP_COLLECT	4096	/* removed nodes freed per turn (~0.3 ms) */

int
loop_init(struct daemon *d)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd == -1)
		return errno;
	return 0;
}

void
loop_fini(struct daemon *d)
{
	if (d->epfd != -1)
		close(d->epfd);
	d->epfd = -1;
}

int
loop_add(struct daemon *d, struct loop_source *src, int fd, uint32_t events,
    void (*ready)(struct daemon *, void *, uint32_t), void *obj)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = src;
	src->fd = fd;
	src->events = events;
	src->ready = ready;
	src->obj = obj;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return errno;
	return 0;
}

int
loop_modify(struct daemon *d, struct loop_source *src, uint32_t events)
{
	struct epoll_event ev;

	if (src->events == events)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = src;
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, src->fd, &ev) == -1)
		return errno;
	src->events = events;
	return 0;
}

void
loop_remove(struct daemon *d, struct loop_source *src)
{
	/* Only fails if fd was never added or is closed: nothing to undo. */
	(void)epoll_ctl(d->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->events = 0;
}

int
loop_run(struct daemon *d)
{
	struct epoll_event evs[LOOP_BATCH];
	struct loop_source *src;
	int i, n;

	while (!d->stopping) {
		/* Phase 1: wait for ready fds. */
		/*
		 * Rings with work left from the last turn, or output queued
		 * outside a turn (a live update's restore): do not sleep.
		 */
		n = epoll_wait(d->epfd, evs, LOOP_BATCH,
		    lu_timeout(d, prio_timeout(d, d->again != NULL ||
		    d->dirty != NULL || d->collecting ? 0 : -1)));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}

		/* Phase 2: handle them. */
		for (i = 0; i < n; i++) {
			src = evs[i].data.ptr;
			src->ready(d, src->obj, evs[i].events);
		}

		/* Phase 3: drain the output queued during phase 2. */
		conn_drain_pending(d);

		/* Phase 4: free what was marked closing. */
		conn_reap_closed(d);

		/* Guests held for a starving transaction: still? */
		prio_check(d);

		/* A live update waiting for transactions: may it go? */
		lu_check(d);

		/* Phase 5: free some removed nodes; more next turn. */
		d->collecting = store_collect(d->store, LOOP_COLLECT) > 0;
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon record: a fresh one, with every descriptor marked closed, so
 * that stop() and the error paths can release whatever was opened. Shared
 * by main.c and the fuzz harnesses' world (tests/fuzz/world.c).
 * No state of its own.
 */
#include "daemon/daemon.h"

struct daemon *
daemon_new(void)
{
	struct daemon *d;

	d = talloc_zero(NULL, struct daemon);
	if (d == NULL)
		return NULL;
	d->ctx = d;
	d->epfd = -1;
	d->listen_src.fd = -1;
	d->signal_src.fd = -1;
	d->pid_fd = -1;
	d->trace_fd = -1;
	d->hv_inherit_fd = -1;
	d->access_fd = -1;
	d->dirty_tail = &d->dirty;
	return d;
}


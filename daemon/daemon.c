/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon record: a fresh one, with every descriptor marked closed, so
 * that stop() and the error paths can release whatever was opened. Shared
 * by main.c and the fuzz harnesses' world (tests/fuzz/world.c).
 * No state of its own.
 */
#include <syslog.h>

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
	/* --access-log without --config-file: every request, no rotation. */
	d->cfg.access.facility = -1;
	d->cfg.access.nb_chars = 180;	/* oxenstored's line length */
	d->cfg.access.read_ops = true;
	d->cfg.access.tx_ops = true;
	d->cfg.access.special_ops = true;
	d->cfg.log.facility = LOG_DAEMON;
	d->cfg.log.level = -1;
	d->dirty_tail = &d->dirty;
	return d;
}


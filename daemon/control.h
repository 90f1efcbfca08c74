/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONTROL commands (xenstore-control): ops_control.c owns the table and
 * the small commands; control_quota.c and control_memreport.c the larger
 * ones. A command replies with dispatch_reply*() (text, NUL-terminated,
 * at most XENSTORE_PAYLOAD_MAX bytes) or returns a positive errno, which
 * becomes an ERROR reply. EINVAL makes xenstore-control print the help
 * text, so it is kept for "no such command or arguments".
 */
#ifndef DAEMON_CONTROL_H
#define DAEMON_CONTROL_H

#include "daemon/dispatch.h"

/* args: the nargs strings after the command's name. */
typedef int control_fn(struct daemon *d, struct conn *c,
    struct request *req, const char **args, unsigned int nargs);

/* control_quota.c */
control_fn	control_quota;
control_fn	control_quota_soft;

/*
 * lu.c: live-update -f/-c/-s/-a, as 4.17. Only -s may reply later: the
 * update starts from lu_check() once no transaction is open (or the
 * timeout passed with -F).
 */
control_fn	lu_control;

/* control_memreport.c */
control_fn	control_memreport;

/*
 * ops_control.c: the error to answer for a failed file operation: err if
 * the wire has a name for it (xenstore-control prints its number), else
 * EIO, never EINVAL (which would read as "unknown command").
 */
int	control_file_error(int err);

#endif

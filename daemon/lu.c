/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live update, the old process's side: the session xenstore-control
 * drives with CONTROL live-update -f <binary>, -c <cmdline>, -s [-t N]
 * [-F] and -a, the wait for open transactions, and the activation: dump
 * the state (lu_dump.c), then exec the new binary in this same process
 * with the listening socket, the client sockets and the event-channel fd
 * left open. The new process restores (lu_restore.c) and sends the "OK"
 * the dump holds for the requester. Replies and their texts are the C
 * daemon's (4.17), so xenstore-control behaves the same against both.
 *
 * State: one session at a time (d->lu), owned by the connection that
 * sent -f and ended when it closes (lu_forget), by -a, or when -s fails.
 * While -s waits, new TRANSACTION_STARTs of connections with none open
 * are held back (lu_holds_start), and lu_check() looks once per loop turn
 * (at least once a second) whether the update may go: no transaction is
 * open, or the timeout passed and -F forces it (open transactions are
 * then lost, as in C). That check scans the connections, but only while
 * an update waits.
 *
 * Nothing is lost if the old process refuses: the binary is checked
 * again just before the dump; a failed dump or exec answers the error,
 * deletes the dump, puts every fd back as it was and keeps serving.
 */
#define _GNU_SOURCE	/* execvp with our argv */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/hypervisor.h"

#define LU_POLL_MS	1000	/* while waiting for transactions */
#define LU_ARGV_MAX	256	/* words of a -c command line */

struct lu_session {
	struct conn	*owner;
	char		*binary;
	char		*cmdline;	/* -c, or NULL: our own argv */
	bool		 starting;	/* -s received: the update waits */
	bool		 force;
	unsigned int	 timeout;	/* s */
	uint64_t	 started_ms;
	struct xsd_sockmsg hdr;		/* the -s request */
};

char *
lu_dump_path(TALLOC_CTX *ctx)
{
	const char *dir = getenv("XENSTORED_RUNDIR");

	if (dir == NULL || dir[0] == '\0')
		dir = DAEMON_RUNDIR_DEFAULT;
	return talloc_asprintf(ctx, "%s/state_dump", dir);
}

/* Every connection gets another look: held requests may run now. */
static void
kick_all(struct daemon *d)
{
	struct conn *c;

	for (c = d->conns; c != NULL; c = c->next)
		conn_kick(d, c);
}

static void
end_session(struct daemon *d)
{
	bool was_starting = d->lu != NULL && d->lu->starting;

	talloc_free(d->lu);
	d->lu = NULL;
	if (was_starting)
		kick_all(d);
}

void
lu_forget(struct daemon *d, struct conn *c)
{
	if (d->lu != NULL && d->lu->owner == c) {
		log_info("live-update: session ended: its connection closed");
		end_session(d);
	}
}

bool
lu_holds_start(const struct daemon *d, const struct conn *c)
{
	return d->lu != NULL && d->lu->starting && c->ntx == 0;
}

int
lu_timeout(struct daemon *d, int timeout)
{
	if (d->lu == NULL || !d->lu->starting)
		return timeout;
	return timeout >= 0 && timeout < LU_POLL_MS ? timeout : LU_POLL_MS;
}

/* The -f checks, as 4.17's: a text reply (NULL: fine). */
static const char *
check_binary(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return "File not accessible.";
	if (!(sb.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return "File not executable.";
	return NULL;
}

static int
reply(struct daemon *d, struct conn *c, struct request *req, const char *s)
{
	return dispatch_reply_str(d, c, req, s != NULL ? s : "OK");
}

static const char *
lu_binary(struct daemon *d, struct conn *c, const char *path)
{
	const char *bad;

	log_info("live-update: binary %s", path);
	if ((bad = check_binary(path)) != NULL)
		return bad;
	if (d->lu != NULL)
		return "live-update session already active.";
	d->lu = talloc_zero(d->ctx, struct lu_session);
	if (d->lu == NULL)
		return "Allocation failure.";
	d->lu->owner = c;
	d->lu->binary = talloc_strdup(d->lu, path);
	if (d->lu->binary == NULL) {
		end_session(d);
		return "Allocation failure.";
	}
	return NULL;
}

int
lu_control(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	unsigned int i, to = 0;
	bool force = false;

	if (nargs < 1)
		return EINVAL;
	if (strcmp(args[0], "-a") == 0) {
		if (nargs != 1)
			return EINVAL;
		log_info("live-update: abort");
		if (d->lu == NULL)
			return reply(d, c, req, "No live-update session "
			    "active.");
		end_session(d);
		return reply(d, c, req, NULL);
	}
	if (strcmp(args[0], "-c") == 0) {
		if (nargs != 2)
			return EINVAL;
		if (d->lu == NULL || d->lu->owner != c)
			return reply(d, c, req, "Not in live-update session.");
		talloc_free(d->lu->cmdline);
		d->lu->cmdline = talloc_strdup(d->lu, args[1]);
		if (d->lu->cmdline == NULL)
			return reply(d, c, req, "Allocation failure.");
		return reply(d, c, req, NULL);
	}
	if (strcmp(args[0], "-s") == 0) {
		for (i = 1; i < nargs; i++) {
			if (strcmp(args[i], "-F") == 0)
				force = true;
			else if (strcmp(args[i], "-t") == 0 && i < nargs - 1)
				to = dispatch_atou(args[++i]);
			else
				return EINVAL;
		}
		log_info("live-update: start, force=%d, to=%u", force, to);
		if (d->lu == NULL || d->lu->owner != c)
			return reply(d, c, req, "Not in live-update session.");
		d->lu->starting = true;
		d->lu->force = force;
		d->lu->timeout = to;
		d->lu->started_ms = conn_now_ms();
		d->lu->hdr = req->hdr;
		return 0;	/* the answer comes from lu_check() */
	}
	if (strcmp(args[0], "-f") == 0 && nargs == 2)
		return reply(d, c, req, lu_binary(d, c, args[1]));
	return EINVAL;
}

/* Answers the waiting -s with text and ends the session. */
static void
answer(struct daemon *d, const char *text)
{
	struct conn *c = d->lu->owner;
	struct xsd_sockmsg hdr = d->lu->hdr;
	struct iovec iov;

	log_warn("live-update: %s", text);
	hdr.type = XS_CONTROL;
	iov.iov_base = (void *)(uintptr_t)text;
	iov.iov_len = strlen(text) + 1;
	if (conn_queue(d, c, &hdr, &iov, 1) != 0)
		conn_close(d, c, "out of memory for a reply");
	end_session(d);
}

/* 4.17's text for a refused -s: the long-running transactions. */
static char *
reject_reason(struct daemon *d, uint64_t now)
{
	struct conn *c;
	char *s = NULL;
	uint64_t secs;

	for (c = d->conns; c != NULL; c = c->next) {
		if (c->tx_since_ms == 0)
			continue;
		secs = (now - c->tx_since_ms) / 1000;
		if (secs < d->lu->timeout)
			continue;
		s = talloc_asprintf(d->lu, "%s\nDomain %u: %llu s",
		    s != NULL ? s : "Domains with long running transactions:",
		    c->who.domid, (unsigned long long)secs);
		if (s == NULL)
			break;
	}
	return s;
}

/* Sets or clears FD_CLOEXEC and O_NONBLOCK. Errors: errno. */
static int
fd_flags(int fd, bool cloexec, bool nonblock)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, cloexec ? fl | FD_CLOEXEC :
	    fl & ~FD_CLOEXEC) == -1)
		return errno;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, nonblock ? fl | O_NONBLOCK :
	    fl & ~O_NONBLOCK) == -1)
		return errno;
	return 0;
}

/*
 * The sockets the next daemon inherits: the listening one and every live
 * client's, blocking (4.17 expects its own, blocking, fds) and open
 * across exec; or back to how we use them.
 */
static int
handover_fds(struct daemon *d, bool handover)
{
	struct conn *c;
	int err = 0;

	if (d->listen_src.fd != -1)
		err = fd_flags(d->listen_src.fd, !handover, !handover);
	for (c = d->conns; c != NULL && err == 0; c = c->next) {
		if (c->ring == NULL && !c->closing && c->src.fd != -1)
			err = fd_flags(c->src.fd, !handover, !handover);
	}
	return err;
}

/* The new process's argv, as 4.17 builds it. NULL on ENOMEM. */
static char **
exec_argv(struct daemon *d, TALLOC_CTX *ctx)
{
	char **argv, *line, *save = NULL, *w;
	int n = 0, i;
	bool has_u = false;

	argv = talloc_zero_array(ctx, char *, (d->lu->cmdline != NULL ?
	    LU_ARGV_MAX : (size_t)d->argc) + 3);
	if (argv == NULL)
		return NULL;
	argv[n++] = d->lu->binary;
	if (d->lu->cmdline != NULL) {
		line = talloc_strdup(ctx, d->lu->cmdline);
		if (line == NULL)
			return NULL;
		for (w = strtok_r(line, " \t", &save); w != NULL &&
		    n < LU_ARGV_MAX; w = strtok_r(NULL, " \t", &save)) {
			has_u = has_u || strcmp(w, "-U") == 0;
			argv[n++] = w;
		}
	} else {
		for (i = 1; i < d->argc; i++) {
			has_u = has_u || strcmp(d->argv[i], "-U") == 0;
			argv[n++] = d->argv[i];
		}
	}
	if (!has_u)
		argv[n++] = (char *)(uintptr_t)"-U";
	argv[n] = NULL;
	return argv;
}

static void
activate(struct daemon *d)
{
	const struct hypervisor_ops *hv = d->cfg.hv;
	char why[DAEMONIZE_WHY_MAX], *path, **argv;
	const char *bad;
	int err, hvfd = -1;

	if ((bad = check_binary(d->lu->binary)) != NULL) {
		answer(d, bad);
		return;
	}
	path = lu_dump_path(d->lu);
	argv = exec_argv(d, d->lu);
	if (path == NULL || argv == NULL) {
		answer(d, "Allocation failure.");
		return;
	}
	/* The backend's fd goes into the dump's GLOBAL record. */
	if (d->hv_ready && hv->lu_prepare != NULL)
		hvfd = hv->lu_prepare(d);
	d->hv_inherit_fd = hvfd;
	if (lu_dump(d, path, d->lu->owner, &d->lu->hdr, why,
	    sizeof(why)) != 0) {
		log_err("live-update: %s", why);
		if (d->hv_ready && hv->lu_cancel != NULL)
			hv->lu_cancel(d);
		answer(d, "Dump state open error");
		return;
	}
	err = handover_fds(d, true);
	if (err == 0 && hvfd != -1)
		err = fd_flags(hvfd, false, true);
	if (err == 0) {
		log_info("live-update: exec %s", d->lu->binary);
		execvp(argv[0], argv);
		err = errno;
	}
	log_err("live-update: exec %s: %s", d->lu->binary, strerror(err));
	(void)handover_fds(d, false);
	if (hvfd != -1)
		(void)fd_flags(hvfd, true, true);
	if (d->hv_ready && hv->lu_cancel != NULL)
		hv->lu_cancel(d);
	(void)unlink(path);
	answer(d, "Error activating new binary.");
}

void
lu_check(struct daemon *d)
{
	unsigned int total = 0, lng = 0;
	uint64_t now;
	struct conn *c;
	char *why;

	if (d->lu == NULL || !d->lu->starting)
		return;
	now = conn_now_ms();
	for (c = d->conns; c != NULL; c = c->next) {
		if (c->tx_since_ms == 0)
			continue;
		total++;
		if ((now - c->tx_since_ms) / 1000 >= d->lu->timeout)
			lng++;
	}
	if (total != 0 && !(d->lu->force && lng == total)) {
		if (now < d->lu->started_ms + (uint64_t)d->lu->timeout * 1000)
			return;
		if (!d->lu->force) {
			why = reject_reason(d, now);
			answer(d, why != NULL ? why :
			    "Overlapping transactions");
			return;
		}
	}
	activate(d);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two log files together: the trace (trace.c) and the access log
 * (access_log.c). This file decides when they are opened and reopened and
 * gives conn.c and dispatch.c one hook each for a packet in, a packet out
 * and a connection made or freed, so those files hold one line per event
 * and no knowledge of either format.
 *
 * Opening: at start-up (before the fork, so a bad path is reported on the
 * caller's terminal), after SIGHUP (logrotate moved the files away: we
 * open new ones by the same names), and for CONTROL logfile/log on.
 * Failing to open a log is logged and never stops the daemon: a missing
 * /var/log/xen must not keep the guests from booting.
 *
 * Relative names are under LOGS_LIB_DIR (/var/lib/xen/xenstore), as the C
 * xenstored resolves them; it makes a -T name mean the same thing before
 * and after the daemon moves to "/".
 *
 * State: none beyond the two files' (see there).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

void
logs_write_all(int fd, const char *buf, size_t len, const char *what,
    const char *path, bool *broken)
{
	ssize_t n;
	size_t off = 0;

	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!*broken)
				log_warn("%s %s: %s; lines are lost until it "
				    "works again", what, path,
				    n == 0 ? "short write" : strerror(errno));
			*broken = true;
			return;
		}
		off += (size_t)n;
	}
	*broken = false;
}

void
logs_date(char *out, size_t outsz)
{
	struct timeval tv;
	struct tm tm;

	if (gettimeofday(&tv, NULL) == -1 ||
	    gmtime_r(&tv.tv_sec, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		tv.tv_usec = 0;
	}
	(void)snprintf(out, outsz, "%04d%02d%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

size_t
logs_cut(char *line, size_t len, int nb_chars)
{
	size_t keep;

	if (nb_chars <= 0 || len <= (size_t)nb_chars - 1)
		return len;
	keep = nb_chars - 1 > 2 ? (size_t)nb_chars - 1 : 2;
	line[keep - 2] = '.';
	line[keep - 1] = '.';
	return keep;
}

void
logs_rotate(const char *path, unsigned int nb_files, int *fd, mode_t mode)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int n;
	int nfd;

	/* FILE.(n-1) -> FILE.n, ..., FILE -> FILE.1: nb_files in all. */
	for (n = nb_files > 0 ? nb_files - 1 : 0; n >= 1; n--) {
		if (n == 1)
			(void)snprintf(from, sizeof(from), "%s", path);
		else
			(void)snprintf(from, sizeof(from), "%s.%u", path,
			    n - 1);
		(void)snprintf(to, sizeof(to), "%s.%u", path, n);
		if (rename(from, to) == -1 && errno != ENOENT)
			log_warn("rotating %s: %s", from, strerror(errno));
	}
	nfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	    mode);
	if (nfd == -1) {
		log_warn("rotating %s: cannot reopen it: %s; writing on to "
		    "the old file", path, strerror(errno));
		return;
	}
	if (*fd != -1)
		close(*fd);
	*fd = nfd;
}

int
logs_path(TALLOC_CTX *ctx, const char *name, char **out)
{
	if (name[0] == '\0')
		return EINVAL;
	if (name[0] == '/')
		*out = talloc_strdup(ctx, name);
	else
		*out = talloc_asprintf(ctx, "%s/%s", LOGS_LIB_DIR, name);
	return *out != NULL ? 0 : ENOMEM;
}

void
logs_start(struct daemon *d)
{
	int err;

	d->trace_flags = d->cfg.trace_flags;
	if (d->cfg.trace_file != NULL &&
	    (err = trace_open(d, d->cfg.trace_file)) != 0) {
		log_warn("cannot open the trace file %s: %s; tracing is off "
		    "until SIGHUP or CONTROL log on", d->cfg.trace_file,
		    strerror(err));
		/* Remembered, so that SIGHUP and "log on" try again. */
		d->trace_path = talloc_strdup(d->ctx, d->cfg.trace_file);
		d->trace_broken = true;
	}
	d->access_syslog = d->cfg.access.facility != -1;
	if (d->cfg.access_log != NULL &&
	    (err = access_log_open(d)) != 0) {
		log_warn("cannot open the access log %s: %s; it is off "
		    "until SIGHUP", d->cfg.access_log, strerror(err));
		d->access_broken = true;
	}
}

void
logs_reopen(struct daemon *d)
{
	unsigned int n = 0;
	int err;

	/*
	 * The trace is reopened if it is on, or wanted but failing;
	 * CONTROL "log off" (fd closed, not broken) stays off.
	 */
	if (d->trace_path != NULL && (d->trace_fd != -1 || d->trace_broken)) {
		err = trace_open(d, d->trace_path);
		if (err != 0) {
			log_warn("cannot reopen the trace file %s: %s",
			    d->trace_path, strerror(err));
			d->trace_broken = true;
		} else {
			n++;
		}
	}
	if (d->cfg.access_log != NULL) {
		err = access_log_open(d);
		if (err != 0) {
			log_warn("cannot reopen the access log %s: %s",
			    d->cfg.access_log, strerror(err));
			d->access_broken = true;
		} else {
			n++;
		}
	}
	log_reopen();
	log_info("SIGHUP: %u log file%s reopened", n, n == 1 ? "" : "s");
}

void
logs_stop(struct daemon *d)
{
	trace_close(d);
	access_log_close(d);
}

void
logs_packet_in(struct daemon *d, const struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	if (d->trace_fd == -1 && d->access_fd == -1 && !d->access_syslog)
		return;
	trace_packet(d, c, "IN", hdr, payload);
	access_log_request(d, c, hdr, payload);
}

void
logs_packet_out(struct daemon *d, const struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	if (d->trace_fd == -1 && d->access_fd == -1 && !d->access_syslog)
		return;
	trace_packet(d, c, "OUT", hdr, payload);
	access_log_reply(d, c, hdr, payload);
}

void
logs_conn(struct daemon *d, const struct conn *c, bool created)
{
	if (d->trace_fd == -1 && d->access_fd == -1 && !d->access_syslog)
		return;
	trace_conn(d, c, created ? "CREATE" : "DESTROY", NULL);
	access_log_conn(d, c, created);
}

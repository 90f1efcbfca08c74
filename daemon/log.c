/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging: syslog with ident "xstored" and facility LOG_DAEMON (journald
 * takes it from there), at the levels err, warning, info and debug (-V).
 *
 * State: the chosen level, facility and log file (lg, below), set by
 * log_configure() and log_open(), so these functions can be called from
 * anywhere without a daemon pointer; the copy to stderr is syslog's
 * LOG_PERROR option (or ours, with a log file). Modes:
 *  - foreground (-N): everything to syslog and to stderr, except when
 *    stderr is the journal (systemd's JOURNAL_STREAM names it), which
 *    receives syslog already: no line twice;
 *  - starting (the original process of a forking start): only warnings
 *    and errors, to syslog and the caller's terminal, so a launch script
 *    sees why a start failed and nothing when it works;
 *  - daemon (after the fork): everything to syslog only.
 *
 * With --config-file, oxenstored's xenstored-log-* keys apply
 * (log_configure): another facility, a level, or a file of its own in
 * oxenstored's line format, rotated after nb-lines lines keeping nb-files
 * files, reopened by SIGHUP.
 *
 * Untrusted bytes (a client's bad packet, a CONTROL print) are never
 * logged raw: log_sample() renders a bounded, printable sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "oxconf/oxconf.h"

/* Is stderr the journal's stream ($JOURNAL_STREAM = "dev:inode")? */
static bool
stderr_is_journal(void)
{
	unsigned long long dev, ino;
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/*
 * What log_configure() chose, kept across log_open() (the daemon reopens
 * the log after the fork). Static because these functions take no daemon
 * pointer (see the top comment); main() alone writes it, at start-up.
 */
static struct {
	int	 facility;	/* LOG_DAEMON, or the file's syslog:F */
	int	 level;		/* OXCONF_LEVEL_*, or -1: ours */
	int	 upto;		/* highest priority logged, -1: none */
	int	 mode;		/* LOG_OPEN_* */
	bool	 perror;	/* copy to stderr */
	const char *path;	/* the log file, or NULL: syslog */
	int	 fd;
	bool	 broken;
	unsigned int nb_files, nb_lines, lines;
	int	 nb_chars;
} lg = { LOG_DAEMON, -1, LOG_INFO, LOG_OPEN_DAEMON, false, NULL, -1, false,
	0, 0, 0, -1 };

/* oxenstored's levels as syslog priorities (null: -1, nothing). */
static int
level_upto(int level)
{
	switch (level) {
	case OXCONF_LEVEL_DEBUG:
		return LOG_DEBUG;
	case OXCONF_LEVEL_INFO:
		return LOG_INFO;
	case OXCONF_LEVEL_WARN:
		return LOG_WARNING;
	case OXCONF_LEVEL_ERROR:
		return LOG_ERR;
	default:
		return -1;
	}
}

void
log_open(int mode, bool verbose)
{
	int opts = LOG_PID | LOG_NDELAY;
	int upto = verbose ? LOG_DEBUG : LOG_INFO;

	closelog();
	lg.perror = mode != LOG_OPEN_DAEMON && !stderr_is_journal();
	if (lg.perror && lg.path == NULL)
		opts |= LOG_PERROR;
	if (lg.level != -1 && !verbose)
		upto = level_upto(lg.level);
	if (mode == LOG_OPEN_STARTING && upto > LOG_WARNING)
		upto = LOG_WARNING;
	lg.upto = upto;
	lg.mode = mode;
	openlog("xstored", opts, lg.facility);
	/*
	 * vlog() filters by lg.upto itself; syslog's own mask stays wide
	 * open for the access log's lines (access-log-file = syslog:F).
	 */
	setlogmask(LOG_UPTO(LOG_DEBUG));
}

int
log_configure(const struct log_config *lc)
{
	int fd;

	lg.facility = lc->facility;
	lg.level = lc->level;
	if (lc->file == NULL || lc->level == OXCONF_LEVEL_NULL)
		return 0;
	fd = open(lc->file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	lg.path = lc->file;
	lg.fd = fd;
	lg.nb_files = lc->nb_files;
	lg.nb_lines = lc->nb_lines;
	lg.nb_chars = lc->nb_chars;
	lg.lines = 0;
	return 0;
}

void
log_reopen(void)
{
	int fd;

	if (lg.path == NULL)
		return;
	fd = open(lg.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1)
		return;		/* the old file goes on */
	close(lg.fd);
	lg.fd = fd;
	lg.lines = 0;
}

/* One line to the log file, oxenstored's: "[date|level|xenstored] text". */
static void
file_line(int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = " warn",
		[LOG_INFO] = " info", [LOG_DEBUG] = "debug",
	};
	char line[1024], date[40];
	size_t len;
	va_list copy;
	int n;

	logs_date(date, sizeof(date));
	n = snprintf(line, sizeof(line), "[%s|%s|xenstored] ", date,
	    names[prio] != NULL ? names[prio] : "error");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_copy(copy, ap);
	(void)vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, copy);
	va_end(copy);
	len = logs_cut(line, strlen(line), lg.nb_chars);
	if (lg.perror)
		fprintf(stderr, "xstored[%ld]: %s\n", (long)getpid(),
		    line + n);
	line[len++] = '\n';
	logs_write_all(lg.fd, line, len, "log file", lg.path, &lg.broken);
	if (lg.nb_lines > 0 && ++lg.lines > lg.nb_lines) {
		logs_rotate(lg.path, lg.nb_files, &lg.fd, 0600);
		lg.lines = 0;
	}
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	if (prio > lg.upto)
		return;
	if (lg.fd != -1) {
		file_line(prio, fmt, ap);
		return;
	}
	vsyslog(prio, fmt, ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

char *
log_sample(const void *buf, size_t len, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = buf;
	size_t i, o = 0;

	if (outsz == 0)
		return out;
	/* Each input byte takes at most 4 output bytes; keep room for "...". */
	for (i = 0; i < len; i++) {
		if (o + 4 + 3 + 1 > outsz)
			break;
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			out[o++] = (char)p[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 0xf];
		}
	}
	if (i < len && o + 3 + 1 <= outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

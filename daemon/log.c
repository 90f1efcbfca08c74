/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging: syslog with ident "xstored" and facility LOG_DAEMON (journald
 * takes it from there), at the levels err, warning, info and debug (-V).
 *
 * State: none of our own. The copy to stderr is syslog's LOG_PERROR option
 * and the level is syslog's log mask, both set by log_open(), so these
 * functions can be called from anywhere without a daemon pointer. Modes:
 *  - foreground (-N): everything to syslog and to stderr, except when
 *    stderr is the journal (systemd's JOURNAL_STREAM names it), which
 *    receives syslog already: no line twice;
 *  - starting (the original process of a forking start): only warnings
 *    and errors, to syslog and the caller's terminal, so a launch script
 *    sees why a start failed and nothing when it works;
 *  - daemon (after the fork): everything to syslog only.
 *
 * Untrusted bytes (a client's bad packet, a CONTROL print) are never
 * logged raw: log_sample() renders a bounded, printable sample.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/daemon.h"

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

void
log_open(int mode, bool verbose)
{
	int opts = LOG_PID | LOG_NDELAY;
	int upto = verbose ? LOG_DEBUG : LOG_INFO;

	closelog();
	if (mode != LOG_OPEN_DAEMON && !stderr_is_journal())
		opts |= LOG_PERROR;
	if (mode == LOG_OPEN_STARTING)
		upto = LOG_WARNING;
	openlog("xstored", opts, LOG_DAEMON);
	setlogmask(LOG_UPTO(upto));
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
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

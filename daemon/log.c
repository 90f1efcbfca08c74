/*
 * Logging: syslog with ident "xstored" and facility LOG_DAEMON; in the
 * foreground every message is copied to stderr as well.
 *
 * State: none of our own. The copy to stderr is syslog's LOG_PERROR option
 * and the verbosity is syslog's log mask, both set once by log_open(), so
 * these functions can be called from anywhere without a daemon pointer.
 *
 * Untrusted bytes (a client's bad packet, a CONTROL print) are never
 * logged raw: log_sample() renders a bounded, printable sample.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "daemon/daemon.h"

void
log_open(bool foreground, bool verbose)
{
	int opts = LOG_PID | LOG_NDELAY;

	closelog();
	if (foreground)
		opts |= LOG_PERROR;
	openlog("xstored", opts, LOG_DAEMON);
	setlogmask(LOG_UPTO(verbose ? LOG_DEBUG : LOG_INFO));
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

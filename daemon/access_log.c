/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The access log (--access-log FILE): one line per request, per
 * connection, in oxenstored's format, so that what was written to read
 * /var/log/xen/xenstored-access.log reads ours:
 *
 *   [20250101T12:00:00.123Z] A3           newconn
 *   [20250101T12:00:00.124Z] A3.1         write     /local/domain/0/a hello
 *   [20250101T12:00:00.124Z] D5           error     ENOENT
 *   [20250101T12:00:00.125Z] D5           w event   /local/domain/5/x tok
 *
 * The time is UTC with milliseconds. The connection is "D<domid>" for a
 * domain's ring and "A<n>" for the n-th socket connection (all sockets are
 * dom0 tools; oxenstored names them the same way), followed by
 * ".<transaction id>" inside a transaction. Then the operation, padded to
 * 9 columns, with oxenstored's names ("t start", "getdomain", ...), and
 * the payload with NULs as spaces and trailing NULs dropped.
 *
 * What is logged: every request (oxenstored leaves reads out by default;
 * we keep them, this log is asked for explicitly), error replies, watch
 * events, and connections made and closed. The payload is cut at
 * ACCESS_DATA_MAX characters (".." marks the cut): oxenstored caps its
 * lines too. Unprintable bytes and '\' are written \xNN and \\, so a guest
 * cannot forge a line. Values land here, so the file is created 0600.
 *
 * State: d->access_fd, d->access_broken (a write failed: logged once until
 * one succeeds again). The path is cfg.access_log and never changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

#define ACCESS_DATA_MAX	256	/* payload characters per line */
/* Prefix, data (a byte takes up to 4 past the limit), "..", newline. */
#define ACCESS_LINE_MAX	(128 + ACCESS_DATA_MAX + 8)

/* oxenstored's operation names, by message type. */
static const char *const op_names[WIRE_TYPE_COUNT] = {
	[XS_CONTROL] = "debug",
	[XS_DIRECTORY] = "directory",
	[XS_READ] = "read",
	[XS_GET_PERMS] = "getperms",
	[XS_WATCH] = "watch",
	[XS_UNWATCH] = "unwatch",
	[XS_TRANSACTION_START] = "t start",
	[XS_TRANSACTION_END] = "t end",
	[XS_INTRODUCE] = "introduce",
	[XS_RELEASE] = "release",
	[XS_GET_DOMAIN_PATH] = "getdomain",
	[XS_WRITE] = "write",
	[XS_MKDIR] = "mkdir",
	[XS_RM] = "rm",
	[XS_SET_PERMS] = "setperms",
	[XS_WATCH_EVENT] = "w event",
	[XS_ERROR] = "error",
	[XS_IS_DOMAIN_INTRODUCED] = "is introduced",
	[XS_RESUME] = "resume",
	[XS_SET_TARGET] = "settarget",
	[20] = "restrict",
	[XS_RESET_WATCHES] = "reset watches",
	[XS_DIRECTORY_PART] = "directory part",
	[WIRE_GET_FEATURE] = "get feature",
	[WIRE_SET_FEATURE] = "set feature",
	[WIRE_GET_QUOTA] = "get quota",
	[WIRE_SET_QUOTA] = "set quota",
};

int
access_log_open(struct daemon *d)
{
	int fd;

	fd = open(d->cfg.access_log, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	access_log_close(d);
	d->access_fd = fd;
	d->access_broken = false;
	return 0;
}

void
access_log_close(struct daemon *d)
{
	if (d->access_fd != -1)
		close(d->access_fd);
	d->access_fd = -1;
}

static void
put(struct daemon *d, const char *buf, size_t len)
{
	logs_write_all(d->access_fd, buf, len, "access log",
	    d->cfg.access_log, &d->access_broken);
}

/*
 * Renders data printable into out, stopping once max characters are out
 * (so at most max + 3, then ".."): out needs max + 6 bytes.
 */
static size_t
render(char *out, const char *in, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t i, o = 0;

	while (len > 0 && p[len - 1] == '\0')
		len--;
	for (i = 0; i < len && o < max; i++) {
		if (p[i] == '\0') {
			out[o++] = ' ';
		} else if (p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			out[o++] = (char)p[i];
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 0xf];
		}
	}
	if (i < len) {
		out[o++] = '.';
		out[o++] = '.';
	}
	return o;
}

/* One line: the prefix, the operation, then the rendered data. */
static void
line(struct daemon *d, const struct conn *c, uint32_t tx_id, const char *op,
    const char *data, size_t len)
{
	char buf[ACCESS_LINE_MAX], who[40], date[40];
	struct timeval tv;
	struct tm tm;
	size_t o;
	int n;

	if (gettimeofday(&tv, NULL) == -1 || gmtime_r(&tv.tv_sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	(void)snprintf(date, sizeof(date), "%04d%02d%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	if (c->ring != NULL)
		n = snprintf(who, sizeof(who), "D%u", c->who.domid);
	else
		n = snprintf(who, sizeof(who), "A%lu", c->id);
	if (n > 0 && tx_id != 0 && (size_t)n < sizeof(who))
		(void)snprintf(who + n, sizeof(who) - (size_t)n, ".%u", tx_id);
	n = snprintf(buf, 128, "[%s] %-12s %-9s%s", date, who, op,
	    len > 0 ? " " : "");
	if (n < 0 || n >= 128)
		return;
	o = (size_t)n;
	o += render(buf + o, data, len, ACCESS_DATA_MAX);
	/* Operation names are padded; a line ends without blanks. */
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o++] = '\n';
	put(d, buf, o);
}

static const char *
op_name(uint32_t type)
{
	if (type < WIRE_TYPE_COUNT && op_names[type] != NULL)
		return op_names[type];
	return "invalid";
}

void
access_log_request(struct daemon *d, const struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	size_t len;

	if (d->access_fd == -1)
		return;
	len = hdr->len <= XENSTORE_PAYLOAD_MAX ? hdr->len :
	    XENSTORE_PAYLOAD_MAX;
	line(d, c, hdr->tx_id, op_name(hdr->type), payload, len);
}

void
access_log_reply(struct daemon *d, const struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	size_t len;

	if (d->access_fd == -1)
		return;
	if (hdr->type != XS_ERROR && hdr->type != XS_WATCH_EVENT)
		return;
	len = hdr->len <= XENSTORE_PAYLOAD_MAX ? hdr->len :
	    XENSTORE_PAYLOAD_MAX;
	line(d, c, hdr->tx_id, op_name(hdr->type), payload, len);
}

void
access_log_conn(struct daemon *d, const struct conn *c, bool created)
{
	if (d->access_fd == -1)
		return;
	line(d, c, 0, created ? "newconn" : "endconn", "", 0);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The access log (--access-log FILE, or --config-file's access-log-file,
 * by default /var/log/xen/xenstored-access.log): one line per request,
 * per connection, in oxenstored's format (logging.ml), so that what was
 * written to read oxenstored's log reads ours:
 *
 *   [20250101T12:00:00.123Z]  A3           newconn   
 *   [20250101T12:00:00.124Z]  A3.1         write     /local/domain/0/a hello
 *   [20250101T12:00:00.124Z]  D5           error     ENOENT
 *   [20250101T12:00:00.125Z]  D5           w event   /local/domain/5/x tok
 *
 * The time is UTC with milliseconds; two blanks follow it, as
 * oxenstored's do. The connection is "D<domid>" for a domain's ring and
 * "A<n>" for the n-th socket connection (all sockets are dom0 tools),
 * followed by ".<transaction id>" inside a transaction, padded to 12.
 * Then the operation, padded to 9 columns, with oxenstored's names
 * ("t start", "getdomain", ...), a blank (so "newconn" lines end in
 * blanks, as oxenstored's), and the payload escaped as OCaml's
 * String.escaped does (render()). A line longer than nb_chars - 1 (180 by
 * default) is cut, ".." at its end. To syslog (access-log-file =
 * syslog:FACILITY) the date is left to syslog, as oxenstored does.
 *
 * What is logged: with --access-log alone, every request, error replies,
 * watch events, connections made and closed, and each transaction's
 * "commit" or "conflict" (EAGAIN) as oxenstored writes them; with
 * --config-file, oxenstored's choice: reads, directory listings,
 * permission reads and ENOENT errors only with access-log-read-ops,
 * transaction starts and ends only with access-log-transactions-ops,
 * introduce, release, getdomain, is introduced, resume only with
 * access-log-special-ops.
 * Rotation after nb-lines lines, nb-files files kept (logs_rotate()),
 * only with --config-file; else logrotate and SIGHUP. Values land here,
 * so the file is created 0600.
 *
 * State: d->access_fd, d->access_broken (a write failed: logged once until
 * one succeeds again), d->access_syslog, d->access_lines (since the last
 * rotation). The path is cfg.access_log and never changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

#define ACCESS_DATA_MAX	4096	/* payload characters per line, at most */
/* Prefix, data (a byte takes up to 4 past the limit), newline, NUL. */
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
 * Renders data as oxenstored does (NULs as blanks, then OCaml's
 * String.escaped: \\, \", \n, \t, \r, \b, other unprintable bytes as
 * \ddd in decimal), stopping once max characters are out: out needs
 * max + 4 bytes. A guest cannot forge a line.
 */
static size_t
render(char *out, const char *in, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i, o = 0;
	unsigned char ch;

	for (i = 0; i < len && o < max; i++) {
		ch = p[i] == '\0' ? ' ' : p[i];
		switch (ch) {
		case '\\':
		case '"':
			out[o++] = '\\';
			out[o++] = (char)ch;
			break;
		case '\n':
			out[o++] = '\\';
			out[o++] = 'n';
			break;
		case '\t':
			out[o++] = '\\';
			out[o++] = 't';
			break;
		case '\r':
			out[o++] = '\\';
			out[o++] = 'r';
			break;
		case '\b':
			out[o++] = '\\';
			out[o++] = 'b';
			break;
		default:
			if (ch >= 0x20 && ch < 0x7f) {
				out[o++] = (char)ch;
			} else {
				out[o++] = '\\';
				out[o++] = (char)('0' + ch / 100);
				out[o++] = (char)('0' + ch / 10 % 10);
				out[o++] = (char)('0' + ch % 10);
			}
		}
	}
	return o;
}

/*
 * One line, oxenstored's: "[date]  " (its prefix ends in a blank, then a
 * blank separates), the connection padded to 12, the operation (padded
 * to 9 in the names), a blank, the data. Cut at nb_chars, rotated after
 * nb_lines.
 */
static void
line(struct daemon *d, const struct conn *c, uint32_t tx_id, const char *op,
    const char *data, size_t len)
{
	const struct access_log_config *a = &d->cfg.access;
	char buf[ACCESS_LINE_MAX], who[40], date[40];
	size_t o;
	int n;

	logs_date(date, sizeof(date));
	if (c->ring != NULL)
		n = snprintf(who, sizeof(who), "D%u", c->who.domid);
	else
		n = snprintf(who, sizeof(who), "A%lu", c->id);
	if (n > 0 && tx_id != 0 && (size_t)n < sizeof(who))
		(void)snprintf(who + n, sizeof(who) - (size_t)n, ".%u", tx_id);
	if (d->access_syslog)
		n = snprintf(buf, 128, "%-12s %-9s ", who, op);
	else
		n = snprintf(buf, 128, "[%s]  %-12s %-9s ", date, who, op);
	if (n < 0 || n >= 128)
		return;
	o = (size_t)n;
	/* Trailing NULs are the wire's terminators, not data. */
	while (len > 0 && data[len - 1] == '\0')
		len--;
	o += render(buf + o, data, len, ACCESS_DATA_MAX);
	if (!d->access_syslog)
		o = logs_cut(buf, o, a->nb_chars);
	if (d->access_syslog) {
		buf[o] = '\0';
		syslog(a->facility | LOG_INFO, "%s", buf);
		return;
	}
	buf[o++] = '\n';
	put(d, buf, o);
	if (a->nb_lines > 0 && ++d->access_lines > a->nb_lines) {
		logs_rotate(d->cfg.access_log, a->nb_files, &d->access_fd,
		    0600);
		d->access_lines = 0;
	}
}

static const char *
op_name(uint32_t type)
{
	if (type < WIRE_TYPE_COUNT && op_names[type] != NULL)
		return op_names[type];
	return "invalid";
}

/* Is a request of this type logged (oxenstored's access-log-*-ops)? */
static bool
wanted(const struct access_log_config *a, uint32_t type)
{
	switch (type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_GET_PERMS:
	case XS_DIRECTORY_PART:
		return a->read_ops;
	case XS_TRANSACTION_START:
	case XS_TRANSACTION_END:
		return a->tx_ops;
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RESUME:
		return a->special_ops;
	default:
		return true;
	}
}

void
access_log_request(struct daemon *d, const struct conn *c,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	size_t len;

	if (d->access_fd == -1 && !d->access_syslog)
		return;
	if (!wanted(&d->cfg.access, hdr->type))
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

	if (d->access_fd == -1 && !d->access_syslog)
		return;
	if (hdr->type != XS_ERROR && hdr->type != XS_WATCH_EVENT)
		return;
	/* oxenstored counts ENOENT as part of a read. */
	if (hdr->type == XS_ERROR && !d->cfg.access.read_ops &&
	    hdr->len >= 6 && memcmp(payload, "ENOENT", 6) == 0)
		return;
	len = hdr->len <= XENSTORE_PAYLOAD_MAX ? hdr->len :
	    XENSTORE_PAYLOAD_MAX;
	line(d, c, hdr->tx_id, op_name(hdr->type), payload, len);
}

void
access_log_tx(struct daemon *d, const struct conn *c, uint32_t tx_id,
    bool committed)
{
	if (d->access_fd == -1 && !d->access_syslog)
		return;
	line(d, c, tx_id, committed ? "commit" : "conflict", "", 0);
}

void
access_log_conn(struct daemon *d, const struct conn *c, bool created)
{
	if (d->access_fd == -1 && !d->access_syslog)
		return;
	line(d, c, 0, created ? "newconn" : "endconn", "", 0);
}

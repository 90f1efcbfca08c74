/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace file (-T, CONTROL log and logfile): a readable record of every
 * packet in and out, in the C xenstored's format, so the tools and habits
 * built around its trace keep working:
 *
 *   io: IN conn3 (d0) 20250101 12:00:00 WRITE (/local/domain/0/a hello)
 *   io: OUT conn3 (d0) 20250101 12:00:00 WRITE (OK )
 *   obj: CREATE connection conn3 (d0)
 *   obj: RECONNECT connection conn4 (d1) dropped 0 partial-bytes ...
 *   control: <text of CONTROL print>
 *
 * Where the C daemon prints the connection's address we print its number
 * (the same in the access log and the debug log). A payload's NULs become
 * spaces, as in C; unlike C, other unprintable bytes and '\' are written
 * as \xNN and \\, so a guest cannot forge lines or terminal escapes. A
 * payload is at most XENSTORE_PAYLOAD_MAX bytes, so one line is bounded
 * (TRACE_LINE_MAX) and goes out in one write(2) to an O_APPEND file. OUT is
 * recorded when a packet is queued for the client, not when the socket or
 * ring takes it: the order is the same, and no packet is missed.
 *
 * Switches (--trace-control, CONTROL log +sw/-sw) are the C daemon's: obj
 * and io (on by default) do as above; wrl, acc and tdb name C internals we
 * do not have and add nothing.
 *
 * State: d->trace_path, d->trace_fd, d->trace_flags, d->trace_broken (a
 * write or open failed: logged once until one succeeds again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

/* The prefix ("io: OUT conn… (d…) date TYPE (") plus 4 bytes per byte. */
#define TRACE_LINE_MAX	(256 + 4 * XENSTORE_PAYLOAD_MAX)

/* Indexed by bit number: TRACE_OBJ is 1 << 0. */
static const char *const switch_names[] = { "obj", "io", "wrl", "acc", "tdb" };
#define NSWITCHES	(sizeof(switch_names) / sizeof(switch_names[0]))

int
trace_switch(unsigned int *flags, const char *arg)
{
	unsigned int i;

	if (arg[0] != '+' && arg[0] != '-')
		return EINVAL;
	for (i = 0; i < NSWITCHES; i++) {
		if (strcmp(arg + 1, switch_names[i]) != 0)
			continue;
		if (arg[0] == '+')
			*flags |= 1u << i;
		else
			*flags &= ~(1u << i);
		return 0;
	}
	return EINVAL;
}

char *
trace_describe(TALLOC_CTX *ctx, unsigned int flags)
{
	char *s;
	unsigned int i;

	s = talloc_strdup(ctx, "Log switch settings:\n");
	for (i = 0; s != NULL && i < NSWITCHES; i++)
		s = talloc_asprintf_append(s, "%-8s: %s\n", switch_names[i],
		    flags & (1u << i) ? "on" : "off");
	return s;
}

static void
put(struct daemon *d, const char *buf, size_t len)
{
	logs_write_all(d->trace_fd, buf, len, "trace", d->trace_path,
	    &d->trace_broken);
}

int
trace_open(struct daemon *d, const char *path)
{
	static const char banner[] = "\n***\n";
	char *copy;
	int fd, err;

	copy = talloc_strdup(d->ctx, path);
	if (copy == NULL)
		return ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		err = errno;
		talloc_free(copy);
		return err;
	}
	trace_close(d);
	talloc_free(d->trace_path);
	d->trace_path = copy;
	d->trace_fd = fd;
	d->trace_broken = false;
	put(d, banner, sizeof(banner) - 1);
	return 0;
}

void
trace_close(struct daemon *d)
{
	if (d->trace_fd != -1)
		close(d->trace_fd);
	d->trace_fd = -1;
}

/* Appends len bytes rendered printable; NUL becomes a space. */
static size_t
render(char *out, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
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
	return o;
}

void
trace_packet(struct daemon *d, const struct conn *c, const char *dir,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	char line[TRACE_LINE_MAX];
	const char *type;
	char unknown[24];
	struct tm tm;
	time_t now;
	size_t len, o;
	int n;

	if (d->trace_fd == -1 || !(d->trace_flags & TRACE_IO))
		return;
	type = wire_type_name(hdr->type);
	if (type == NULL) {
		(void)snprintf(unknown, sizeof(unknown), "UNKNOWN(%u)",
		    hdr->type);
		type = unknown;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(line, 256, "io: %s conn%lu (d%u) %04d%02d%02d "
	    "%02d:%02d:%02d %s (", dir, c->id, c->who.domid,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, type);
	if (n < 0 || n >= 256)
		return;
	o = (size_t)n;
	/* Both directions are checked against this before we get here. */
	len = hdr->len <= XENSTORE_PAYLOAD_MAX ? hdr->len :
	    XENSTORE_PAYLOAD_MAX;
	o += render(line + o, payload, len);
	line[o++] = ')';
	line[o++] = '\n';
	put(d, line, o);
}

void
trace_conn(struct daemon *d, const struct conn *c, const char *what,
    const char *detail)
{
	char line[256];
	int n;

	if (d->trace_fd == -1 || !(d->trace_flags & TRACE_OBJ))
		return;
	n = snprintf(line, sizeof(line),
	    "obj: %s connection conn%lu (d%u)%s%s\n", what, c->id,
	    c->who.domid, detail != NULL ? " " : "",
	    detail != NULL ? detail : "");
	if (n > 0 && (size_t)n < sizeof(line))
		put(d, line, (size_t)n);
}

void
trace_text(struct daemon *d, const char *prefix, const char *text)
{
	char line[TRACE_LINE_MAX];
	size_t len, plen, o;

	if (d->trace_fd == -1)
		return;
	plen = strlen(prefix);
	len = strlen(text);
	if (plen > 64)
		plen = 64;
	if (len > XENSTORE_PAYLOAD_MAX)
		len = XENSTORE_PAYLOAD_MAX;
	memcpy(line, prefix, plen);
	o = plen;
	line[o++] = ':';
	line[o++] = ' ';
	o += render(line + o, text, len);
	line[o++] = '\n';
	put(d, line, o);
}

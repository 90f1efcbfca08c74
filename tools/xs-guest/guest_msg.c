/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_msg.c: xenstore packets as the tool holds, builds and prints them.
 *
 * Job: allocate a packet with its body, turn words into a request payload,
 * name types, pick apart ERROR replies and WATCH_EVENTs, and print replies
 * and trace lines. Owns nothing beyond the messages it hands out.
 *
 * Invariant: a struct guest_msg body is always NUL-terminated one byte past
 * hdr.len, so the string helpers can never run off its end, whatever the
 * daemon sent.
 *
 * Must not: read or write anything but memory and the FILE it is given.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/args.h"
#include "protocol/wire.h"
#include "tools/xs-guest/guest_msg.h"

#define TRACE_BYTES	64	/* body bytes shown per trace line */

int
guest_msg_new(const struct xsd_sockmsg *hdr, const void *body,
    struct guest_msg **out)
{
	struct guest_msg *m;

	*out = NULL;
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	m = malloc(sizeof(*m) + hdr->len + 1);
	if (m == NULL)
		return ENOMEM;
	m->hdr = *hdr;
	m->next = NULL;
	if (hdr->len > 0)
		memcpy(m->body, body, hdr->len);
	m->body[hdr->len] = '\0';
	*out = m;
	return 0;
}

void
guest_msg_free(struct guest_msg *m)
{
	free(m);
}

int
guest_msg_type_by_name(const char *name, uint32_t *type)
{
	const char *n;
	unsigned int t;

	for (t = 0; t < WIRE_TYPE_COUNT; t++) {
		n = wire_type_name(t);
		if (n != NULL && strcasecmp(n, name) == 0) {
			*type = t;
			return 0;
		}
	}
	if (args_parse_uint(name, &t) == 0) {
		*type = t;
		return 0;
	}
	return EINVAL;
}

const char *
guest_msg_type_name(uint32_t type)
{
	const char *n;

	n = wire_type_name(type);
	return n != NULL ? n : "UNKNOWN";
}

int
guest_msg_build(uint32_t type, int argc, const char *const *argv,
    const size_t *lens, char *buf, size_t cap, size_t *len)
{
	size_t off, n;
	int i;
	bool nul;

	*len = 0;
	if (cap > XENSTORE_PAYLOAD_MAX)
		cap = XENSTORE_PAYLOAD_MAX;
	if (argc == 0) {
		if (type == XS_WRITE)
			return EINVAL;
		if (type == XS_TRANSACTION_START ||
		    type == XS_RESET_WATCHES) {
			if (cap < 1)
				return E2BIG;
			buf[0] = '\0';
			*len = 1;
		}
		return 0;
	}
	off = 0;
	for (i = 0; i < argc; i++) {
		n = lens != NULL ? lens[i] : strlen(argv[i]);
		/* WRITE's value is raw bytes: the protocol adds no NUL. */
		nul = !(type == XS_WRITE && i == argc - 1 && i > 0);
		if (n > cap - off || (nul && n + 1 > cap - off))
			return E2BIG;
		memcpy(buf + off, argv[i], n);
		off += n;
		if (nul)
			buf[off++] = '\0';
	}
	*len = off;
	return 0;
}

const char *
guest_msg_error(const struct guest_msg *m)
{
	if (m->hdr.type != XS_ERROR)
		return NULL;
	return m->body;
}

int
guest_msg_errno(const struct guest_msg *m)
{
	size_t i;

	if (m->hdr.type != XS_ERROR)
		return 0;
	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(xsd_errors[i].errstring, m->body) == 0)
			return xsd_errors[i].errnum;
	return EIO;
}

int
guest_msg_event(const struct guest_msg *m, const char **path,
    const char **token)
{
	size_t plen;

	if (m->hdr.type != XS_WATCH_EVENT)
		return EINVAL;
	plen = strnlen(m->body, m->hdr.len);
	/* Both strings must end inside the body. */
	if (plen >= m->hdr.len ||
	    strnlen(m->body + plen + 1, m->hdr.len - plen - 1) >=
	    m->hdr.len - plen - 1)
		return EINVAL;
	*path = m->body;
	*token = m->body + plen + 1;
	return 0;
}

void
guest_msg_print_bytes(FILE *f, const char *s, size_t len)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", f);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

/*
 * Writes the NUL-separated strings of body[0..len) separated by sep; a
 * final NUL ends the last string rather than starting an empty one.
 */
static void
print_strings(FILE *f, const char *body, size_t len, const char *sep)
{
	size_t i, start;

	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && body[i] != '\0')
			continue;
		if (i == len && start == len)
			break;
		if (start > 0)
			fputs(sep, f);
		guest_msg_print_bytes(f, body + start, i - start);
		start = i + 1;
	}
}

void
guest_msg_print_reply(FILE *f, uint32_t req_type, const struct guest_msg *m)
{
	const char *err;

	err = guest_msg_error(m);
	if (err != NULL) {
		fputs("ERROR ", f);
		guest_msg_print_bytes(f, err, strnlen(err, m->hdr.len));
		fputc('\n', f);
		return;
	}
	if (m->hdr.type == XS_WATCH_EVENT) {
		print_strings(f, m->body, m->hdr.len, " ");
		fputc('\n', f);
		return;
	}
	switch (req_type) {
	case XS_READ:
		guest_msg_print_bytes(f, m->body, m->hdr.len);
		fputc('\n', f);
		break;
	case XS_DIRECTORY:
		if (m->hdr.len > 0) {
			print_strings(f, m->body, m->hdr.len, "\n");
			fputc('\n', f);
		}
		break;
	default:
		print_strings(f, m->body, m->hdr.len, " ");
		fputc('\n', f);
		break;
	}
}

void
guest_msg_trace(FILE *f, const char *dir, const struct xsd_sockmsg *hdr,
    const char *body)
{
	size_t n;

	n = hdr->len < TRACE_BYTES ? hdr->len : TRACE_BYTES;
	fprintf(f, "xs-guest: %s %s(%u) id=%u tx=%u len=%u \"", dir,
	    guest_msg_type_name(hdr->type), hdr->type, hdr->req_id,
	    hdr->tx_id, hdr->len);
	if (body != NULL)
		guest_msg_print_bytes(f, body, n);
	fprintf(f, "\"%s\n", n < hdr->len ? "..." : "");
}

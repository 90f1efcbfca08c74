/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One xenstore packet as xs-guest holds it (header and body), and the
 * conversions the tool needs around it: type names, request payloads
 * built from command-line words, and replies and events printed as text.
 * No I/O but printing to a FILE the caller gives.
 *
 * Printed form (stdout of `req`, `read`, `watch`, scripts): bytes outside
 * printable ASCII, and the backslash, are written as \xHH and \\, so one
 * reply is one line whatever it holds.
 */
#ifndef TOOLS_XS_GUEST_GUEST_MSG_H
#define TOOLS_XS_GUEST_GUEST_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <xen/io/xs_wire.h>

struct guest_msg {
	struct xsd_sockmsg hdr;
	struct guest_msg *next;		/* link for whoever queues it */
	char		 body[];	/* hdr.len bytes, then one NUL */
};

/*
 * Allocates a message holding *hdr and a copy of its hdr->len body bytes
 * (a NUL is added after them). The caller frees it with guest_msg_free.
 * Errors: E2BIG (hdr->len > XENSTORE_PAYLOAD_MAX), ENOMEM.
 */
int	guest_msg_new(const struct xsd_sockmsg *hdr, const void *body,
	    struct guest_msg **out);

/* Frees m (NULL is fine); does not follow m->next. */
void	guest_msg_free(struct guest_msg *m);

/*
 * A message type from its name, in any case ("READ", "read",
 * "transaction_start") or as a decimal number (any 32-bit value, so tests
 * can send unknown types). Errors: EINVAL.
 */
int	guest_msg_type_by_name(const char *name, uint32_t *type);

/* The type's protocol name, or "UNKNOWN" for a type the wire lacks. */
const char *guest_msg_type_name(uint32_t type);

/*
 * Builds a request payload from argc words into buf (cap bytes): each word
 * followed by a NUL, except that the last word of a WRITE is the raw value
 * without one. lens[i] is word i's length (lens NULL: strlen, so words
 * then cannot hold NULs). With no words, TRANSACTION_START and
 * RESET_WATCHES get the single NUL their clients send; other types get an
 * empty payload. *len is the payload's length. Errors: E2BIG (more than
 * cap or XENSTORE_PAYLOAD_MAX bytes), EINVAL (a WRITE with no path).
 */
int	guest_msg_build(uint32_t type, int argc, const char *const *argv,
	    const size_t *lens, char *buf, size_t cap, size_t *len);

/* The error name carried by an ERROR reply ("ENOENT"), else NULL. */
const char *guest_msg_error(const struct guest_msg *m);

/*
 * The errno an ERROR reply names (its xsd_errors[] entry; EIO for a name
 * the protocol lacks, as hvmloader maps it), or 0 if m is not an ERROR.
 */
int	guest_msg_errno(const struct guest_msg *m);

/*
 * Splits a WATCH_EVENT body ("path\0token\0") into its two strings, which
 * point into m. Errors: EINVAL (not an event, or fewer than two strings).
 */
int	guest_msg_event(const struct guest_msg *m, const char **path,
	    const char **token);

/* Writes len bytes of s to f, escaped as described above. */
void	guest_msg_print_bytes(FILE *f, const char *s, size_t len);

/*
 * Prints a reply to a request of type req_type, one item per line:
 * "ERROR ENOENT" for an error; a READ's value; a DIRECTORY's names, one a
 * line (nothing for none); an event as "path token"; anything else as its
 * NUL-separated strings joined by spaces ("OK", "n0 r5", "3").
 */
void	guest_msg_print_reply(FILE *f, uint32_t req_type,
	    const struct guest_msg *m);

/*
 * One trace line for a packet going out ("->") or coming in ("<-"):
 * type, ids, length and the first bytes of the body, escaped.
 */
void	guest_msg_trace(FILE *f, const char *dir,
	    const struct xsd_sockmsg *hdr, const char *body);

#endif

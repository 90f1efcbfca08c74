/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore wire format: the 16-byte header, message types, error names.
 * No I/O. The constants come from <xen/io/xs_wire.h> (the protocol's own
 * definition); what the Debian 4.17 header lacks is defined here.
 */
#ifndef PROTOCOL_WIRE_H
#define PROTOCOL_WIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* Message types added after Xen 4.17 (xs_wire.h of 4.21). */
#define WIRE_GET_FEATURE	23
#define WIRE_SET_FEATURE	24
#define WIRE_GET_QUOTA		25
#define WIRE_SET_QUOTA		26
#define WIRE_TYPE_COUNT		27	/* one past the last type we know */

/* Server feature bits missing from the 4.17 header. */
#ifndef XENSTORE_SERVER_FEATURE_WATCHDEPTH
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH	4
#endif
#ifndef XENSTORE_SERVER_FEATURE_DOMID_ANY
#define XENSTORE_SERVER_FEATURE_DOMID_ANY	8
#endif

#define WIRE_HDR_SIZE		16	/* sizeof(struct xsd_sockmsg) */
#define WIRE_DOMID_SELF		0x7FF0
#define WIRE_DOMID_INVALID	0x7FF4
#define WIRE_DOMID_ANY		0x7FF5
#define WIRE_DOMID_MAX		65535

/* Name of a message type ("READ"), or NULL for an unknown type. */
const char *wire_type_name(uint32_t type);

/*
 * The wire error string for a positive errno ("ENOENT"). Any errno the
 * protocol has no name for maps to "EINVAL", as both Xen daemons do.
 */
const char *wire_error_name(int err);

/*
 * Validates a received header: 0 if acceptable, E2BIG if len exceeds
 * XENSTORE_PAYLOAD_MAX (fatal for the connection). Any type value is
 * "acceptable" here: unknown types get an ENOSYS reply, not a disconnect.
 */
int wire_check_header(const struct xsd_sockmsg *hdr);

#endif

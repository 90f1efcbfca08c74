/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wire.c: names for message types and error codes, and the header check.
 *
 * Job: map wire numbers to the strings the protocol and our logs use, and
 * decide whether a received header may be acted on. Owns no state beyond
 * two constant tables.
 *
 * Invariants: the error table is Xen's own xsd_errors[] (from
 * <xen/io/xs_wire.h>), so a reply never carries a string a client cannot
 * map back; errno values the protocol does not know become "EINVAL", never
 * an invented name (libxenstore would turn it into EINVAL anyway, and
 * oxenstored's "EQUOTA" shows the confusion an invented one causes).
 *
 * Must not: do I/O, allocate, or look at a payload.
 */
#include "protocol/wire.h"

/*
 * Type names, indexed by type. Slot 20 (XS_RESTRICT) was removed from the
 * protocol and stays NULL so that it is reported as unknown.
 */
static const char *const type_names[WIRE_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
	[WIRE_GET_FEATURE] = "GET_FEATURE",
	[WIRE_SET_FEATURE] = "SET_FEATURE",
	[WIRE_GET_QUOTA] = "GET_QUOTA",
	[WIRE_SET_QUOTA] = "SET_QUOTA",
};

const char *
wire_type_name(uint32_t type)
{
	if (type >= WIRE_TYPE_COUNT)
		return NULL;
	return type_names[type];
}

const char *
wire_error_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	}
	return "EINVAL";
}

int
wire_check_header(const struct xsd_sockmsg *hdr)
{
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	return 0;
}

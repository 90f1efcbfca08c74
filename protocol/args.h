/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Argument parsing for request payloads: NUL-terminated strings, domids,
 * unsigned numbers. No I/O, no allocation: results point into the payload.
 */
#ifndef PROTOCOL_ARGS_H
#define PROTOCOL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Splits a payload into its NUL-terminated strings, as the C daemon counts
 * them: unterminated trailing bytes are ignored. Stores up to max pointers
 * in argv (pointing into payload) and the number of complete strings in
 * *argc (which may exceed max; then only max are stored). Never fails.
 */
void args_split(const char *payload, size_t len, const char **argv,
    unsigned int max, unsigned int *argc);

/*
 * A one-argument request: the payload must hold exactly one NUL and it must
 * be the last byte. Returns 0 and sets *arg, or EINVAL.
 */
int args_single(const char *payload, size_t len, const char **arg);

/*
 * Parses a domid as the C daemon [HEAD] does: decimal, 0..65535, no
 * trailing junk, the empty string is 0. Returns 0 or EINVAL.
 */
int args_parse_domid(const char *s, unsigned int *domid);

/*
 * Parses a non-negative decimal number that must fit in *out: no sign, no
 * junk, not empty. Returns 0 or EINVAL (also on overflow).
 */
int args_parse_uint(const char *s, unsigned int *out);

/* True if s is exactly "T" (true) or "F" (false); sets *v. */
bool args_parse_bool(const char *s, bool *v);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * args.c: splitting request payloads into arguments and parsing numbers.
 *
 * Job: turn the untrusted bytes of a request payload into strings and
 * integers, with the C daemon's [HEAD] acceptance rules. Owns no state.
 *
 * Invariants: nothing here reads past payload + len, whatever the payload
 * holds (NULs anywhere, none at all, len 0); every returned pointer points
 * into the payload at a string whose NUL lies inside it. Numbers are parsed
 * digit by digit with an overflow check before each step, so no input can
 * overflow and no locale or errno is involved.
 *
 * Must not: allocate, do I/O, or modify the payload.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "protocol/args.h"

#define DOMID_MAX	65535u

void
args_split(const char *payload, size_t len, const char **argv,
    unsigned int max, unsigned int *argc)
{
	const char *p, *end, *nul;
	unsigned int n;

	n = 0;
	if (payload != NULL) {
		p = payload;
		end = payload + len;
		/* Each pass consumes one string and its NUL; bytes after
		 * the last NUL form no argument. */
		while (p < end &&
		    (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
			if (n < max)
				argv[n] = p;
			if (n < UINT_MAX)
				n++;
			p = nul + 1;
		}
	}
	*argc = n;
}

int
args_single(const char *payload, size_t len, const char **arg)
{
	if (payload == NULL || len == 0)
		return EINVAL;
	/* The first NUL must be the last byte: exactly one NUL, at the end. */
	if (memchr(payload, '\0', len) != payload + len - 1)
		return EINVAL;
	*arg = payload;
	return 0;
}

/*
 * Parses decimal digits only (no sign, space or base prefix) into a value
 * no greater than limit. An empty string gives 0 here; callers decide
 * whether that is allowed.
 */
static int
parse_decimal(const char *s, unsigned long limit, unsigned long *out)
{
	unsigned long v, d;

	v = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		d = (unsigned long)(*s - '0');
		if (v > (limit - d) / 10)
			return EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
args_parse_domid(const char *s, unsigned int *domid)
{
	unsigned long v;
	int error;

	if (s == NULL)
		return EINVAL;
	if ((error = parse_decimal(s, DOMID_MAX, &v)) != 0)
		return error;
	*domid = (unsigned int)v;
	return 0;
}

int
args_parse_uint(const char *s, unsigned int *out)
{
	unsigned long v;
	int error;

	if (s == NULL || *s == '\0')
		return EINVAL;
	if ((error = parse_decimal(s, UINT_MAX, &v)) != 0)
		return error;
	*out = (unsigned int)v;
	return 0;
}

bool
args_parse_bool(const char *s, bool *v)
{
	if (s == NULL || s[0] == '\0' || s[1] != '\0')
		return false;
	if (s[0] == 'T') {
		*v = true;
		return true;
	}
	if (s[0] == 'F') {
		*v = false;
		return true;
	}
	return false;
}

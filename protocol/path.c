/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * path.c: syntax checks and canonical form of node paths.
 *
 * Job: decide whether a path received from a client is acceptable, give
 * it its canonical (absolute or special) form, and answer simple questions
 * about canonical paths (depth, ancestry). Owns no state.
 *
 * Invariants:
 *  - A canonical path is "/", or '/' followed by non-empty components
 *    separated by single '/', or '@' followed by bytes of the same set; it
 *    never ends in '/' (except "/"). '@' may also appear after the first
 *    byte, as in the C daemon (its valid_chars()); only a leading '@'
 *    makes a path special.
 *  - A canonical path longer than XENSTORE_ABS_PATH_MAX (3072) is refused
 *    for every caller. The length bound is checked on the canonical path, counting only what
 *    follows "/local/domain/<N>/" when that prefix is present, so that a
 *    guest's relative limit survives a domid change on migration (facts
 *    1.4). The bound is checked before anything is allocated.
 *  - Every loop walks its string once; there is no recursion.
 *
 * Must not: do I/O, or look at the store: whether a node exists or may be
 * touched is not a question of syntax.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protocol/path.h"
#include "protocol/wire.h"

#define LOCAL_DOMAIN		"/local/domain/"
#define LOCAL_DOMAIN_LEN	(sizeof(LOCAL_DOMAIN) - 1)

/*
 * The C daemon recognises the prefix with sscanf("%5u/"), so a domid of
 * more than five digits is no domain home and its path is counted whole.
 */
#define LOCAL_DIGITS_MAX	5

/* The bytes a path may hold, spelled out so no locale can widen them. */
static bool
valid_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	    c == '@';
}

/*
 * Checks every syntax rule of path.h in one pass and sets *lenp to the
 * length of in. Returns false on the first violation.
 */
static bool
valid_syntax(const char *in, bool allow_special, size_t *lenp)
{
	const char *p;
	char prev;

	if (in[0] == '\0')
		return false;
	if (in[0] == '@' && !allow_special)
		return false;
	prev = '\0';
	for (p = in; *p != '\0'; p++) {
		if (!valid_char(*p))
			return false;
		if (*p == '/' && prev == '/')
			return false;
		prev = *p;
	}
	/* A trailing '/' is allowed only in the root "/" itself. */
	if (prev == '/' && p - in > 1)
		return false;
	*lenp = (size_t)(p - in);
	return true;
}

/*
 * Length of a leading "/local/domain/<N>/" (N: 1 to LOCAL_DIGITS_MAX
 * decimal digits), or 0 if path does not start with one.
 */
static size_t
local_prefix_len(const char *path)
{
	const char *digits;
	size_t n;

	if (strncmp(path, LOCAL_DOMAIN, LOCAL_DOMAIN_LEN) != 0)
		return 0;
	digits = path + LOCAL_DOMAIN_LEN;
	for (n = 0; digits[n] >= '0' && digits[n] <= '9'; n++) {
		if (n == LOCAL_DIGITS_MAX)
			return 0;
	}
	if (n == 0 || digits[n] != '/')
		return 0;
	return LOCAL_DOMAIN_LEN + n + 1;
}

int
path_canonicalize(TALLOC_CTX *ctx, const char *in, unsigned int domid,
    unsigned int flags, size_t path_max, char **out, size_t *strip)
{
	char prefix[sizeof(LOCAL_DOMAIN "4294967295/")];
	size_t inlen, plen, skip, total;
	char *canon;
	int n;

	if (in == NULL ||
	    !valid_syntax(in, (flags & PATH_ALLOW_SPECIAL) != 0, &inlen))
		return EINVAL;

	if (in[0] == '/' || in[0] == '@') {
		plen = 0;
		skip = local_prefix_len(in);
	} else {
		/* The buffer fits any %u, so this cannot truncate. */
		n = snprintf(prefix, sizeof(prefix), LOCAL_DOMAIN "%u/", domid);
		if (n < 0 || (size_t)n >= sizeof(prefix))
			return EINVAL;
		plen = (size_t)n;
		/*
		 * The prefix ends in '/' and in does not start with one, so
		 * the prefix test on prefix + in is decided within prefix.
		 */
		skip = local_prefix_len(prefix);
	}
	total = plen + inlen;
	/*
	 * XENSTORE_ABS_PATH_MAX binds every caller, privileged or not, as in
	 * the C daemon (whose path-max check, at most 2048 after the domain
	 * prefix, implies it).
	 */
	if (total > XENSTORE_ABS_PATH_MAX)
		return EINVAL;
	if (path_max != 0 && total - skip >= path_max)
		return EINVAL;

	canon = talloc_array(ctx, char, total + 1);
	if (canon == NULL)
		return ENOMEM;
	memcpy(canon, prefix, plen);
	memcpy(canon + plen, in, inlen + 1);

	*out = canon;
	*strip = plen;
	return 0;
}

bool
path_is_special(const char *path)
{
	return path[0] == '@';
}

char *
path_domain_home(TALLOC_CTX *ctx, unsigned int domid)
{
	return talloc_asprintf(ctx, LOCAL_DOMAIN "%u", domid);
}

unsigned int
path_depth(const char *path)
{
	unsigned int n;

	if (strcmp(path, "/") == 0)
		return 0;
	/* Canonical: every '/' starts one component (none is trailing). */
	n = 0;
	for (; *path != '\0'; path++) {
		if (*path == '/')
			n++;
	}
	return n;
}

bool
path_is_prefix(const char *a, const char *b)
{
	size_t alen;

	alen = strlen(a);
	if (alen == 0 || strncmp(a, b, alen) != 0)
		return false;
	if (b[alen] == '\0' || b[alen] == '/')
		return true;
	/* "/" ends in its separator: it is the ancestor of all of "/...". */
	return alen == 1 && a[0] == '/';
}

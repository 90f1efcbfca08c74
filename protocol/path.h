/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Path syntax: validation and canonicalisation of node paths. No I/O.
 *
 * A canonical path is absolute ("/a/b", or "/" for the root) or special
 * ("@introduceDomain", "@releaseDomain", "@releaseDomain/5"...). Relative
 * paths ("a/b") are made absolute under "/local/domain/<domid>/".
 */
#ifndef PROTOCOL_PATH_H
#define PROTOCOL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

/* Flags for path_canonicalize(). */
#define PATH_ALLOW_SPECIAL	0x1	/* accept a leading '@' (WATCH, UNWATCH, GET/SET_PERMS) */

/*
 * Checks the syntax of a path as received and makes it canonical.
 * Rules: bytes A-Z a-z 0-9 - / _ @ only; not empty; no "//"; no trailing '/'
 * except the root "/"; a leading '@' only with PATH_ALLOW_SPECIAL ('@' elsewhere is an
 * ordinary byte, as in the C daemon). A relative path gets the prefix
 * "/local/domain/<domid>/". path_max (0 = no check) bounds the length of the
 * part after "/local/domain/<N>/" when the canonical path has that prefix,
 * else of the whole canonical path: length >= path_max is EINVAL (C [HEAD]).
 * Whatever path_max, a canonical path (prefix included) longer than
 * XENSTORE_ABS_PATH_MAX (3072) is EINVAL.
 *
 * On success returns 0, sets *out to a new talloc string under ctx and
 * *strip to the number of leading bytes a watch event must drop to give the
 * path back in the caller's relative form (0 if the input was absolute or
 * special). Errors: EINVAL (syntax, length), ENOMEM.
 */
int path_canonicalize(TALLOC_CTX *ctx, const char *in, unsigned int domid,
    unsigned int flags, size_t path_max, char **out, size_t *strip);

/* True if a canonical path is special (starts with '@'). */
bool path_is_special(const char *path);

/*
 * The home of a domain, "/local/domain/<domid>", as a new talloc string, or
 * NULL on ENOMEM.
 */
char *path_domain_home(TALLOC_CTX *ctx, unsigned int domid);

/*
 * Number of components of a canonical absolute path: "/" is 0, "/a" 1,
 * "/a/b" 2. For a special path, "@x" is 0 and "@x/5" is 1.
 */
unsigned int path_depth(const char *path);

/*
 * True if a is b or an ancestor of b (both canonical). "/" is the ancestor
 * of every absolute path; "@x" of "@x/5".
 */
bool path_is_prefix(const char *a, const char *b);

#endif

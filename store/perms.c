/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * perms.c: permission lists in text form, and the access decision.
 *
 * Job: parse SET_PERMS arguments into struct store_perm entries, format
 * entries as the GET_PERMS payload, and compute the bits a caller holds on
 * a node from its list. Owns no state.
 *
 * Text form (facts 1.5): a letter, n (none), r (read), w (write) or
 * b (both), then a domid as strtol(3) base 0 reads it: "r5", "b0",
 * "n0x10" (16), "r010" (8). The first entry names the owner and its letter
 * is the default for every domain not listed. GET_PERMS prints the domid
 * as signed decimal, so an entry stored from "r-1" prints back as "r-1".
 *
 * Decision (the C daemon's perm_for_conn), first rule that applies:
 *  1. a privileged caller has every bit;
 *  2. the owner (entry 0), or a caller whose SET_TARGET target is the
 *     owner, has every bit; an owner of DOMID_ANY makes everyone owner, as
 *     C [HEAD] does;
 *  3. the first later entry naming the caller, its target, or DOMID_ANY
 *     gives its bits, skipping entries whose domain known() rejects (stale
 *     domids, XSA-322/417/419/483);
 *  4. otherwise the owner entry's bits.
 * known() is consulted for later entries only, as C checks its ignore flag
 * only there: the owner entry is kept valid by the store itself (nodes of a
 * dead domain are deleted or re-owned).
 *
 * Invariants: domids accepted by the parser fit in 32 bits (values outside
 * [INT_MIN, UINT_MAX] are EINVAL rather than silently truncated, which in C
 * turns "r4294967296" into "r0"); a caller without a target (target =
 * STORE_DOMID_NONE) never matches an entry through its target. The result
 * of parse and format is allocated in one piece, after all validation.
 *
 * Must not: know about nodes, domains or connections; do I/O.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* Longest formatted entry: letter, "-2147483648", NUL. */
#define ENTRY_MAX	(1 + 11 + 1)

static int
letter_bits(char c, unsigned int *bits)
{
	switch (c) {
	case 'n':
		*bits = STORE_PERM_NONE;
		return 0;
	case 'r':
		*bits = STORE_PERM_READ;
		return 0;
	case 'w':
		*bits = STORE_PERM_WRITE;
		return 0;
	case 'b':
		*bits = STORE_PERM_BOTH;
		return 0;
	default:
		return EINVAL;
	}
}

static char
bits_letter(unsigned int bits)
{
	static const char letters[] = { 'n', 'r', 'w', 'b' };

	return letters[bits & STORE_PERM_BOTH];
}

/* Parses one entry ("r5") into *p. Returns 0 or EINVAL. */
static int
parse_entry(const char *s, struct store_perm *p)
{
	const char *num;
	char *end;
	long v;
	int error, saved;

	if (s == NULL || (error = letter_bits(s[0], &p->bits)) != 0)
		return EINVAL;
	num = s + 1;
	if (*num == '\0')
		return EINVAL;
	/* errno is only a strtol detail here: restore it for the caller. */
	saved = errno;
	errno = 0;
	v = strtol(num, &end, 0);
	error = errno;
	errno = saved;
	if (error != 0 || end == num || *end != '\0')
		return EINVAL;
	if (v < INT_MIN || (v > 0 && (unsigned long)v > UINT_MAX))
		return EINVAL;
	p->domid = (unsigned int)v;
	return 0;
}

int
store_perms_parse(TALLOC_CTX *ctx, const char *const *strs, unsigned int n,
    struct store_perm **perms)
{
	struct store_perm *p;
	unsigned int i;

	if (n == 0 || strs == NULL)
		return EINVAL;
	p = talloc_array(ctx, struct store_perm, n);
	if (p == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		if (parse_entry(strs[i], &p[i]) != 0) {
			talloc_free(p);
			return EINVAL;
		}
	}
	*perms = p;
	return 0;
}

int
store_perms_format(TALLOC_CTX *ctx, const struct store_perm *perms,
    unsigned int n, char **out, size_t *len)
{
	char entry[ENTRY_MAX];
	char *buf;
	size_t total, off;
	unsigned int i;
	int k;

	/* First pass: the exact size, so one allocation does. */
	total = 0;
	for (i = 0; i < n; i++) {
		k = snprintf(entry, sizeof(entry), "%c%d",
		    bits_letter(perms[i].bits), (int)perms[i].domid);
		if (k < 0 || (size_t)k >= sizeof(entry))
			return EINVAL;	/* cannot happen: ENTRY_MAX fits */
		total += (size_t)k + 1;
	}

	/* One spare byte keeps the buffer a C string even when n is 0. */
	buf = talloc_array(ctx, char, total + 1);
	if (buf == NULL)
		return ENOMEM;
	off = 0;
	for (i = 0; i < n; i++) {
		k = snprintf(buf + off, total + 1 - off, "%c%d",
		    bits_letter(perms[i].bits), (int)perms[i].domid);
		off += (size_t)k + 1;
	}
	buf[total] = '\0';

	*out = buf;
	*len = total;
	return 0;
}

/* True if entry domid d names the caller, its target, or every domain. */
static bool
entry_matches(const struct store_caller *who, unsigned int d)
{
	if (d == who->domid || d == STORE_DOMID_ANY)
		return true;
	return who->target != STORE_DOMID_NONE && d == who->target;
}

unsigned int
store_perms_for(const struct store_caller *who,
    const struct store_perm *perms, unsigned int n,
    bool (*known)(unsigned int domid, void *arg), void *arg)
{
	unsigned int i;

	if (who->priv)
		return STORE_PERM_BOTH;
	if (n == 0)
		return STORE_PERM_NONE;	/* no list: no owner, no default */
	if (entry_matches(who, perms[0].domid))
		return STORE_PERM_BOTH;
	for (i = 1; i < n; i++) {
		if (!entry_matches(who, perms[i].domid))
			continue;
		if (known != NULL && !known(perms[i].domid, arg))
			continue;
		return perms[i].bits & STORE_PERM_BOTH;
	}
	return perms[0].bits & STORE_PERM_BOTH;
}

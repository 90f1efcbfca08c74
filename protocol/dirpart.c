/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirpart.c: the DIRECTORY_PART reply, cut from a packed child list.
 *
 * Job: given the node's child list (names each followed by a NUL), its
 * generation and the client's byte offset, build one reply payload. Owns no
 * state.
 *
 * Reply layout (facts 1.8), with G = decimal generation:
 *
 *	G \0 name \0 name \0 ... [\0]
 *
 * The names are the whole names that start at `offset` and fit in
 * 4096 - strlen(G) - 2 bytes; the trailing extra NUL is present exactly
 * when the chunk reaches the end of the list. So the reply never exceeds
 * XENSTORE_PAYLOAD_MAX: strlen(G) + 1 + (4096 - strlen(G) - 2) + 1 = 4096.
 *
 * Worked example, list "a\0bc\0" (5 bytes), G = 7:
 *	offset 0 -> "7\0a\0bc\0\0"	(whole list, then the extra NUL)
 *	offset 3 -> "7\0c\0\0"		(inside "bc": its tail, as C does)
 *	offset 5 -> "7\0\0"		(past the end)
 * The client appends each reply's names, asks again at the byte count it
 * holds, and stops once what it holds ends in two NULs (or is one NUL).
 *
 * Invariants: nothing is read outside list[0, listlen) and nothing is
 * written outside out[0, outsz); bytes after the list's last NUL (which a
 * well-formed list does not have) are never sent, so every name sent ends
 * in its NUL. Work is O(chunk), bounded by the 4096-byte reply.
 *
 * Must not: allocate or do I/O.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "protocol/dirpart.h"

int
dirpart_build(const char *list, size_t listlen, uint64_t gen,
    size_t offset, char *out, size_t outsz, size_t *outlen)
{
	char genbuf[sizeof("18446744073709551615")];
	const char *p, *end, *nul;
	size_t glen, cap, budget, chunk;
	int n;

	n = snprintf(genbuf, sizeof(genbuf), "%" PRIu64, gen);
	if (n <= 0 || (size_t)n >= sizeof(genbuf))
		return EINVAL;	/* cannot happen: the buffer fits any u64 */
	glen = (size_t)n;

	/* Room for at least "G\0\0", the shortest reply. */
	if (out == NULL || outsz < glen + 2)
		return E2BIG;

	/*
	 * Names may fill what is left of the payload after "G\0" and the
	 * possible extra NUL. A short out buffer (against the contract)
	 * only shrinks the chunk; it never overflows.
	 */
	cap = outsz < XENSTORE_PAYLOAD_MAX ? outsz : XENSTORE_PAYLOAD_MAX;
	budget = cap - glen - 2;

	memcpy(out, genbuf, glen + 1);

	if (list == NULL || offset >= listlen) {
		out[glen + 1] = '\0';
		*outlen = glen + 2;
		return 0;
	}

	p = list + offset;
	end = list + listlen;
	chunk = 0;
	while (p < end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL) {
			/* Unterminated tail: not a name; treat as the end. */
			p = end;
			break;
		}
		if ((size_t)(nul + 1 - (list + offset)) > budget)
			break;
		p = nul + 1;
		chunk = (size_t)(p - (list + offset));
	}

	memcpy(out + glen + 1, list + offset, chunk);
	*outlen = glen + 1 + chunk;
	if (p == end)
		out[(*outlen)++] = '\0';
	return 0;
}

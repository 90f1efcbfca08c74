/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DIRECTORY_PART reply construction: a pure function on the packed child
 * list (names each followed by a NUL, in insertion order). No I/O.
 */
#ifndef PROTOCOL_DIRPART_H
#define PROTOCOL_DIRPART_H

#include <stddef.h>
#include <stdint.h>

/*
 * Builds the reply for DIRECTORY_PART(offset) into out (capacity outsz,
 * which must be at least XENSTORE_PAYLOAD_MAX) and sets *outlen.
 * Reply = decimal gen + NUL, then the whole names (with their NULs) starting
 * at byte `offset` of the list that fit in 4096 - (digits of gen) - 2 bytes;
 * if that chunk reaches the end of the list one extra NUL is appended.
 * offset >= list length (including an empty list) gives "gen\0\0".
 * An offset inside a name returns that name's tail, as the C daemon does.
 * Returns 0, or E2BIG if outsz is too small for even the generation.
 */
int dirpart_build(const char *list, size_t listlen, uint64_t gen,
    size_t offset, char *out, size_t outsz, size_t *outlen);

#endif

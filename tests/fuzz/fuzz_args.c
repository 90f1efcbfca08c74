/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_args: the argument parsers a request's payload meets before the
 * store sees it: protocol/args.h (splitting, one-argument payloads,
 * domids, numbers, booleans), protocol/path.h (syntax, canonical form,
 * depth, ancestry), store_perms_parse/format (SET_PERMS and GET_PERMS
 * text) and protocol/dirpart.h (DIRECTORY_PART replies).
 *
 * Input: 8 bytes of parameters, then a payload as a client sends it.
 *   [0]    bit 0: PATH_ALLOW_SPECIAL
 *   [1..2] the caller's domid (little endian) for relative paths
 *   [3]    path_max (0: no bound)
 *   [4..7] DIRECTORY_PART: generation (byte 4) and offset (bytes 5..7)
 * Every parser runs on every string of the payload, and the results are
 * checked against what the headers promise (FUZZ_CHECK): a canonical path
 * is canonical again unchanged, perms survive format + parse, etc.
 * One talloc context per input, freed at the end: no state survives.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <talloc.h>

#include "protocol/args.h"
#include "protocol/dirpart.h"
#include "protocol/path.h"
#include "protocol/wire.h"
#include "store/store.h"
#include "tests/fuzz/fuzz.h"

#define PARAM_BYTES	8
#define ARGS_MAX	16

/* Reference for args_parse_uint: digits only, not empty, no overflow. */
static bool
ref_uint(const char *s, unsigned int *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > UINT_MAX)
			return false;
	}
	*out = (unsigned int)v;
	return true;
}

static void
check_split(const char *p, size_t len)
{
	const char *argv[ARGS_MAX], *arg;
	unsigned int argc, i, nuls = 0;
	size_t k;
	int err;

	for (k = 0; k < len; k++)
		if (p[k] == '\0')
			nuls++;
	args_split(p, len, argv, ARGS_MAX, &argc);
	FUZZ_CHECK(argc == nuls);
	for (i = 0; i < argc && i < ARGS_MAX; i++) {
		FUZZ_CHECK(argv[i] >= p && argv[i] < p + len);
		FUZZ_CHECK(argv[i] + strlen(argv[i]) < p + len);
		if (i > 0)
			FUZZ_CHECK(argv[i] == argv[i - 1] +
			    strlen(argv[i - 1]) + 1);
	}
	err = args_single(p, len, &arg);
	FUZZ_CHECK((err == 0) == (nuls == 1 && len > 0 && p[len - 1] == '\0'));
	if (err == 0)
		FUZZ_CHECK(arg == p);
}

static void
check_numbers(const char *s)
{
	unsigned int domid, u, ref;
	bool b;

	if (args_parse_domid(s, &domid) == 0) {
		FUZZ_CHECK(domid <= WIRE_DOMID_MAX);
		FUZZ_CHECK(*s == '\0' || (ref_uint(s, &ref) && ref == domid));
	} else {
		FUZZ_CHECK(*s != '\0');
		FUZZ_CHECK(!ref_uint(s, &ref) || ref > WIRE_DOMID_MAX);
	}
	if (args_parse_uint(s, &u) == 0)
		FUZZ_CHECK(ref_uint(s, &ref) && ref == u);
	else
		FUZZ_CHECK(!ref_uint(s, &ref));
	if (args_parse_bool(s, &b))
		FUZZ_CHECK(strcmp(s, b ? "T" : "F") == 0);
	else
		FUZZ_CHECK(strcmp(s, "T") != 0 && strcmp(s, "F") != 0);
}

/* The invariants of a canonical path (path.h, path.c's top comment). */
static void
check_canonical(const char *c)
{
	size_t i, len = strlen(c);

	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(len <= XENSTORE_ABS_PATH_MAX);
	FUZZ_CHECK(c[0] == '/' || c[0] == '@');
	/* '@' after the first byte is an ordinary byte, as in C. */
	for (i = 0; i < len; i++)
		FUZZ_CHECK(!(c[i] == '/' && i > 0 && c[i - 1] == '/'));
	FUZZ_CHECK(c[len - 1] != '/' || len == 1);
}

static void
check_path(TALLOC_CTX *ctx, const char *in, unsigned int domid,
    unsigned int flags, size_t path_max)
{
	char *out, *again, *home;
	size_t strip, strip2;
	int err;

	err = path_canonicalize(ctx, in, domid, flags, path_max, &out, &strip);
	FUZZ_CHECK(err == 0 || err == EINVAL || err == ENOMEM);
	if (err != 0)
		return;
	check_canonical(out);
	FUZZ_CHECK(strip <= strlen(out));
	FUZZ_CHECK(strcmp(out + strip, in) == 0);
	if (in[0] == '/' || in[0] == '@') {
		FUZZ_CHECK(strip == 0);
	} else {
		home = path_domain_home(ctx, domid);
		FUZZ_CHECK(home != NULL);
		FUZZ_CHECK(path_is_prefix(home, out));
		FUZZ_CHECK(path_depth(out) == path_depth(home) +
		    path_depth(out + strip - 1));
	}
	FUZZ_CHECK(path_is_special(out) == (out[0] == '@'));
	FUZZ_CHECK((flags & PATH_ALLOW_SPECIAL) || !path_is_special(out));
	FUZZ_CHECK(path_is_prefix(out, out));
	if (!path_is_special(out))
		FUZZ_CHECK(path_is_prefix("/", out));
	/* Canonical in, the same out: the bound applies to the same part. */
	err = path_canonicalize(ctx, out, domid, flags, path_max, &again,
	    &strip2);
	FUZZ_CHECK(err == 0 || err == ENOMEM);
	if (err == 0) {
		FUZZ_CHECK(strcmp(again, out) == 0);
		FUZZ_CHECK(strip2 == 0);
	}
}

static void
check_perms(TALLOC_CTX *ctx, const char *const *argv, unsigned int n)
{
	struct store_perm *perms, *back;
	const char *fargv[ARGS_MAX];
	unsigned int i, fn;
	size_t len;
	char *text;
	int err;

	err = store_perms_parse(ctx, argv, n, &perms);
	FUZZ_CHECK(err == 0 || err == EINVAL || err == ENOMEM);
	if (err != 0)
		return;
	for (i = 0; i < n; i++)
		FUZZ_CHECK((perms[i].bits & ~STORE_PERM_BOTH) == 0);
	if (store_perms_format(ctx, perms, n, &text, &len) != 0)
		return;
	FUZZ_CHECK(text[len] == '\0');
	args_split(text, len, fargv, ARGS_MAX, &fn);
	FUZZ_CHECK(fn == n);
	if (store_perms_parse(ctx, fargv, fn, &back) != 0)
		FUZZ_CHECK(0 && "formatted perms do not parse back");
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(back[i].domid == perms[i].domid);
		FUZZ_CHECK(back[i].bits == perms[i].bits);
	}
}

static void
check_dirpart(TALLOC_CTX *ctx, const char *list, size_t len, uint64_t gen,
    size_t offset)
{
	char *out, genstr[24];
	size_t outlen, glen;
	int err;

	out = talloc_size(ctx, XENSTORE_PAYLOAD_MAX);
	if (out == NULL)
		return;
	err = dirpart_build(list, len, gen, offset, out, XENSTORE_PAYLOAD_MAX,
	    &outlen);
	FUZZ_CHECK(err == 0);
	FUZZ_CHECK(outlen <= XENSTORE_PAYLOAD_MAX);
	glen = (size_t)snprintf(genstr, sizeof(genstr), "%llu",
	    (unsigned long long)gen);
	FUZZ_CHECK(outlen >= glen + 1);
	FUZZ_CHECK(memcmp(out, genstr, glen + 1) == 0);
	FUZZ_CHECK(out[outlen - 1] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[ARGS_MAX];
	unsigned int flags, domid, argc, i, n;
	size_t path_max, offset, len;
	uint64_t gen;
	TALLOC_CTX *ctx;
	char *p;

	if (size < PARAM_BYTES || size - PARAM_BYTES > 2 * 65536)
		return 0;
	flags = data[0] & PATH_ALLOW_SPECIAL;
	domid = (unsigned int)data[1] | (unsigned int)data[2] << 8;
	path_max = data[3];
	gen = data[4];
	offset = (size_t)data[5] | (size_t)data[6] << 8 |
	    (size_t)data[7] << 16;
	len = size - PARAM_BYTES;

	ctx = talloc_new(NULL);
	FUZZ_CHECK(ctx != NULL);
	/* An exact-size copy: ASan sees any read past the payload. */
	p = talloc_size(ctx, len == 0 ? 1 : len);
	FUZZ_CHECK(p != NULL);
	memcpy(p, data + PARAM_BYTES, len);

	check_split(p, len);
	args_split(p, len, argv, ARGS_MAX, &argc);
	n = argc < ARGS_MAX ? argc : ARGS_MAX;
	for (i = 0; i < n; i++) {
		check_numbers(argv[i]);
		check_path(ctx, argv[i], domid, flags, path_max);
	}
	if (n > 0)
		check_perms(ctx, argv, n);
	/* dirpart.h takes a packed list: cut after the last NUL. */
	while (len > 0 && p[len - 1] != '\0')
		len--;
	check_dirpart(ctx, p, len, gen, offset);
	talloc_free(ctx);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state/reader.c: a stream the writer made reads back as written; every
 * kind of bad stream is refused with a reason and no image; unknown
 * record types are skipped.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state/stream.h"

static const struct state_perm owner0[] = { { 'n', 0, 0 } };
static const struct state_perm perms5[] = { { 'n', 0, 5 }, { 'r', 1, 7 } };

/* A small valid stream: GLOBAL, one socket and one ring, watches, nodes. */
static void
build(TALLOC_CTX *ctx, const void **buf, size_t *len)
{
	struct state_writer *w;
	struct state_conn c;
	struct state_watch wt;
	struct state_node n;
	struct state_domain dom;
	uint32_t q[3] = { 1000, 128, 0 };

	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	ck_assert_int_eq(state_write_global(w, 3, 4), 0);
	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.type = STATE_CONN_RING;
	c.domid = 5;
	c.tdomid = STATE_DOMID_INVALID;
	c.evtchn = 9;
	c.in = "\x01\x00\x00";
	c.in_len = 3;
	c.out = "abcde";
	c.out_len = 5;
	c.resp_len = 2;
	ck_assert_int_eq(state_write_conn(w, &c), 0);
	ck_assert_int_eq(state_write_xs_global(w, q, 3), 0);
	memset(&dom, 0, sizeof(dom));
	dom.domid = 5;
	dom.features_set = true;
	dom.features = 3;
	dom.nquota = 2;
	dom.quota[0] = 77;
	dom.quota[1] = 88;
	ck_assert_int_eq(state_write_xs_domain(w, &dom), 0);
	memset(&c, 0, sizeof(c));
	c.id = 2;
	c.type = STATE_CONN_SOCKET;
	c.fd = 11;
	ck_assert_int_eq(state_write_conn(w, &c), 0);
	wt.conn_id = 1;
	wt.path = "data";
	wt.token = "tok";
	wt.depth = 2;
	ck_assert_int_eq(state_write_watch(w, &wt), 0);
	wt.conn_id = 2;
	wt.path = "@releaseDomain";
	wt.token = "";
	wt.depth = -1;
	ck_assert_int_eq(state_write_watch(w, &wt), 0);
	n.path = "@releaseDomain";
	n.value = NULL;
	n.len = 0;
	n.nperms = 1;
	n.perms = owner0;
	ck_assert_int_eq(state_write_node(w, &n), 0);
	n.path = "/";
	ck_assert_int_eq(state_write_node(w, &n), 0);
	n.path = "/local";
	ck_assert_int_eq(state_write_node(w, &n), 0);
	n.path = "/local/x";
	n.value = "hello";
	n.len = 5;
	n.nperms = 2;
	n.perms = perms5;
	ck_assert_int_eq(state_write_node(w, &n), 0);
	ck_assert_int_eq(state_write_end(w, buf, len), 0);
}

/* A copy of the stream the test may corrupt, under ctx. */
static char *
copy(TALLOC_CTX *ctx, const void *buf, size_t len)
{
	char *p = talloc_size(ctx, len);

	ck_assert_ptr_nonnull(p);
	memcpy(p, buf, len);
	return p;
}

static void
expect_refused(const void *buf, size_t len, const char *why_part)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_image *img = NULL;
	char why[STATE_WHY_MAX];

	ck_assert_int_eq(state_read(ctx, buf, len, &img, why, sizeof(why)),
	    EINVAL);
	ck_assert_ptr_null(img);
	ck_assert_msg(strstr(why, why_part) != NULL, "why: %s", why);
	talloc_free(ctx);
}

START_TEST(state_read_round_trips_what_the_writer_wrote)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_image *img;
	const void *buf;
	size_t len;
	char why[STATE_WHY_MAX];

	build(ctx, &buf, &len);
	ck_assert_int_eq(len % 8, 0);
	ck_assert_int_eq(state_read(ctx, buf, len, &img, why, sizeof(why)),
	    0);
	ck_assert_int_eq(img->socket_fd, 3);
	ck_assert_int_eq(img->evtchn_fd, 4);
	ck_assert_uint_eq(img->nconns, 2);
	ck_assert_uint_eq(img->conns[0].domid, 5);
	ck_assert_uint_eq(img->conns[0].evtchn, 9);
	ck_assert_uint_eq(img->conns[0].in_len, 3);
	ck_assert_uint_eq(img->conns[0].out_len, 5);
	ck_assert_uint_eq(img->conns[0].resp_len, 2);
	ck_assert(memcmp(img->conns[0].out, "abcde", 5) == 0);
	ck_assert_int_eq(img->conns[1].fd, 11);
	ck_assert_uint_eq(img->nwatches, 2);
	ck_assert_str_eq(img->watches[0].path, "data");
	ck_assert_int_eq(img->watches[0].depth, 2);
	ck_assert_int_eq(img->watches[1].depth, -1);
	ck_assert_str_eq(img->watches[1].token, "");
	ck_assert_uint_eq(img->nspecials, 1);
	ck_assert_uint_eq(img->nnodes, 3);
	ck_assert_str_eq(img->nodes[2].path, "/local/x");
	ck_assert_uint_eq(img->nodes[2].len, 5);
	ck_assert_uint_eq(img->nodes[2].nperms, 2);
	ck_assert_uint_eq(img->nodes[2].perms[1].flags, STATE_PERM_IGNORE);
	ck_assert_uint_eq(img->nodes[2].perms[1].domid, 7);
	ck_assert(img->have_quota);
	ck_assert_uint_eq(img->nquota, 3);
	ck_assert_uint_eq(img->quota[1], 128);
	ck_assert_uint_eq(img->ndomains, 1);
	ck_assert(img->domains[0].features_set);
	ck_assert_uint_eq(img->domains[0].quota[1], 88);
	talloc_free(ctx);
}
END_TEST

START_TEST(state_write_layout_is_4_17s)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_writer *w;
	const void *buf;
	const unsigned char *b;
	size_t len;
	struct state_node n = { "/", NULL, 0, 1, owner0 };

	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	ck_assert_int_eq(state_write_global(w, 5, -1), 0);
	ck_assert_int_eq(state_write_node(w, &n), 0);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	b = buf;
	/* Preamble 16, GLOBAL 8+8, NODE 8+24 (16+4+2 padded), END 8. */
	ck_assert_uint_eq(len, 16 + 16 + 32 + 8);
	ck_assert(memcmp(b, "xenstore\0\0\0\1\0\0\0\0", 16) == 0);
	ck_assert_uint_eq(b[16], 1);
	ck_assert_uint_eq(b[20], 8);
	ck_assert_uint_eq(b[24], 5);
	ck_assert_uint_eq(b[28], 0xff);
	ck_assert_uint_eq(b[32], 5);
	ck_assert_uint_eq(b[36], 24);
	ck_assert_uint_eq(b[40 + 8], 2);	/* path_len with NUL */
	ck_assert_uint_eq(b[40 + 14], 1);	/* perm_n */
	ck_assert_uint_eq(b[40 + 16], 'n');
	ck_assert_uint_eq(b[40 + 20], '/');
	ck_assert_uint_eq(b[64], 0);
	talloc_free(ctx);
}
END_TEST

START_TEST(state_read_refuses_every_truncation)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const void *buf;
	size_t len, cut;
	struct state_image *img;

	build(ctx, &buf, &len);
	for (cut = 0; cut < len; cut++) {
		img = NULL;
		ck_assert_int_eq(state_read(ctx, buf, cut, &img, NULL, 0),
		    EINVAL);
		ck_assert_ptr_null(img);
	}
	talloc_free(ctx);
}
END_TEST

START_TEST(state_read_refuses_unknown_version)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const void *buf;
	size_t len;
	char *p;

	build(ctx, &buf, &len);
	p = copy(ctx, buf, len);
	p[11] = 2;
	expect_refused(p, len, "unknown stream version 2");
	p[11] = 1;
	p[0] = 'X';
	expect_refused(p, len, "not a xenstore state stream");
	talloc_free(ctx);
}
END_TEST

START_TEST(state_read_refuses_out_of_order_records)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_writer *w;
	struct state_conn c;
	struct state_node n = { "/", NULL, 0, 1, owner0 };
	struct state_watch wt = { 9, "a", "t", -1 };
	const void *buf;
	size_t len;

	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.type = STATE_CONN_SOCKET;
	c.fd = 3;
	/* CONN after NODE. */
	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	state_write_global(w, 3, -1);
	state_write_node(w, &n);
	state_write_conn(w, &c);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	expect_refused(buf, len, "CONN record after NODE");
	/* No GLOBAL first. */
	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	state_write_node(w, &n);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	expect_refused(buf, len, "not GLOBAL");
	/* A watch of an unknown connection. */
	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	state_write_global(w, 3, -1);
	state_write_watch(w, &wt);
	state_write_node(w, &n);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	expect_refused(buf, len, "unknown connection 9");
	/* A child before its parent, a node before the root. */
	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	state_write_global(w, 3, -1);
	state_write_node(w, &n);
	n.path = "/a/b";
	state_write_node(w, &n);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	expect_refused(buf, len, "before its parent");
	ck_assert_int_eq(state_writer_new(ctx, &w), 0);
	state_write_global(w, 3, -1);
	n.path = "/a";
	state_write_node(w, &n);
	ck_assert_int_eq(state_write_end(w, &buf, &len), 0);
	expect_refused(buf, len, "before the root");
	talloc_free(ctx);
}
END_TEST

START_TEST(state_read_refuses_corrupt_fields)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const void *buf;
	size_t len;
	char *p;

	build(ctx, &buf, &len);
	/* A record length not padded to 8 (the GLOBAL's). */
	p = copy(ctx, buf, len);
	p[20] = 9;
	expect_refused(p, len, "not padded");
	/* A length running past the end. */
	p = copy(ctx, buf, len);
	p[22] = 0x7f;
	expect_refused(p, len, "runs past the end");
	/* Bytes after END. */
	p = talloc_size(ctx, len + 8);
	memcpy(p, buf, len);
	memset(p + len, 0, 8);
	expect_refused(p, len + 8, "after the END");
	/* The ring CONN's data_in_len made huge. */
	p = copy(ctx, buf, len);
	p[32 + 8 + 16] = (char)0xff;
	p[32 + 8 + 17] = (char)0xff;
	expect_refused(p, len, "data longer than the record");
	talloc_free(ctx);
}
END_TEST

START_TEST(state_read_skips_unknown_types_and_ta)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_image *img;
	const void *buf;
	size_t len;
	char *p;
	uint32_t t = 6, l = 8;

	build(ctx, &buf, &len);
	/* Insert a type-6 and a TA record after GLOBAL (at offset 32). */
	p = talloc_size(ctx, len + 32);
	memcpy(p, buf, 32);
	memcpy(p + 32, &t, 4);
	memcpy(p + 36, &l, 4);
	memset(p + 40, 0xAA, 8);
	t = STATE_TYPE_TA;
	memcpy(p + 48, &t, 4);
	memcpy(p + 52, &l, 4);
	memset(p + 56, 0, 8);
	memcpy(p + 64, (const char *)buf + 32, len - 32);
	ck_assert_int_eq(state_read(ctx, p, len + 32, &img, NULL, 0), 0);
	ck_assert_uint_eq(img->skipped, 2);
	ck_assert_uint_eq(img->nnodes, 3);
	talloc_free(ctx);
}
END_TEST

static Suite *
reader_suite(void)
{
	Suite *s = suite_create("state_reader");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, state_read_round_trips_what_the_writer_wrote);
	tcase_add_test(tc, state_write_layout_is_4_17s);
	tcase_add_test(tc, state_read_refuses_every_truncation);
	tcase_add_test(tc, state_read_refuses_unknown_version);
	tcase_add_test(tc, state_read_refuses_out_of_order_records);
	tcase_add_test(tc, state_read_refuses_corrupt_fields);
	tcase_add_test(tc, state_read_skips_unknown_types_and_ta);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(reader_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

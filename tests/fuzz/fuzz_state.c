/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_state: the live-update stream reader (state/reader.c) on arbitrary
 * bytes, the way a restoring daemon reads a dump it cannot trust.
 *
 * Input: the stream itself (the seeds are streams the writer made).
 *
 * Checked (FUZZ_CHECK): a refusal gives no image and a reason; an
 * accepted stream obeys the reader's contract (the first tree node is
 * "/", every watch names a connection, data lies inside the input), and
 * writing the image back with state/writer.c and reading that gives the
 * same counts: what the reader accepts, the writer can carry on.
 */
#include <errno.h>
#include <string.h>

#include "state/stream.h"
#include "tests/fuzz/fuzz.h"

static bool
inside(const uint8_t *data, size_t size, const char *p, size_t n)
{
	return (const uint8_t *)p >= data &&
	    (const uint8_t *)p + n <= data + size;
}

static void
rewrite(TALLOC_CTX *ctx, const struct state_image *img)
{
	struct state_writer *w;
	struct state_image *again;
	const void *buf;
	size_t len, i;
	int err;

	FUZZ_CHECK(state_writer_new(ctx, &w) == 0);
	state_write_global(w, img->socket_fd, img->evtchn_fd);
	for (i = 0; i < img->nconns; i++)
		state_write_conn(w, &img->conns[i]);
	if (img->have_quota)
		state_write_xs_global(w, img->quota, img->nquota);
	for (i = 0; i < img->ndomains; i++)
		state_write_xs_domain(w, &img->domains[i]);
	for (i = 0; i < img->nwatches; i++)
		state_write_watch(w, &img->watches[i]);
	for (i = 0; i < img->nspecials; i++)
		state_write_node(w, &img->specials[i]);
	for (i = 0; i < img->nnodes; i++)
		state_write_node(w, &img->nodes[i]);
	err = state_write_end(w, &buf, &len);
	if (err == ENOMEM)
		return;
	FUZZ_CHECK(err == 0);
	FUZZ_CHECK(state_read(ctx, buf, len, &again, NULL, 0) == 0);
	FUZZ_CHECK(again->nconns == img->nconns);
	FUZZ_CHECK(again->nwatches == img->nwatches);
	FUZZ_CHECK(again->nnodes == img->nnodes);
	FUZZ_CHECK(again->nspecials == img->nspecials);
	FUZZ_CHECK(again->ndomains == img->ndomains);
	for (i = 0; i < img->nwatches; i++)
		FUZZ_CHECK(again->watches[i].depth == img->watches[i].depth);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct state_image *img = NULL;
	char why[STATE_WHY_MAX];
	size_t i, j;
	int err;

	FUZZ_CHECK(ctx != NULL);
	err = state_read(ctx, data, size, &img, why, sizeof(why));
	if (err != 0) {
		FUZZ_CHECK(img == NULL);
		FUZZ_CHECK(err == ENOMEM || (err == EINVAL && why[0] != '\0'));
		talloc_free(ctx);
		return 0;
	}
	FUZZ_CHECK(img->nnodes > 0 && strcmp(img->nodes[0].path, "/") == 0);
	for (i = 0; i < img->nconns; i++) {
		FUZZ_CHECK(inside(data, size, img->conns[i].in,
		    img->conns[i].in_len));
		FUZZ_CHECK(inside(data, size, img->conns[i].out,
		    img->conns[i].out_len));
	}
	for (i = 0; i < img->nwatches; i++) {
		for (j = 0; j < img->nconns; j++)
			if (img->conns[j].id == img->watches[i].conn_id)
				break;
		FUZZ_CHECK(j < img->nconns);
	}
	for (i = 0; i < img->nnodes; i++)
		FUZZ_CHECK(inside(data, size, img->nodes[i].value,
		    img->nodes[i].len));
	rewrite(ctx, img);
	talloc_free(ctx);
	return 0;
}

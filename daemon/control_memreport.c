/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONTROL memreport [<file>]: what the daemon's memory is made of.
 *
 * Everything the daemon allocates hangs from one talloc tree (daemon ->
 * connections -> watches, transactions, queued output; the store), so
 * talloc's own report is the answer; the store's nodes are plain
 * allocations and are counted by store_get_stats().
 *
 *   memreport         a summary in the reply: the tree's total, one line
 *                     per top-level object (talloc_report), the store's
 *                     counts. A reply holds at most 4096 bytes: a longer
 *                     summary is cut at a line end and says so.
 *   memreport <file>  the full report (every object, talloc_report_full)
 *                     appended to the file (relative: LOGS_LIB_DIR);
 *                     the reply is "OK". The C daemon writes the report
 *                     to its trace file when no file is named; a reply is
 *                     more use to whoever asked.
 * No state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/control.h"

static const char cut_note[] =
    "... (cut to fit a reply: 'memreport <file>' writes it all)\n";

/* The store's counts and the connection count, one paragraph. */
static int
put_counts(struct daemon *d, FILE *f)
{
	struct store_stats st;

	store_get_stats(d->store, &st);
	return fprintf(f, "store: %llu nodes, %llu watches, %llu open "
	    "transactions, generation %llu\nconnections: %u\n",
	    (unsigned long long)st.nodes, (unsigned long long)st.watches,
	    (unsigned long long)st.transactions,
	    (unsigned long long)st.generation, d->nconns) < 0 ? EIO : 0;
}

static int
to_file(struct daemon *d, struct conn *c, struct request *req,
    const char *name)
{
	char *path;
	FILE *f;
	int fd, err;

	if ((err = logs_path(req->ctx, name, &path)) != 0)
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		err = errno;
		log_warn("control memreport %s: %s", path, strerror(err));
		return control_file_error(err);
	}
	f = fdopen(fd, "a");
	if (f == NULL) {
		err = errno;
		close(fd);
		return control_file_error(err);
	}
	err = put_counts(d, f);
	talloc_report_full(d->ctx, f);
	if (ferror(f) && err == 0)
		err = EIO;
	if (fclose(f) != 0 && err == 0)
		err = errno != 0 ? errno : EIO;
	if (err != 0) {
		log_warn("control memreport %s: %s", path, strerror(err));
		return control_file_error(err);
	}
	return dispatch_reply_str(d, c, req, "OK");
}

static int
to_reply(struct daemon *d, struct conn *c, struct request *req)
{
	char *buf = NULL, *nl;
	size_t len = 0, keep;
	FILE *f;
	int err;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return ENOMEM;
	err = put_counts(d, f);
	talloc_report(d->ctx, f);
	if (ferror(f) && err == 0)
		err = ENOMEM;
	if (fclose(f) != 0 && err == 0)
		err = ENOMEM;
	if (err != 0 || buf == NULL) {
		free(buf);
		return err != 0 ? err : ENOMEM;
	}
	if (len > XENSTORE_PAYLOAD_MAX - 1) {
		/* Cut at the last line end that leaves room for the note. */
		keep = XENSTORE_PAYLOAD_MAX - 1 - (sizeof(cut_note) - 1);
		buf[keep] = '\0';
		nl = strrchr(buf, '\n');
		keep = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
		memcpy(buf + keep, cut_note, sizeof(cut_note));
	}
	err = dispatch_reply_str(d, c, req, buf);
	free(buf);
	return err;
}

int
control_memreport(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	if (nargs == 1)
		return to_file(d, c, req, args[0]);
	return to_reply(d, c, req);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_scenario.c: the well-behaved built-in scenarios (linux,
 * hvmloader, dom0less, kexec) and the dispatch to the hostile ones.
 *
 * Job: replay what a known guest does to its xenstore connection and
 * check what a correct xstored must answer (xenstore-facts.md section 3).
 * Owns no state beyond one run.
 *
 * Each scenario is a straight list of steps; the first that does not hold
 * ends it with its verdict (guest_step.c prints why). Paths are relative
 * to the domain's home, under data/ which the toolstack gives the guest.
 *
 * Must not: print to stdout (results are the exit status and stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/xs-guest/guest_hostile.h"
#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_scenario.h"
#include "tools/xs-guest/guest_status.h"
#include "tools/xs-guest/guest_step.h"

#define LIST_BYTES	32	/* room for one name in a check message */
#define COMMIT_TRIES	5	/* a transaction retried on EAGAIN */

/* Runs a step; leaves the scenario with its status if it did not hold. */
#define STEP(x)	do {					\
	int st_ = (x);					\
	if (st_ != GUEST_OK)				\
		return st_;				\
} while (0)

/* GET_DOMAIN_PATH N must answer /local/domain/N. */
static int
check_domain_path(struct guest_conn *gc, unsigned int domid)
{
	struct guest_msg *m;
	char id[16], want[32];
	int st;

	snprintf(id, sizeof(id), "%u", domid);
	snprintf(want, sizeof(want), "/local/domain/%u", domid);
	st = guest_step_ok1(gc, 0, XS_GET_DOMAIN_PATH, id, &m);
	if (st != GUEST_OK)
		return st;
	if (strcmp(m->body, want) != 0)
		st = guest_step_fail("GET_DOMAIN_PATH %s: got \"%.64s\", "
		    "want \"%s\"", id, m->body, want);
	guest_msg_free(m);
	return st;
}

/* True if a DIRECTORY reply lists name. */
static bool
lists(const struct guest_msg *m, const char *name)
{
	size_t off, n;

	for (off = 0; off < m->hdr.len; off += n + 1) {
		n = strnlen(m->body + off, m->hdr.len - off);
		if (strcmp(m->body + off, name) == 0)
			return true;
	}
	return false;
}

/* A transaction writing path = value, retried while commit says EAGAIN. */
static int
commit_write(struct guest_conn *gc, const char *path, const char *value)
{
	struct guest_msg *m;
	uint32_t tx;
	int st, try;

	for (try = 0; try < COMMIT_TRIES; try++) {
		STEP(guest_step_txstart(gc, &tx));
		guest_conn_logf(gc, "transaction %u", tx);
		STEP(guest_step_ok2(gc, tx, XS_WRITE, path, value, NULL));
		STEP(guest_step_expect_read(gc, tx, path, value,
		    strlen(value)));
		st = guest_step_req(gc, tx, XS_TRANSACTION_END, 1,
		    (const char *const []){ "T" }, NULL, &m);
		if (st != GUEST_OK)
			return st;
		if (guest_msg_error(m) == NULL) {
			guest_msg_free(m);
			return GUEST_OK;
		}
		if (strcmp(guest_msg_error(m), "EAGAIN") != 0) {
			st = guest_step_fail("TRANSACTION_END T: ERROR %s",
			    m->body);
			guest_msg_free(m);
			return st;
		}
		guest_msg_free(m);
		guest_conn_logf(gc, "commit conflict (EAGAIN), again");
	}
	return guest_step_fail("transaction still conflicting after %d tries",
	    COMMIT_TRIES);
}

static int
scenario_linux(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	static const char *const names[] = { "x", "w", "t" };
	struct guest_msg *m;
	char abs[64];
	size_t i;
	int st;

	STEP(check_domain_path(gc, o->domid));

	/* Relative paths land in the home. */
	STEP(guest_step_ok2(gc, 0, XS_WRITE, "data/x", "hello", NULL));
	STEP(guest_step_expect_read(gc, 0, "data/x", "hello", 5));
	snprintf(abs, sizeof(abs), "/local/domain/%u/data/x", o->domid);
	STEP(guest_step_expect_read(gc, 0, abs, "hello", 5));

	/* A watch: OK, its initial event, then one per change. */
	STEP(guest_step_ok2(gc, 0, XS_WATCH, "data/w", "tok-linux", NULL));
	STEP(guest_step_expect_event(gc, "data/w", "tok-linux"));
	STEP(guest_step_ok2(gc, 0, XS_WRITE, "data/w", "1", NULL));
	STEP(guest_step_expect_event(gc, "data/w", "tok-linux"));

	/* A transaction that commits, and is seen outside afterwards. */
	STEP(commit_write(gc, "data/t", "committed"));
	STEP(guest_step_expect_read(gc, 0, "data/t", "committed", 9));

	STEP(guest_step_ok2(gc, 0, XS_UNWATCH, "data/w", "tok-linux", NULL));
	STEP(guest_step_ok1(gc, 0, XS_DIRECTORY, "data", &m));
	st = GUEST_OK;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!lists(m, names[i]))
			st = guest_step_fail("DIRECTORY data: no \"%s\"",
			    names[i]);
	guest_msg_free(m);
	return st;
}

/*
 * hvmloader's READ: req_id 0 like hvmloader; a value or ENOENT is fine
 * (hvmloader falls back to defaults), anything else is not.
 */
static int
hvmloader_read(struct guest_conn *gc, const char *path)
{
	struct guest_msg *m;
	const char *err;
	int e, st;

	guest_conn_logf(gc, "step: READ %s (req_id 0)", path);
	e = guest_conn_request_id(gc, 0, XS_READ, 0, path, strlen(path) + 1,
	    &m);
	if (e != 0)
		return guest_step_broken(gc, e, "READ");
	st = GUEST_OK;
	err = guest_msg_error(m);
	if (err != NULL && strcmp(err, "ENOENT") != 0)
		st = guest_step_fail("READ %s: ERROR %s, want a value or "
		    "ENOENT%s", path, err, strcmp(err, "EACCES") == 0 ?
		    " (did the toolstack write the home?)" : "");
	guest_msg_free(m);
	return st;
}

/* Says which part of the page is not as a reset leaves it. */
static int
fail_not_fresh(const void *page)
{
	return guest_step_fail("page not fresh after the reconnection: "
	    "req_cons %u req_prod %u rsp_cons %u rsp_prod %u, rings must "
	    "be \"%s\" repeated", guest_ring_word(page, GUEST_RING_REQ_CONS),
	    guest_ring_word(page, GUEST_RING_REQ_PROD),
	    guest_ring_word(page, GUEST_RING_RSP_CONS),
	    guest_ring_word(page, GUEST_RING_RSP_PROD), GUEST_RING_SCRUB);
}

static int
scenario_hvmloader(struct guest_conn *gc,
    const struct guest_scenario_opts *o)
{
	void *page = guest_conn_page(gc);
	uint32_t features;
	int err;

	(void)o;
	STEP(hvmloader_read(gc, "hvmloader/bios"));
	STEP(hvmloader_read(gc, "platform/acpi"));
	STEP(hvmloader_read(gc, "bios-strings/bios-vendor"));

	features = guest_ring_word(page, GUEST_RING_FEATURES);
	guest_conn_logf(gc, "server_features = %u", features);
	if ((features & XENSTORE_SERVER_FEATURE_RECONNECTION) == 0)
		return guest_step_fail("server_features %u lacks "
		    "RECONNECTION (bit 0): xstored must advertise it",
		    features);

	err = guest_conn_reconnect(gc, -1);
	if (err == ETIMEDOUT)
		return guest_step_fail("the daemon did not clear the "
		    "connection word within %d ms (hvmloader would hang "
		    "forever)", guest_conn_timeout(gc));
	if (err != 0)
		return guest_step_broken(gc, err, "reconnect");
	if (!guest_ring_is_fresh(page))
		return fail_not_fresh(page);
	if (guest_ring_word(page, GUEST_RING_ERROR) != XENSTORE_ERROR_NONE)
		return guest_step_fail("error word %u after the reconnection",
		    guest_ring_word(page, GUEST_RING_ERROR));
	guest_conn_logf(gc, "page fresh: indexes 0, rings scrubbed");

	/* The ring works again: hvmloader's next READ, then ours. */
	STEP(hvmloader_read(gc, "hvmloader/bios"));
	return check_domain_path(gc, o->domid);
}

static int
scenario_dom0less(struct guest_conn *gc,
    const struct guest_scenario_opts *o)
{
	void *page = guest_conn_page(gc);
	int err;

	if (guest_ring_connected(page)) {
		guest_conn_logf(gc, "connection word already 0 (not preset, "
		    "or introduced before we started)");
	} else {
		/*
		 * Linux at late init: on the first event it starts xenbus
		 * without looking at the word again, so the daemon must
		 * have cleared it before notifying.
		 */
		guest_conn_logf(gc, "connection word set: wait for the "
		    "daemon's first notify");
		err = guest_conn_wait_notify(gc, -1);
		if (err == 0 && !guest_ring_connected(page))
			return guest_step_fail("notified while the "
			    "connection word was still %u (Linux would "
			    "start on a ring in transition)",
			    guest_ring_word(page, GUEST_RING_CONNECTION));
		if (err == ETIMEDOUT)
			guest_conn_logf(gc, "no notify seen (bound after "
			    "it was sent?); polling the word");
		else if (err != 0)
			return guest_step_broken(gc, err, "waiting");
	}
	err = guest_conn_wait_connected(gc, -1);
	if (err == ETIMEDOUT)
		return guest_step_fail("connection word still %u after %d ms "
		    "(was the domain introduced?)",
		    guest_ring_word(page, GUEST_RING_CONNECTION),
		    guest_conn_timeout(gc));
	if (err != 0)
		return guest_step_broken(gc, err, "waiting");
	if ((guest_ring_word(page, GUEST_RING_REQ_CONS) |
	    guest_ring_word(page, GUEST_RING_REQ_PROD) |
	    guest_ring_word(page, GUEST_RING_RSP_CONS) |
	    guest_ring_word(page, GUEST_RING_RSP_PROD)) != 0)
		return fail_not_fresh(page);
	guest_conn_logf(gc, "connected; indexes 0%s",
	    guest_ring_is_fresh(page) ? ", rings scrubbed" : "");

	STEP(check_domain_path(gc, o->domid));
	STEP(guest_step_ok2(gc, 0, XS_WRITE, "data/dom0less", "up", NULL));
	return guest_step_expect_read(gc, 0, "data/dom0less", "up", 2);
}

static int
scenario_kexec(struct guest_conn *gc, const struct guest_scenario_opts *o)
{
	struct guest_msg *m;
	uint32_t tx;
	size_t n;
	int st, err;

	(void)o;
	STEP(guest_step_ok2(gc, 0, XS_WATCH, "data/k", "tok-kexec", NULL));
	STEP(guest_step_expect_event(gc, "data/k", "tok-kexec"));
	STEP(guest_step_txstart(gc, &tx));

	/* The crash kernel starts over: RESET_WATCHES, payload "\0". */
	STEP(guest_step_ok(gc, 0, XS_RESET_WATCHES, 0, NULL, NULL, NULL));
	n = guest_conn_drop_events(gc);
	guest_conn_logf(gc, "dropped %zu events queued before the reset", n);

	/* Our own write must no longer fire the removed watch. */
	STEP(guest_step_ok2(gc, 0, XS_WRITE, "data/k", "after", NULL));
	STEP(guest_step_expect_read(gc, 0, "data/k", "after", 5));
	err = guest_conn_wait_event(gc, "data/k", "tok-kexec", 0, &m);
	if (err == 0) {
		guest_msg_free(m);
		return guest_step_fail("event \"data/k tok-kexec\" after "
		    "RESET_WATCHES removed the watch");
	}
	if (err != ETIMEDOUT)
		return guest_step_broken(gc, err, "looking for events");

	/* The transaction went with the watches. */
	st = guest_step_req(gc, tx, XS_TRANSACTION_END, 1,
	    (const char *const []){ "T" }, NULL, &m);
	if (st != GUEST_OK)
		return st;
	if (guest_msg_error(m) == NULL ||
	    strcmp(guest_msg_error(m), "ENOENT") != 0)
		st = guest_step_fail("TRANSACTION_END of transaction %u "
		    "after RESET_WATCHES: got %s %.32s, want ERROR ENOENT",
		    tx, guest_msg_type_name(m->hdr.type), m->body);
	guest_msg_free(m);
	if (st != GUEST_OK)
		return st;

	/* And the new kernel carries on: the same watch is new again. */
	STEP(guest_step_ok2(gc, 0, XS_WATCH, "data/k", "tok-kexec", NULL));
	STEP(guest_step_expect_event(gc, "data/k", "tok-kexec"));
	STEP(guest_step_ok2(gc, 0, XS_WRITE, "data/k", "again", NULL));
	STEP(guest_step_expect_event(gc, "data/k", "tok-kexec"));
	return guest_step_ok2(gc, 0, XS_UNWATCH, "data/k", "tok-kexec",
	    NULL);
}

int
guest_scenario_run(struct guest_conn *gc, const char *name,
    const char *mode, const struct guest_scenario_opts *o)
{
	static const struct {
		const char *name;
		int (*run)(struct guest_conn *,
		    const struct guest_scenario_opts *);
	} table[] = {
		{ "linux", scenario_linux },
		{ "hvmloader", scenario_hvmloader },
		{ "dom0less", scenario_dom0less },
		{ "kexec", scenario_kexec },
	};
	size_t i;
	int st;

	if (strcmp(name, "hostile") == 0) {
		if (mode == NULL) {
			fprintf(stderr, "xs-guest: scenario hostile needs a "
			    "mode\n");
			return GUEST_USAGE;
		}
		return guest_hostile_run(gc, mode, o);
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].name, name) != 0)
			continue;
		if (mode != NULL) {
			fprintf(stderr, "xs-guest: scenario %s takes no "
			    "mode\n", name);
			return GUEST_USAGE;
		}
		guest_conn_logf(gc, "scenario %s, domain %u", name, o->domid);
		st = table[i].run(gc, o);
		if (st == GUEST_OK)
			guest_conn_logf(gc, "scenario %s: all checks held",
			    name);
		return st;
	}
	fprintf(stderr, "xs-guest: unknown scenario %s\n", name);
	return GUEST_USAGE;
}

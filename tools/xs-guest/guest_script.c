/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_script.c: the script interpreter (language in guest_script.h).
 *
 * Job: read a script line by line, split each line into words, find the
 * command in one table and run it over the guest connection, stopping at
 * the first line that does not hold. Owns the script's state: the line
 * number, the current transaction, and the error an expect-error line
 * awaits.
 *
 * Commands are table rows (name, word counts, handler, whether it is a
 * request expect-error may wrap). Request handlers go through script_req,
 * which alone judges an ERROR reply: a failure normally, the wanted
 * outcome under expect-error (then DONE_EXPECTED unwinds the handler),
 * or a line to print for `req`.
 *
 * Must not: print anything but a command's results to out (diagnostics go
 * to stderr), or wait without the connection's deadline.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/args.h"
#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_script.h"
#include "tools/xs-guest/guest_status.h"
#include "tools/xs-guest/guest_step.h"

/* A handler's result when expect-error got its ERROR: stop, it held. */
#define DONE_EXPECTED	(-1)

struct script {
	struct guest_conn *gc;
	FILE		*out;
	const char	*name;
	unsigned long	 line;
	uint32_t	 tx;		/* current transaction, 0 = none */
	const char	*expect;	/* expect-error's name, or NULL */
	bool		 allow_error;	/* req: an ERROR reply is printed */
};

struct command {
	const char	*name;
	int		 min, max;	/* words after the name; -1 = any */
	bool		 request;	/* expect-error may wrap it */
	int		(*run)(struct script *, int, char **, size_t *);
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one escape after a backslash at *r; advances *r. */
static int
unescape(const char **r, char *out)
{
	int hi, lo;

	switch (**r) {
	case '\\':
	case '"':
		*out = **r;
		break;
	case 'n':
		*out = '\n';
		break;
	case 't':
		*out = '\t';
		break;
	case '0':
		*out = '\0';
		break;
	case 'x':
		hi = hex_digit((*r)[1]);
		lo = hi < 0 ? -1 : hex_digit((*r)[2]);
		if (lo < 0)
			return EINVAL;
		*out = (char)(hi << 4 | lo);
		*r += 2;
		break;
	default:
		return EINVAL;
	}
	(*r)++;
	return 0;
}

int
guest_script_split(char *line, char **argv, size_t *lens, int max,
    int *argc)
{
	const char *r;
	char *w, c;
	int n, err;

	*argc = 0;
	r = line;
	for (n = 0;; n++) {
		while (blank(*r))
			r++;
		if (*r == '\0' || *r == '#')
			break;
		if (n == max)
			return E2BIG;
		/* In place: the decoded word never outruns the reader. */
		w = line + (r - line);
		argv[n] = w;
		if (*r == '"') {
			for (r++; *r != '"'; ) {
				if (*r == '\0')
					return EINVAL;
				if (*r == '\\') {
					r++;
					if ((err = unescape(&r, w++)) != 0)
						return err;
				} else
					*w++ = *r++;
			}
			r++;
			if (*r != '\0' && !blank(*r))
				return EINVAL;
		} else {
			while (*r != '\0' && !blank(*r))
				*w++ = *r++;
		}
		lens[n] = (size_t)(w - argv[n]);
		c = *r;
		*w = '\0';
		if (c != '\0')
			r++;
	}
	*argc = n;
	return 0;
}

/*
 * Sends a request and judges an ERROR reply (see the top comment).
 * GUEST_OK leaves the reply in *reply, ERROR or not, unless it was judged.
 */
static int
script_req(struct script *s, uint32_t tx, uint32_t type, int argc,
    char **argv, size_t *lens, struct guest_msg **reply)
{
	struct guest_msg *m;
	const char *err, *sep, *arg;
	int st;

	*reply = NULL;
	st = guest_step_req(s->gc, tx, type, argc,
	    (const char *const *)argv, lens, &m);
	if (st != GUEST_OK)
		return st;
	err = guest_msg_error(m);
	sep = argc > 0 ? " " : "";
	arg = argc > 0 ? argv[0] : "";
	if (s->expect != NULL) {
		if (err != NULL && strcmp(err, s->expect) == 0)
			st = DONE_EXPECTED;
		else if (err != NULL)
			st = guest_step_fail("%s%s%.64s: ERROR %s, want ERROR "
			    "%s", guest_msg_type_name(type), sep, arg, err,
			    s->expect);
		else
			st = guest_step_fail("%s%s%.64s: success, want ERROR "
			    "%s", guest_msg_type_name(type), sep, arg,
			    s->expect);
		guest_msg_free(m);
		return st;
	}
	if (err != NULL && !s->allow_error) {
		st = guest_step_fail("%s%s%.64s: ERROR %s",
		    guest_msg_type_name(type), sep, arg, err);
		guest_msg_free(m);
		return st;
	}
	*reply = m;
	return GUEST_OK;
}

/* A request whose reply is printed (guest_msg_print_reply). */
static int
req_print(struct script *s, uint32_t tx, uint32_t type, int argc,
    char **argv, size_t *lens)
{
	struct guest_msg *m;
	int st;

	st = script_req(s, tx, type, argc, argv, lens, &m);
	if (st != GUEST_OK)
		return st;
	guest_msg_print_reply(s->out, type, m);
	guest_msg_free(m);
	return GUEST_OK;
}

/* A request that must succeed; its reply is dropped. */
static int
req_quiet(struct script *s, uint32_t tx, uint32_t type, int argc,
    char **argv, size_t *lens)
{
	struct guest_msg *m;
	int st;

	st = script_req(s, tx, type, argc, argv, lens, &m);
	guest_msg_free(m);
	return st;
}

static int
cmd_write(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, s->tx, XS_WRITE, argc, argv, lens);
}

static int
cmd_read(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_print(s, s->tx, XS_READ, argc, argv, lens);
}

static int
cmd_expect_read(struct script *s, int argc, char **argv, size_t *lens)
{
	struct guest_msg *m;
	int st;

	(void)argc;
	st = script_req(s, s->tx, XS_READ, 1, argv, lens, &m);
	if (st != GUEST_OK)
		return st;
	if (m->hdr.len != lens[1] ||
	    memcmp(m->body, argv[1], lens[1]) != 0) {
		fprintf(stderr, "xs-guest: FAIL: READ %s: got \"", argv[0]);
		guest_msg_print_bytes(stderr, m->body, m->hdr.len);
		fputs("\", want \"", stderr);
		guest_msg_print_bytes(stderr, argv[1], lens[1]);
		fputs("\"\n", stderr);
		st = GUEST_FAILED;
	}
	guest_msg_free(m);
	return st;
}

static int
cmd_mkdir(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, s->tx, XS_MKDIR, argc, argv, lens);
}

static int
cmd_rm(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, s->tx, XS_RM, argc, argv, lens);
}

static int
cmd_dir(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_print(s, s->tx, XS_DIRECTORY, argc, argv, lens);
}

static int
cmd_getperms(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_print(s, s->tx, XS_GET_PERMS, argc, argv, lens);
}

static int
cmd_setperms(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, s->tx, XS_SET_PERMS, argc, argv, lens);
}

/* WATCH and UNWATCH ignore tx_id in the daemon; send 0 all the same. */
static int
cmd_watch(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, 0, XS_WATCH, argc, argv, lens);
}

static int
cmd_unwatch(struct script *s, int argc, char **argv, size_t *lens)
{
	return req_quiet(s, 0, XS_UNWATCH, argc, argv, lens);
}

static int
cmd_expect_event(struct script *s, int argc, char **argv, size_t *lens)
{
	(void)argc;
	(void)lens;
	return guest_step_expect_event(s->gc, argv[0], argv[1]);
}

static int
cmd_expect_no_event(struct script *s, int argc, char **argv, size_t *lens)
{
	struct guest_msg *m;
	int st, err;

	(void)argc;
	(void)lens;
	st = guest_step_barrier(s->gc);
	if (st != GUEST_OK)
		return st;
	/* Everything caused before the barrier is queued: look, no wait. */
	err = guest_conn_wait_event(s->gc, argv[0], argv[1], 0, &m);
	if (err == 0) {
		guest_msg_free(m);
		return guest_step_fail("unexpected watch event \"%s %s\"",
		    argv[0], argv[1]);
	}
	if (err != ETIMEDOUT)
		return guest_step_broken(s->gc, err, "expect-no-event");
	return GUEST_OK;
}

static int
cmd_events(struct script *s, int argc, char **argv, size_t *lens)
{
	struct guest_msg *m;
	int err;

	(void)argc;
	(void)argv;
	(void)lens;
	err = guest_conn_pump(s->gc);
	if (err != 0 && err != ENOBUFS)
		return guest_step_broken(s->gc, err, "events");
	while (guest_conn_events(s->gc) > 0 &&
	    guest_conn_wait_event(s->gc, NULL, NULL, 0, &m) == 0) {
		guest_msg_print_reply(s->out, XS_WATCH_EVENT, m);
		guest_msg_free(m);
	}
	return GUEST_OK;
}

static int
cmd_drop_events(struct script *s, int argc, char **argv, size_t *lens)
{
	size_t n;

	(void)argc;
	(void)argv;
	(void)lens;
	n = guest_conn_drop_events(s->gc);
	guest_conn_logf(s->gc, "dropped %zu queued events", n);
	return GUEST_OK;
}

static int
cmd_txstart(struct script *s, int argc, char **argv, size_t *lens)
{
	struct guest_msg *m;
	unsigned int id;
	int st;

	(void)argc;
	(void)argv;
	(void)lens;
	if (s->tx != 0)
		guest_conn_logf(s->gc, "txstart inside transaction %u",
		    s->tx);
	st = script_req(s, s->tx, XS_TRANSACTION_START, 0, NULL, NULL, &m);
	if (st != GUEST_OK)
		return st;
	if (args_parse_uint(m->body, &id) != 0 || id == 0)
		st = guest_step_fail("TRANSACTION_START: reply \"%.32s\" is "
		    "no transaction id", m->body);
	else
		s->tx = id;
	guest_msg_free(m);
	return st;
}

static int
tx_end(struct script *s, char how)
{
	char word[2] = { how, '\0' };
	char *argv[1] = { word };
	size_t lens[1] = { 1 };
	uint32_t tx = s->tx;

	/* The id dies whatever the reply, as in the protocol. */
	s->tx = 0;
	return req_quiet(s, tx, XS_TRANSACTION_END, 1, argv, lens);
}

static int
cmd_txcommit(struct script *s, int argc, char **argv, size_t *lens)
{
	(void)argc;
	(void)argv;
	(void)lens;
	return tx_end(s, 'T');
}

/*
 * try-txcommit: TRANSACTION_END T, the id ends; the reply (OK, ERROR
 * EAGAIN...) is printed, and an ERROR reply does not fail the script.
 */
static int
cmd_try_txcommit(struct script *s, int argc, char **argv, size_t *lens)
{
	char word[2] = { 'T', '\0' };
	char *args[1] = { word };
	size_t ls[1] = { 1 };
	uint32_t tx = s->tx;
	int st;

	(void)argc;
	(void)argv;
	(void)lens;
	s->tx = 0;
	s->allow_error = true;
	st = req_print(s, tx, XS_TRANSACTION_END, 1, args, ls);
	s->allow_error = false;
	return st;
}

static int
cmd_txabort(struct script *s, int argc, char **argv, size_t *lens)
{
	(void)argc;
	(void)argv;
	(void)lens;
	return tx_end(s, 'F');
}

static int
cmd_reset_watches(struct script *s, int argc, char **argv, size_t *lens)
{
	(void)argc;
	(void)argv;
	(void)lens;
	/* The daemon drops our transactions with the watches. */
	s->tx = 0;
	return req_quiet(s, 0, XS_RESET_WATCHES, 0, NULL, NULL);
}

static int
cmd_reconnect(struct script *s, int argc, char **argv, size_t *lens)
{
	int err;

	(void)argc;
	(void)argv;
	(void)lens;
	s->tx = 0;
	err = guest_conn_reconnect(s->gc, -1);
	if (err == ENOTSUP)
		return guest_step_fail("reconnect: the daemon does not "
		    "advertise XENSTORE_SERVER_FEATURE_RECONNECTION");
	if (err == ETIMEDOUT)
		return guest_step_fail("reconnect: the connection word was "
		    "not cleared within %d ms", guest_conn_timeout(s->gc));
	if (err != 0)
		return guest_step_broken(s->gc, err, "reconnect");
	return GUEST_OK;
}

static int
cmd_req(struct script *s, int argc, char **argv, size_t *lens)
{
	uint32_t type;
	int st;

	if (guest_msg_type_by_name(argv[0], &type) != 0) {
		fprintf(stderr, "xs-guest: req: unknown type %s\n", argv[0]);
		return GUEST_USAGE;
	}
	s->allow_error = true;
	st = req_print(s, s->tx, type, argc - 1, argv + 1, lens + 1);
	s->allow_error = false;
	return st;
}

static int
cmd_raw(struct script *s, int argc, char **argv, size_t *lens)
{
	char buf[GUEST_SCRIPT_LINE_MAX / 2];
	size_t n, i;
	int a, hi, lo, err;

	n = 0;
	for (a = 0; a < argc; a++) {
		if (lens[a] % 2 != 0)
			goto bad;
		for (i = 0; i < lens[a]; i += 2) {
			hi = hex_digit(argv[a][i]);
			lo = hex_digit(argv[a][i + 1]);
			if (hi < 0 || lo < 0 || n == sizeof(buf))
				goto bad;
			buf[n++] = (char)(hi << 4 | lo);
		}
	}
	guest_conn_logf(s->gc, "step: raw %zu bytes", n);
	err = guest_conn_write(s->gc, buf, n);
	if (err != 0)
		return guest_step_broken(s->gc, err, "raw");
	return GUEST_OK;

bad:
	fprintf(stderr, "xs-guest: raw: want pairs of hex digits\n");
	return GUEST_USAGE;
}

/*
 * poke OFFSET VALUE: stores a 32-bit word into the page, as a hostile
 * guest may store anything anywhere at any time; no notify.
 */
static int
cmd_poke(struct script *s, int argc, char **argv, size_t *lens)
{
	unsigned long off, v;
	char *end;

	(void)argc;
	(void)lens;
	errno = 0;
	off = strtoul(argv[0], &end, 0);
	if (errno != 0 || end == argv[0] || *end != '\0' || off % 4 != 0 ||
	    off > 4092)
		goto bad;
	v = strtoul(argv[1], &end, 0);
	if (errno != 0 || end == argv[1] || *end != '\0' || v > UINT32_MAX ||
	    argv[1][0] == '-')
		goto bad;
	guest_conn_logf(s->gc, "step: poke %lu = %lu", off, v);
	guest_ring_set_word(guest_conn_page(s->gc), off, (uint32_t)v);
	return GUEST_OK;

bad:
	fprintf(stderr, "xs-guest: poke: want OFFSET (a multiple of 4, under "
	    "4096) and a 32-bit VALUE\n");
	return GUEST_USAGE;
}

static int
cmd_recv(struct script *s, int argc, char **argv, size_t *lens)
{
	struct guest_msg *m;
	int err;

	(void)argc;
	(void)argv;
	(void)lens;
	err = guest_conn_recv_reply(s->gc, -1, &m);
	if (err != 0)
		return guest_step_broken(s->gc, err, "recv");
	fprintf(s->out, "%s %u %u ", guest_msg_type_name(m->hdr.type),
	    m->hdr.req_id, m->hdr.tx_id);
	/* As a reply to nothing in particular: its strings, blank-joined. */
	guest_msg_print_reply(s->out, XS_WATCH, m);
	guest_msg_free(m);
	return GUEST_OK;
}

static int
parse_ms(const char *word, const char *cmd, unsigned int *ms)
{
	if (args_parse_uint(word, ms) != 0 || *ms > 3600 * 1000) {
		fprintf(stderr, "xs-guest: %s: want milliseconds, got %s\n",
		    cmd, word);
		return GUEST_USAGE;
	}
	return GUEST_OK;
}

static int
cmd_sleep(struct script *s, int argc, char **argv, size_t *lens)
{
	unsigned int ms;
	int st, err;

	(void)argc;
	(void)lens;
	if ((st = parse_ms(argv[0], "sleep", &ms)) != GUEST_OK)
		return st;
	err = guest_conn_sleep(s->gc, (int)ms);
	if (err != 0)
		return guest_step_broken(s->gc, err, "sleep");
	return GUEST_OK;
}

static int
cmd_timeout(struct script *s, int argc, char **argv, size_t *lens)
{
	unsigned int ms;
	int st;

	(void)argc;
	(void)lens;
	if ((st = parse_ms(argv[0], "timeout", &ms)) != GUEST_OK)
		return st;
	if (ms == 0) {
		fprintf(stderr, "xs-guest: timeout: must be > 0\n");
		return GUEST_USAGE;
	}
	guest_conn_set_timeout(s->gc, (int)ms);
	return GUEST_OK;
}

static int
cmd_echo(struct script *s, int argc, char **argv, size_t *lens)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			fputc(' ', s->out);
		guest_msg_print_bytes(s->out, argv[i], lens[i]);
	}
	fputc('\n', s->out);
	return GUEST_OK;
}

static int cmd_expect_error(struct script *, int, char **, size_t *);

static const struct command commands[] = {
	{ "write",		2, 2,  true,  cmd_write },
	{ "read",		1, 1,  true,  cmd_read },
	{ "expect-read",	2, 2,  true,  cmd_expect_read },
	{ "mkdir",		1, 1,  true,  cmd_mkdir },
	{ "rm",			1, 1,  true,  cmd_rm },
	{ "dir",		1, 1,  true,  cmd_dir },
	{ "getperms",		1, 1,  true,  cmd_getperms },
	{ "setperms",		2, -1, true,  cmd_setperms },
	{ "watch",		2, 2,  true,  cmd_watch },
	{ "unwatch",		2, 2,  true,  cmd_unwatch },
	{ "expect-event",	2, 2,  false, cmd_expect_event },
	{ "expect-no-event",	2, 2,  false, cmd_expect_no_event },
	{ "events",		0, 0,  false, cmd_events },
	{ "drop-events",	0, 0,  false, cmd_drop_events },
	{ "txstart",		0, 0,  true,  cmd_txstart },
	{ "txcommit",		0, 0,  true,  cmd_txcommit },
	{ "txabort",		0, 0,  true,  cmd_txabort },
	{ "try-txcommit",	0, 0,  false, cmd_try_txcommit },
	{ "reset-watches",	0, 0,  true,  cmd_reset_watches },
	{ "reconnect",		0, 0,  false, cmd_reconnect },
	{ "req",		1, -1, true,  cmd_req },
	{ "expect-error",	2, -1, false, cmd_expect_error },
	{ "raw",		1, -1, false, cmd_raw },
	{ "poke",		2, 2,  false, cmd_poke },
	{ "recv",		0, 0,  false, cmd_recv },
	{ "sleep",		1, 1,  false, cmd_sleep },
	{ "timeout",		1, 1,  false, cmd_timeout },
	{ "echo",		0, -1, false, cmd_echo },
};

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
check_count(const struct command *c, int argc)
{
	if (argc < c->min || (c->max >= 0 && argc > c->max)) {
		fprintf(stderr, "xs-guest: %s: wrong number of words (%d)\n",
		    c->name, argc);
		return GUEST_USAGE;
	}
	return GUEST_OK;
}

static int
cmd_expect_error(struct script *s, int argc, char **argv, size_t *lens)
{
	const struct command *c;
	int st;

	c = find_command(argv[1]);
	if (c == NULL || !c->request) {
		fprintf(stderr, "xs-guest: expect-error: %s is not a request "
		    "command\n", argv[1]);
		return GUEST_USAGE;
	}
	if ((st = check_count(c, argc - 2)) != GUEST_OK)
		return st;
	s->expect = argv[0];
	st = c->run(s, argc - 2, argv + 2, lens + 2);
	s->expect = NULL;
	if (st == DONE_EXPECTED)
		return GUEST_OK;
	if (st == GUEST_OK)
		/* The handler judged no reply: a request that never got one. */
		st = guest_step_fail("expect-error %s %s: no ERROR reply",
		    argv[0], argv[1]);
	return st;
}

/* Runs one split line; prints the line number on failure. */
static int
run_line(struct script *s, int argc, char **argv, size_t *lens)
{
	const struct command *c;
	int st;

	c = find_command(argv[0]);
	if (c == NULL) {
		fprintf(stderr, "xs-guest: unknown command %s\n", argv[0]);
		return GUEST_USAGE;
	}
	if ((st = check_count(c, argc - 1)) != GUEST_OK)
		return st;
	guest_conn_logf(s->gc, "%s:%lu: %s", s->name, s->line, argv[0]);
	st = c->run(s, argc - 1, argv + 1, lens + 1);
	fflush(s->out);
	return st;
}

int
guest_script_run(struct guest_conn *gc, FILE *in, const char *name,
    FILE *out)
{
	struct script s;
	char *argv[GUEST_SCRIPT_WORDS];
	size_t lens[GUEST_SCRIPT_WORDS];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int argc, st, err;

	memset(&s, 0, sizeof(s));
	s.gc = gc;
	s.out = out;
	s.name = name;
	st = GUEST_OK;
	while (st == GUEST_OK && (n = getline(&line, &cap, in)) != -1) {
		s.line++;
		if (n >= GUEST_SCRIPT_LINE_MAX || strlen(line) != (size_t)n) {
			fprintf(stderr, "xs-guest: %s:%lu: line too long or "
			    "holds a NUL\n", name, s.line);
			st = GUEST_USAGE;
			break;
		}
		err = guest_script_split(line, argv, lens, GUEST_SCRIPT_WORDS,
		    &argc);
		if (err != 0) {
			fprintf(stderr, "xs-guest: %s:%lu: %s\n", name, s.line,
			    err == E2BIG ? "too many words" :
			    "bad quoting or escape");
			st = GUEST_USAGE;
			break;
		}
		if (argc == 0)
			continue;
		st = run_line(&s, argc, argv, lens);
		if (st != GUEST_OK)
			fprintf(stderr, "xs-guest: %s:%lu: %s failed\n", name,
			    s.line, argv[0]);
	}
	if (st == GUEST_OK && ferror(in)) {
		fprintf(stderr, "xs-guest: %s: read error\n", name);
		st = GUEST_BROKEN;
	}
	free(line);
	return st;
}

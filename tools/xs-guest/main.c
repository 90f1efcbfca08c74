/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c: the xs-guest command line.
 *
 * Job: parse the options and the command, set the hard deadline, open
 * what the command needs (the simulator directory as a guest, or as a
 * toolstack, or the dom0 socket) and hand over to the library; turn the
 * result into the exit status (guest_status.h). Owns nothing that
 * outlives one command.
 *
 *   xs-guest [options] create N [--preset-reconnect]
 *   xs-guest [options] set-state N running|shutdown|dying
 *   xs-guest [options] destroy N
 *   xs-guest [options] introduce N [--mfn M] [--port P] [--no-home]
 *   xs-guest [options] release N
 *   xs-guest [options] -D N req [--tx ID] TYPE [ARG...]
 *   xs-guest [options] -D N watch PATH TOKEN [-n COUNT]
 *   xs-guest [options] -D N script FILE|-
 *   xs-guest [options] -D N scenario NAME [MODE] [-n COUNT]
 *       [--duration MS] [--seed S] [--path PATH] [--size N]
 *
 * The hard deadline (-T) is an alarm whose handler writes a fixed message
 * and calls _exit: both async-signal-safe, and the point is to end the
 * process wherever it is stuck, even inside a bug of our own.
 *
 * Must not: talk to the ring itself (guest_conn.c does), or exit from
 * anywhere but main().
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/args.h"
#include "tools/xs-guest/guest_conn.h"
#include "tools/xs-guest/guest_intro.h"
#include "tools/xs-guest/guest_scenario.h"
#include "tools/xs-guest/guest_script.h"
#include "tools/xs-guest/guest_sim.h"
#include "tools/xs-guest/guest_sock.h"
#include "tools/xs-guest/guest_status.h"
#include "tools/xs-guest/guest_step.h"
#include "tools/xs-guest/guest_toolstack.h"

#define DEADLINE_S	60	/* default hard limit of one run */
#define DEADLINE_MAX_S	86400
#define SOCK_PATH_MAX	256

struct options {
	const char	*dir;		/* -d, $XS_GUEST_DIR */
	const char	*socket;	/* -s, else guest_sock_default_path */
	bool		 have_domid;
	unsigned int	 domid;		/* -D, $XS_GUEST_DOMID */
	int		 timeout_ms;	/* -t */
	unsigned int	 deadline_s;	/* -T */
	bool		 verbose;	/* -v */
	bool		 reconnect;	/* -R */
};

/* Written before the alarm is armed; read only by the handler. */
static char deadline_msg[96];

static void
on_alarm(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, deadline_msg, strlen(deadline_msg));
	(void)n;
	_exit(GUEST_BROKEN);
}

static void
usage(FILE *f)
{
	fputs(
"usage: xs-guest [options] COMMAND [ARG...]\n"
"options:\n"
"  -d, --dir DIR       simulator directory (default $XS_GUEST_DIR)\n"
"  -D, --domid N       the guest's domain (default $XS_GUEST_DOMID)\n"
"  -s, --socket PATH   dom0 socket (default $XENSTORED_PATH,\n"
"                      $XENSTORED_RUNDIR/socket, /var/run/xenstored/socket)\n"
"  -t, --timeout MS    deadline of each wait (default 5000)\n"
"  -T, --deadline S    hard limit on the whole run (default 60)\n"
"  -R, --reconnect     guest: start with the reconnection handshake\n"
"  -v, --verbose       trace steps and packets on stderr\n"
"toolstack commands (need -d; introduce/release need the socket):\n"
"  create N [--preset-reconnect]    set-state N running|shutdown|dying\n"
"  destroy N                        release N\n"
"  introduce N [--mfn M] [--port P] [--no-home]\n"
"guest commands (need -d and -D):\n"
"  req [--tx ID] TYPE [ARG...]      watch PATH TOKEN [-n COUNT]\n"
"  script FILE|-\n"
"  scenario linux|hvmloader|dom0less|kexec\n"
"  scenario hostile bad-index|oversize|garbage|no-read|zero-race\n"
"           [-n COUNT] [--duration MS] [--seed S]\n"
"           [--path PATH] [--size N]   (no-read: READ PATH, or WRITE N bytes)\n"
"exit: 0 ok, 1 ERROR reply or failed check, 2 usage, 3 timeout or I/O\n",
	    f);
}

static int __attribute__((format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("xs-guest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (xs-guest -h for usage)\n", stderr);
	return GUEST_USAGE;
}

static int
parse_domid(const char *s, unsigned int *domid)
{
	if (args_parse_domid(s, domid) != 0 || s[0] == '\0')
		return bad_usage("bad domid \"%s\"", s);
	return GUEST_OK;
}

static int
parse_num(const char *s, unsigned int max, unsigned int *out)
{
	if (args_parse_uint(s, out) != 0 || *out > max)
		return bad_usage("bad number \"%s\"", s);
	return GUEST_OK;
}

static int
need_dir(const struct options *o)
{
	if (o->dir == NULL)
		return bad_usage("no simulator directory (-d or "
		    "$XS_GUEST_DIR)");
	return GUEST_OK;
}

/* Sends dom_exc; a missing daemon is worth a warning, not a failure. */
static void
send_dom_exc(const struct options *o)
{
	int err;

	err = guest_sim_control(o->dir, "dom_exc");
	if (err != 0)
		fprintf(stderr, "xs-guest: warning: dom_exc to %s/control: "
		    "%s\n", o->dir, strerror(err));
}

static int
file_error(const char *what, unsigned int domid, int err)
{
	fprintf(stderr, "xs-guest: %s dom%u: %s\n", what, domid,
	    strerror(err));
	return err == EEXIST || err == ENOENT || err == EINVAL ?
	    GUEST_FAILED : GUEST_BROKEN;
}

static int
cmd_create(const struct options *o, int argc, char **argv)
{
	unsigned int domid;
	bool preset = false;
	int st, err;

	if ((st = need_dir(o)) != GUEST_OK)
		return st;
	if (argc < 1 || argc > 2)
		return bad_usage("create N [--preset-reconnect]");
	if ((st = parse_domid(argv[0], &domid)) != GUEST_OK)
		return st;
	if (argc == 2) {
		if (strcmp(argv[1], "--preset-reconnect") != 0)
			return bad_usage("unknown create option %s", argv[1]);
		preset = true;
	}
	err = guest_toolstack_create(o->dir, domid, preset);
	if (err != 0)
		return file_error("create", domid, err);
	return GUEST_OK;
}

static int
cmd_set_state(const struct options *o, int argc, char **argv)
{
	unsigned int domid;
	int st, err;

	if ((st = need_dir(o)) != GUEST_OK)
		return st;
	if (argc != 2)
		return bad_usage("set-state N running|shutdown|dying");
	if ((st = parse_domid(argv[0], &domid)) != GUEST_OK)
		return st;
	err = guest_toolstack_set_state(o->dir, domid, argv[1]);
	if (err == EINVAL)
		return bad_usage("bad state \"%s\"", argv[1]);
	if (err != 0)
		return file_error("set-state", domid, err);
	send_dom_exc(o);
	return GUEST_OK;
}

static int
cmd_destroy(const struct options *o, int argc, char **argv)
{
	unsigned int domid;
	int st, err;

	if ((st = need_dir(o)) != GUEST_OK)
		return st;
	if (argc != 1)
		return bad_usage("destroy N");
	if ((st = parse_domid(argv[0], &domid)) != GUEST_OK)
		return st;
	err = guest_toolstack_destroy(o->dir, domid);
	if (err != 0)
		return file_error("destroy", domid, err);
	send_dom_exc(o);
	return GUEST_OK;
}

static int
open_socket(const struct options *o, int *fd)
{
	char buf[SOCK_PATH_MAX];
	const char *path;
	int err;

	path = o->socket != NULL ? o->socket :
	    guest_sock_default_path(buf, sizeof(buf));
	if (path == NULL)
		return bad_usage("socket path too long");
	err = guest_sock_open(path, fd);
	if (err != 0) {
		fprintf(stderr, "xs-guest: connect %s: %s\n", path,
		    strerror(err));
		return GUEST_BROKEN;
	}
	return GUEST_OK;
}

/* Prints a toolstack reply; an ERROR one is GUEST_FAILED. */
static int
print_reply(uint32_t type, struct guest_msg *m)
{
	int st;

	guest_msg_print_reply(stdout, type, m);
	st = guest_msg_error(m) != NULL ? GUEST_FAILED : GUEST_OK;
	guest_msg_free(m);
	return st;
}

static int
cmd_introduce(const struct options *o, int argc, char **argv)
{
	struct guest_msg *m;
	unsigned int domid, mfn = 1, port = 1;
	uint32_t req_id = 1;
	bool home = true;
	int i, fd, st, err;

	if (argc < 1)
		return bad_usage("introduce N [--mfn M] [--port P] "
		    "[--no-home]");
	if ((st = parse_domid(argv[0], &domid)) != GUEST_OK)
		return st;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-home") == 0)
			home = false;
		else if (strcmp(argv[i], "--mfn") == 0 && i + 1 < argc)
			st = parse_num(argv[++i], UINT32_MAX, &mfn);
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			st = parse_num(argv[++i], UINT32_MAX, &port);
		else
			return bad_usage("unknown introduce option %s",
			    argv[i]);
		if (st != GUEST_OK)
			return st;
	}
	if (mfn == 0 || port == 0)
		return bad_usage("mfn and port must be non-zero");
	if ((st = open_socket(o, &fd)) != GUEST_OK)
		return st;
	err = 0;
	if (home)
		err = guest_intro_home(fd, o->timeout_ms, &req_id, domid,
		    o->verbose ? stderr : NULL);
	if (err == 0)
		err = guest_intro_introduce(fd, o->timeout_ms, &req_id, domid,
		    mfn, port, &m);
	close(fd);
	if (err == 0)
		return print_reply(XS_INTRODUCE, m);
	if (err == ETIMEDOUT || err == ECONNRESET || err == EPROTO ||
	    err == EPIPE) {
		fprintf(stderr, "xs-guest: introduce: %s\n", strerror(err));
		return GUEST_BROKEN;
	}
	/* guest_intro_home printed the step and its ERROR reply. */
	return GUEST_FAILED;
}

static int
cmd_release(const struct options *o, int argc, char **argv)
{
	struct guest_msg *m;
	unsigned int domid;
	uint32_t req_id = 1;
	int fd, st, err;

	if (argc != 1)
		return bad_usage("release N");
	if ((st = parse_domid(argv[0], &domid)) != GUEST_OK)
		return st;
	if ((st = open_socket(o, &fd)) != GUEST_OK)
		return st;
	err = guest_intro_release(fd, o->timeout_ms, &req_id, domid, &m);
	close(fd);
	if (err != 0) {
		fprintf(stderr, "xs-guest: release: %s\n", strerror(err));
		return GUEST_BROKEN;
	}
	return print_reply(XS_RELEASE, m);
}

static int
cmd_req(struct guest_conn *gc, int argc, char **argv)
{
	struct guest_msg *m;
	unsigned int tx = 0;
	uint32_t type;
	int st;

	if (argc >= 2 && strcmp(argv[0], "--tx") == 0) {
		if ((st = parse_num(argv[1], UINT32_MAX, &tx)) != GUEST_OK)
			return st;
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		return bad_usage("req [--tx ID] TYPE [ARG...]");
	if (guest_msg_type_by_name(argv[0], &type) != 0)
		return bad_usage("unknown message type %s", argv[0]);
	st = guest_step_req(gc, tx, type, argc - 1,
	    (const char *const *)(argv + 1), NULL, &m);
	if (st != GUEST_OK)
		return st;
	return print_reply(type, m);
}

static int
cmd_watch(struct guest_conn *gc, int argc, char **argv)
{
	struct guest_msg *m;
	unsigned int count = 0, seen;
	int st, err;

	if (argc == 4 && strcmp(argv[2], "-n") == 0) {
		if ((st = parse_num(argv[3], 1000000, &count)) != GUEST_OK)
			return st;
		if (count == 0)
			return bad_usage("-n COUNT must be > 0");
	} else if (argc != 2)
		return bad_usage("watch PATH TOKEN [-n COUNT]");
	st = guest_step_ok2(gc, 0, XS_WATCH, argv[0], argv[1], NULL);
	if (st != GUEST_OK)
		return st;
	for (seen = 0; count == 0 || seen < count; seen++) {
		err = guest_conn_wait_event(gc, NULL, NULL, -1, &m);
		if (err == ETIMEDOUT && count == 0)
			break;
		if (err == ETIMEDOUT) {
			st = guest_step_fail("%u of %u events within %d ms "
			    "each", seen, count, guest_conn_timeout(gc));
			break;
		}
		if (err != 0) {
			st = guest_step_broken(gc, err, "watch");
			break;
		}
		guest_msg_print_reply(stdout, XS_WATCH_EVENT, m);
		fflush(stdout);
		guest_msg_free(m);
	}
	/* The watch belongs to the domain's connection, not to us. */
	if (st != GUEST_BROKEN &&
	    guest_step_req(gc, 0, XS_UNWATCH, 2, (const char *const *)argv,
	    NULL, &m) == GUEST_OK)
		guest_msg_free(m);
	return st;
}

static int
cmd_script(struct guest_conn *gc, int argc, char **argv)
{
	FILE *in;
	int st;

	if (argc != 1)
		return bad_usage("script FILE|-");
	if (strcmp(argv[0], "-") == 0)
		return guest_script_run(gc, stdin, "-", stdout);
	in = fopen(argv[0], "r");
	if (in == NULL) {
		fprintf(stderr, "xs-guest: %s: %s\n", argv[0],
		    strerror(errno));
		return GUEST_USAGE;
	}
	st = guest_script_run(gc, in, argv[0], stdout);
	fclose(in);
	return st;
}

static int
cmd_scenario(struct guest_conn *gc, const struct options *o, int argc,
    char **argv)
{
	struct guest_scenario_opts so;
	const char *mode = NULL;
	unsigned int v;
	int i, st;

	if (argc < 1)
		return bad_usage("scenario NAME [MODE] [options]");
	memset(&so, 0, sizeof(so));
	so.domid = o->domid;
	i = 1;
	if (argc > 1 && argv[1][0] != '-') {
		mode = argv[1];
		i = 2;
	}
	/* Options come in pairs: name, value. */
	for (; i < argc; i += 2) {
		if (i + 1 >= argc)
			return bad_usage("option %s needs a value", argv[i]);
		if (strcmp(argv[i], "--path") == 0) {
			so.path = argv[i + 1];
			continue;
		}
		if ((st = parse_num(argv[i + 1], INT32_MAX, &v)) != GUEST_OK)
			return st;
		if (strcmp(argv[i], "-n") == 0)
			so.count = (int)v;
		else if (strcmp(argv[i], "--duration") == 0)
			so.duration_ms = (int)v;
		else if (strcmp(argv[i], "--seed") == 0)
			so.seed = v;
		else if (strcmp(argv[i], "--size") == 0)
			so.size = v;
		else
			return bad_usage("unknown scenario option %s",
			    argv[i]);
	}
	if (so.duration_ms >= (int)o->deadline_s * 1000)
		return bad_usage("--duration must end before the "
		    "deadline (-T)");
	return guest_scenario_run(gc, argv[0], mode, &so);
}

static const struct guest_conn_ops sim_ops = {
	.notify = guest_sim_notify,
	.wait = guest_sim_wait,
};

/* Opens domain N as its guest and runs a guest command. */
static int
run_guest(const struct options *o, const char *cmd, int argc, char **argv)
{
	struct guest_sim *gs;
	struct guest_conn *gc;
	int st, err;

	if ((st = need_dir(o)) != GUEST_OK)
		return st;
	if (!o->have_domid)
		return bad_usage("%s: no domain (-D or $XS_GUEST_DOMID)", cmd);
	err = guest_sim_open(o->dir, o->domid, &gs);
	if (err != 0) {
		fprintf(stderr, "xs-guest: open %s/dom%u: %s\n", o->dir,
		    o->domid, strerror(err));
		return GUEST_BROKEN;
	}
	err = guest_conn_new(guest_sim_page(gs), &sim_ops, gs, &gc);
	if (err != 0) {
		guest_sim_close(gs);
		fprintf(stderr, "xs-guest: %s\n", strerror(err));
		return GUEST_BROKEN;
	}
	guest_conn_set_timeout(gc, o->timeout_ms);
	/* 65536 ids per process before another pid's range. */
	guest_conn_set_next_id(gc, (uint32_t)getpid() << 16);
	if (o->verbose)
		guest_conn_set_trace(gc, stderr);
	/* A dom0less guest must wait for the word itself: no handshake. */
	err = 0;
	if (strcmp(cmd, "scenario") != 0 || argc < 1 ||
	    strcmp(argv[0], "dom0less") != 0)
		err = guest_conn_start(gc, o->reconnect);
	if (err == ENOTSUP)
		st = guest_step_fail("-R: the daemon does not advertise "
		    "RECONNECTION");
	else if (err != 0)
		st = guest_step_broken(gc, err, "start");
	else if (strcmp(cmd, "req") == 0)
		st = cmd_req(gc, argc, argv);
	else if (strcmp(cmd, "watch") == 0)
		st = cmd_watch(gc, argc, argv);
	else if (strcmp(cmd, "script") == 0)
		st = cmd_script(gc, argc, argv);
	else
		st = cmd_scenario(gc, o, argc, argv);
	guest_conn_free(gc);
	guest_sim_close(gs);
	return st;
}

/* Fills *o; *help is set for -h (main prints the usage and exits 0). */
static int
parse_options(struct options *o, int argc, char **argv, bool *help)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "domid", required_argument, NULL, 'D' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "deadline", required_argument, NULL, 'T' },
		{ "reconnect", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env;
	unsigned int v;
	int c, st;

	memset(o, 0, sizeof(*o));
	*help = false;
	o->dir = getenv("XS_GUEST_DIR");
	o->timeout_ms = GUEST_CONN_TIMEOUT_MS;
	o->deadline_s = DEADLINE_S;
	env = getenv("XS_GUEST_DOMID");
	if (env != NULL && env[0] != '\0') {
		if ((st = parse_domid(env, &o->domid)) != GUEST_OK)
			return st;
		o->have_domid = true;
	}
	/* "+": options stop at the command; its words may start with -. */
	while ((c = getopt_long(argc, argv, "+d:D:s:t:T:Rvh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'D':
			if ((st = parse_domid(optarg, &o->domid)) != GUEST_OK)
				return st;
			o->have_domid = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 't':
			if ((st = parse_num(optarg, 3600 * 1000, &v)) !=
			    GUEST_OK)
				return st;
			if (v == 0)
				return bad_usage("-t must be > 0");
			o->timeout_ms = (int)v;
			break;
		case 'T':
			if ((st = parse_num(optarg, DEADLINE_MAX_S, &v)) !=
			    GUEST_OK)
				return st;
			if (v == 0)
				return bad_usage("-T must be > 0");
			o->deadline_s = v;
			break;
		case 'R':
			o->reconnect = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			*help = true;
			return GUEST_OK;
		default:
			usage(stderr);
			return GUEST_USAGE;
		}
	}
	return GUEST_OK;
}

int
main(int argc, char **argv)
{
	struct options o;
	const char *cmd;
	bool help;
	int st;

	if ((st = parse_options(&o, argc, argv, &help)) != GUEST_OK)
		return st;
	if (help) {
		usage(stdout);
		return GUEST_OK;
	}
	if (optind >= argc) {
		usage(stderr);
		return GUEST_USAGE;
	}
	snprintf(deadline_msg, sizeof(deadline_msg), "xs-guest: the overall "
	    "deadline of %u s passed; giving up (-T)\n", o.deadline_s);
	signal(SIGALRM, on_alarm);
	alarm(o.deadline_s);
	/* A daemon that went away must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	if (strcmp(cmd, "create") == 0)
		return cmd_create(&o, argc, argv);
	if (strcmp(cmd, "set-state") == 0)
		return cmd_set_state(&o, argc, argv);
	if (strcmp(cmd, "destroy") == 0)
		return cmd_destroy(&o, argc, argv);
	if (strcmp(cmd, "introduce") == 0)
		return cmd_introduce(&o, argc, argv);
	if (strcmp(cmd, "release") == 0)
		return cmd_release(&o, argc, argv);
	if (strcmp(cmd, "req") == 0 || strcmp(cmd, "watch") == 0 ||
	    strcmp(cmd, "script") == 0 || strcmp(cmd, "scenario") == 0)
		return run_guest(&o, cmd, argc, argv);
	return bad_usage("unknown command %s", cmd);
}

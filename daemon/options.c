/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command line and the environment, read once into d->cfg.
 *
 * The options are the C xenstored's, with the same meaning, so that a
 * launch script written for it (launch-xenstore, Debian's /etc/init.d/xen,
 * XENSTORED_ARGS) runs xstored unchanged; docs/xstored.8 lists them. The
 * options Xen 4.19 removed but 4.17's scripts may still pass (-D, -R, -I,
 * -V, -P) are accepted with their old meaning where it still applies (-D:
 * no dom0 ring; -V: debug logging; -P: print the pid), else as no-ops.
 * A few are our own: --access-log, --hypervisor, --version.
 *
 * oxenstored's options are accepted too, with its meanings, so that its
 * XENSTORED_ARGS still work: --config-file FILE (its oxenstored.conf,
 * read by oxconf_load.c; without it no such file is read, unlike
 * oxenstored, which reads /etc/xen/oxenstored.conf by default: a host
 * switching from C xenstored must not pick up a file it never used),
 * --config-test, --no-access-log, --disable-socket, --no-domain-init,
 * --no-fork, --pid-file, -T, --help; --reraise-top-level (an OCaml
 * debugging aid) is a no-op. --restart and --live are refused: they
 * restore oxenstored's own database and live-update state, which xstored
 * neither writes nor reads (its live update is Xen's stream, with -U).
 *
 * Unlike the C daemon, which warns about an unknown option and goes on, any
 * mistake is fatal before anything starts: an unknown option, a missing
 * argument, a bad number, an unknown quota name or a positional argument
 * is one line on stderr and exit status 2. Numbers are plain decimals up
 * to INT_MAX (the C daemon's limit); domids stop below DOMID_FIRST_RESERVED.
 *
 * Socket path: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket (the clients' own rule, so both agree).
 *
 * Hypervisor: --hypervisor chooses; without it, Xen if /dev/xen exists
 * (a dom0), else none (the socket alone), as docs/architecture.md says.
 *
 * No state of its own; nothing is logged here (the log is not open yet):
 * messages go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/hypervisor.h"

#define OPT_HYPERVISOR		256
#define OPT_VERSION		257
#define OPT_TRACE_CONTROL	258
#define OPT_MASTER_DOMID	259
#define OPT_PRIV_DOMID		260
#define OPT_EVENT		261
#define OPT_ACCESS_LOG		262
#define OPT_CONFIG_FILE		263
#define OPT_NO_ACCESS_LOG	264
#define OPT_DISABLE_SOCKET	265
#define OPT_CONFIG_TEST		266
#define OPT_RERAISE		267
#define OPT_RESTART		268
#define OPT_LIVE		269

#define OPTIONS_DOMID_MAX	0x7FEF	/* below DOMID_FIRST_RESERVED */
#define OPTIONS_PATH_MAX	2048	/* XENSTORE_REL_PATH_MAX: -M ceiling */

static const char shortopts[] = ":A:DE:F:HI::KM:NPQ:RS:T:UVW:q:t:w:";

static const struct option longopts[] = {
	{ "access-log",		required_argument, NULL, OPT_ACCESS_LOG },
	{ "config-file",	required_argument, NULL, OPT_CONFIG_FILE },
	{ "config-test",	no_argument,	   NULL, OPT_CONFIG_TEST },
	{ "disable-socket",	no_argument,	   NULL, OPT_DISABLE_SOCKET },
	{ "entry-nb",		required_argument, NULL, 'E' },
	{ "entry-size",		required_argument, NULL, 'S' },
	{ "event",		required_argument, NULL, OPT_EVENT },
	{ "help",		no_argument,	   NULL, 'H' },
	{ "hypervisor",		required_argument, NULL, OPT_HYPERVISOR },
	{ "internal-db",	optional_argument, NULL, 'I' },
	{ "keep-orphans",	no_argument,	   NULL, 'K' },
	{ "live",		no_argument,	   NULL, OPT_LIVE },
	{ "live-update",	no_argument,	   NULL, 'U' },
	{ "master-domid",	required_argument, NULL, OPT_MASTER_DOMID },
	{ "no-access-log",	no_argument,	   NULL, OPT_NO_ACCESS_LOG },
	{ "no-domain-init",	no_argument,	   NULL, 'D' },
	{ "no-fork",		no_argument,	   NULL, 'N' },
	{ "no-recovery",	no_argument,	   NULL, 'R' },
	{ "output-pid",		no_argument,	   NULL, 'P' },
	{ "path-max",		required_argument, NULL, 'M' },
	{ "perm-nb",		required_argument, NULL, 'A' },
	{ "pid-file",		required_argument, NULL, 'F' },
	{ "priv-domid",		required_argument, NULL, OPT_PRIV_DOMID },
	{ "quota",		required_argument, NULL, 'Q' },
	{ "quota-soft",		required_argument, NULL, 'q' },
	{ "reraise-top-level",	no_argument,	   NULL, OPT_RERAISE },
	{ "restart",		no_argument,	   NULL, OPT_RESTART },
	{ "timeout",		required_argument, NULL, 'w' },
	{ "trace-control",	required_argument, NULL, OPT_TRACE_CONTROL },
	{ "trace-file",		required_argument, NULL, 'T' },
	{ "transaction",	required_argument, NULL, 't' },
	{ "verbose",		no_argument,	   NULL, 'V' },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ "watch-nb",		required_argument, NULL, 'W' },
	{ NULL,			0,		   NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: xstored [options]\n"
"\n"
"Running:\n"
"  -N, --no-fork             stay in the foreground, log to stderr too\n"
"  -F, --pid-file FILE       write the daemon's pid to FILE (locked)\n"
"  -T, --trace-file FILE     trace every packet in and out to FILE\n"
"      --trace-control=+SW|-SW  trace switches: obj io (on), wrl acc tdb\n"
"      --access-log FILE     log every request per connection to FILE\n"
"      --config-file FILE    read oxenstored's configuration file FILE\n"
"                            (the command line wins where both set a value)\n"
"      --config-test         check --config-file's FILE and exit\n"
"      --no-access-log       no access log (oxenstored's option)\n"
"      --disable-socket      no Unix socket: rings only (oxenstored's)\n"
"  -V, --verbose             log at debug level\n"
"  -P, --output-pid          print the daemon's pid on stdout\n"
"      --hypervisor=KIND     xen (the default if /dev/xen exists),\n"
"                            none (the socket alone), sim:DIR\n"
"  -H, --help                this text\n"
"      --version             the version\n"
"\n"
"Quotas (0 disables a check; the defaults are the C xenstored's):\n"
"  -E, --entry-nb N          nodes per domain (1000)\n"
"  -S, --entry-size N        bytes per node (2048)\n"
"  -W, --watch-nb N          watches per domain (128)\n"
"  -t, --transaction N       open transactions per domain (10)\n"
"  -A, --perm-nb N           permission entries per node (5)\n"
"  -M, --path-max N          path length, at most 2048 (2048)\n"
"  -Q, --quota NAME=N        any hard quota: nodes watches outstanding\n"
"                            memory transactions transaction-nodes\n"
"                            node-permissions path-max node-size\n"
"  -q, --quota-soft memory=N the soft memory quota (a logged warning)\n"
"  -w, --timeout watch-event=S  drop events a guest left unread S\n"
"                            seconds (20; 0: never)\n"
"\n"
"Domains:\n"
"  -K, --keep-orphans        a dead domain's nodes go to the privileged\n"
"                            domain instead of being deleted (a risk)\n"
"      --priv-domid ID       the privileged domain (0)\n"
"      --master-domid ID     the domain xstored runs in (0)\n"
"      --event PORT          accepted (Xenstore stubdom only)\n"
"\n"
"From 4.17's launch scripts: -D/--no-domain-init (leave dom0's kernel\n"
"ring alone); accepted, no effect: -R/--no-recovery,\n"
"-I/--internal-db [on|off], --reraise-top-level (oxenstored's).\n"
"  -U, --live-update         restore from $XENSTORED_RUNDIR/state_dump\n"
"                            (set by xenstore-control live-update)\n"
"--live and --restart (oxenstored's own restore formats) are refused.\n"
"\n"
"The socket is $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else\n"
DAEMON_RUNDIR_DEFAULT "/socket. Relative log file names are under\n"
LOGS_LIB_DIR ". See xstored(8).\n");
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Reports a usage error on stderr; returns the exit status, 2. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xstored: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'xstored --help'.\n");
	return 2;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A plain decimal in [0, max]: no sign, no blanks, no junk. */
static int
parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Records a quota given on the command line; main() applies it. */
static void
set_quota(struct daemon *d, enum store_quota q, unsigned int v)
{
	if (q == STORE_QUOTA_PATH_MAX && v > OPTIONS_PATH_MAX)
		v = OPTIONS_PATH_MAX;	/* as the C daemon clamps -M */
	d->cfg.quota[q] = v;
	d->cfg.quota_given |= 1u << q;
}

static int
quota_number(struct daemon *d, enum store_quota q, const char *opt,
    const char *arg)
{
	unsigned int v;

	if (parse_uint(arg, INT_MAX, &v) != 0)
		return usage_error("%s: '%s' is not a number from 0 to %d",
		    opt, arg, INT_MAX);
	set_quota(d, q, v);
	return OPTIONS_RUN;
}

/*
 * -Q name=n (soft: false) or -q memory=n (soft: true). Errors go to stderr.
 */
static int
quota_assign(struct daemon *d, const char *arg, bool soft)
{
	enum store_quota q;
	const char *eq;
	char name[32];
	size_t len;

	eq = strchr(arg, '=');
	if (eq == NULL)
		return usage_error("quota '%s': use NAME=NUMBER", arg);
	len = (size_t)(eq - arg);
	if (len >= sizeof(name))
		return usage_error("unknown quota '%s'", arg);
	memcpy(name, arg, len);
	name[len] = '\0';
	if (soft) {
		if (strcmp(name, "memory") != 0)
			return usage_error("unknown soft quota '%s' (memory)",
			    name);
		q = STORE_QUOTA_SOFT_MEMORY;
	} else if (store_quota_lookup(name, &q) != 0 ||
	    q == STORE_QUOTA_SOFT_MEMORY) {
		return usage_error("unknown quota '%s'", name);
	}
	return quota_number(d, q, soft ? "-q" : "-Q", eq + 1);
}

static int
set_timeout(struct daemon *d, const char *arg)
{
	static const char what[] = "watch-event=";

	if (strncmp(arg, what, sizeof(what) - 1) != 0)
		return usage_error("unknown timeout '%s' (watch-event=SECONDS)",
		    arg);
	if (parse_uint(arg + sizeof(what) - 1, INT_MAX,
	    &d->cfg.watch_event_timeout) != 0)
		return usage_error("bad timeout '%s'", arg);
	return OPTIONS_RUN;
}

static int
domid_arg(const char *opt, const char *arg, unsigned int *out)
{
	if (parse_uint(arg, OPTIONS_DOMID_MAX, out) == 0)
		return OPTIONS_RUN;
	return usage_error("%s: '%s' is not a domain id (0 to %d)", opt, arg,
	    OPTIONS_DOMID_MAX);
}

static int
path_arg(struct daemon *d, const char *opt, const char *arg, char **out)
{
	int err;

	err = logs_path(d->ctx, arg, out);
	if (err == ENOMEM)
		return 1;
	if (err != 0)
		return usage_error("%s: '%s' is not a file name", opt, arg);
	return OPTIONS_RUN;
}

static int
choose_hypervisor(struct daemon *d, const char *arg)
{
	d->cfg.hv_chosen = true;
	if (strcmp(arg, "none") == 0) {
		d->cfg.hv = hypervisor_none();
		return OPTIONS_RUN;
	}
	if (strncmp(arg, "sim:", 4) == 0 && arg[4] != '\0') {
		d->cfg.hv = hypervisor_sim();
		d->cfg.hv_arg = talloc_strdup(d, arg + 4);
		return d->cfg.hv_arg != NULL ? OPTIONS_RUN : 1;
	}
	if (strcmp(arg, "xen") == 0) {
		d->cfg.hv = hypervisor_xen();
		return OPTIONS_RUN;
	}
	return usage_error("unknown hypervisor '%s' (none, sim:DIR, xen)",
	    arg);
}

/*
 * -I takes an optional on|off: glued (-Ioff, --internal-db=off) as
 * getopt wants, or as the next word, as 4.17's scripts wrote it.
 */
static int
internal_db(int argc, char **argv)
{
	const char *v = optarg;

	if (v == NULL && optind < argc && (strcmp(argv[optind], "on") == 0 ||
	    strcmp(argv[optind], "off") == 0))
		v = argv[optind++];
	if (v != NULL && strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
		return usage_error("--internal-db takes on or off, not '%s'",
		    v);
	return OPTIONS_RUN;
}

static int
unknown_option(char **argv)
{
	char opt[3];

	/* A short option is named by optopt, a long one by its argument. */
	if (optopt == 0)
		return usage_error("unknown option '%s'", argv[optind - 1]);
	opt[0] = '-';
	opt[1] = (char)optopt;
	opt[2] = '\0';
	return usage_error("unknown option '%s'", opt);
}

/* One option; OPTIONS_RUN to go on, else the exit status. */
static int
one_option(struct daemon *d, int ch, int argc, char **argv)
{
	switch (ch) {
	case 'A':
		return quota_number(d, STORE_QUOTA_NODE_PERMISSIONS, "-A",
		    optarg);
	case 'D':	/* 4.17: do not introduce dom0 (its kernel ring) */
		d->cfg.no_domain_init = true;
		return OPTIONS_RUN;
	case 'R':	/* 4.17: no TDB recovery; there is no TDB */
		return OPTIONS_RUN;
	case 'E':
		return quota_number(d, STORE_QUOTA_NODES, "-E", optarg);
	case 'F':
		d->cfg.pid_file = talloc_strdup(d->ctx, optarg);
		return d->cfg.pid_file != NULL ? OPTIONS_RUN : 1;
	case 'H':
		usage(stdout);
		return 0;
	case 'I':
		return internal_db(argc, argv);
	case 'K':
		d->cfg.keep_orphans = true;
		return OPTIONS_RUN;
	case 'M':
		return quota_number(d, STORE_QUOTA_PATH_MAX, "-M", optarg);
	case 'N':
		d->cfg.foreground = true;
		return OPTIONS_RUN;
	case 'P':
		d->cfg.output_pid = true;
		return OPTIONS_RUN;
	case 'Q':
		return quota_assign(d, optarg, false);
	case 'q':
		return quota_assign(d, optarg, true);
	case 'S':
		return quota_number(d, STORE_QUOTA_NODE_SIZE, "-S", optarg);
	case 'T':
		return path_arg(d, "-T", optarg, &d->cfg.trace_file);
	case 't':
		return quota_number(d, STORE_QUOTA_TRANSACTIONS, "-t", optarg);
	case 'U':
		d->cfg.live_update = true;
		return OPTIONS_RUN;
	case 'V':
		d->cfg.verbose = true;
		return OPTIONS_RUN;
	case 'W':
		return quota_number(d, STORE_QUOTA_WATCHES, "-W", optarg);
	case 'w':
		return set_timeout(d, optarg);
	case OPT_ACCESS_LOG:
		return path_arg(d, "--access-log", optarg, &d->cfg.access_log);
	case OPT_CONFIG_FILE:
		if (optarg[0] == '\0')
			return usage_error("--config-file: empty file name");
		d->cfg.config_file = talloc_strdup(d->ctx, optarg);
		return d->cfg.config_file != NULL ? OPTIONS_RUN : 1;
	case OPT_CONFIG_TEST:
		d->cfg.config_test = true;
		return OPTIONS_RUN;
	case OPT_NO_ACCESS_LOG:
		d->cfg.no_access_log = true;
		return OPTIONS_RUN;
	case OPT_DISABLE_SOCKET:
		d->cfg.disable_socket = true;
		return OPTIONS_RUN;
	case OPT_RERAISE:	/* oxenstored: an OCaml debugging aid */
		return OPTIONS_RUN;
	case OPT_RESTART:
		fprintf(stderr, "xstored: --restart is not supported: it reads "
		    "a database oxenstored saved at exit; xstored keeps the "
		    "store in memory only\n");
		return 2;
	case OPT_LIVE:
		fprintf(stderr, "xstored: --live is not supported: it restores "
		    "oxenstored's own live-update state; xstored's live update "
		    "uses Xen's stream and -U (xenstore-control live-update)\n");
		return 2;
	case OPT_EVENT:
		if (parse_uint(optarg, INT_MAX, &d->cfg.event_port) != 0)
			return usage_error("--event: bad port '%s'", optarg);
		return OPTIONS_RUN;
	case OPT_HYPERVISOR:
		return choose_hypervisor(d, optarg);
	case OPT_MASTER_DOMID:
		return domid_arg("--master-domid", optarg,
		    &d->cfg.master_domid);
	case OPT_PRIV_DOMID:
		return domid_arg("--priv-domid", optarg, &d->cfg.priv_domid);
	case OPT_TRACE_CONTROL:
		if (trace_switch(&d->cfg.trace_flags, optarg) != 0)
			return usage_error("--trace-control: bad switch '%s' "
			    "(+ or - then obj, io, wrl, acc, tdb)", optarg);
		return OPTIONS_RUN;
	case OPT_VERSION:
		printf("xstored %s\n", XSTORED_VERSION);
		return 0;
	case ':':
		return usage_error("option '%s' needs an argument",
		    argv[optind - 1]);
	default:
		return unknown_option(argv);
	}
}

int
options_parse(struct daemon *d, int argc, char **argv)
{
	const char *v;
	int ch, status;

	d->cfg.hv = access("/dev/xen", F_OK) == 0 ? hypervisor_xen() :
	    hypervisor_none();
	d->cfg.trace_flags = TRACE_DEFAULT;
	d->cfg.watch_event_timeout = WATCH_EVENT_TIMEOUT_DEFAULT;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		status = one_option(d, ch, argc, argv);
		if (status != OPTIONS_RUN)
			return status;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (d->cfg.config_test && d->cfg.config_file == NULL)
		return usage_error("--config-test needs --config-file FILE");
	if (d->cfg.no_access_log && d->cfg.access_log != NULL)
		return usage_error("--no-access-log and --access-log "
		    "contradict each other");

	if ((v = env("XENSTORED_PATH")) != NULL)
		d->cfg.socket_path = talloc_strdup(d->ctx, v);
	else if ((v = env("XENSTORED_RUNDIR")) != NULL)
		d->cfg.socket_path = talloc_asprintf(d->ctx, "%s/socket", v);
	else
		d->cfg.socket_path = talloc_strdup(d->ctx,
		    DAEMON_RUNDIR_DEFAULT "/socket");
	if (d->cfg.socket_path == NULL)
		return 1;
	if (d->cfg.config_file != NULL)
		return oxconf_load(d);
	return OPTIONS_RUN;
}

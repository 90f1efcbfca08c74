/*
 * The command line and the environment, read once into d->cfg.
 *
 * Options: -N/--no-fork, -F/--pid-file FILE, -H/--help, -V/--verbose,
 * -T/--trace-file FILE (accepted, not used yet), --hypervisor=none
 * (sim:DIR and xen are refused until their backends exist). Anything else,
 * positional arguments included, is a usage error: exit status 2.
 *
 * Socket path: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket (the clients' own rule, so both agree).
 *
 * No state of its own; nothing is logged here (the log is not open yet):
 * messages go to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/hypervisor.h"

#define OPT_HYPERVISOR	256

static const struct option longopts[] = {
	{ "no-fork",	no_argument,		NULL,	'N' },
	{ "pid-file",	required_argument,	NULL,	'F' },
	{ "help",	no_argument,		NULL,	'H' },
	{ "verbose",	no_argument,		NULL,	'V' },
	{ "trace-file",	required_argument,	NULL,	'T' },
	{ "hypervisor",	required_argument,	NULL,	OPT_HYPERVISOR },
	{ NULL,		0,			NULL,	0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: xstored [options]\n"
	    "\n"
	    "  -N, --no-fork            stay in the foreground, log to "
	    "stderr too\n"
	    "  -F, --pid-file FILE      write the daemon's pid to FILE\n"
	    "  -V, --verbose            log every request (debug level)\n"
	    "  -T, --trace-file FILE    accepted for compatibility, "
	    "not used yet\n"
	    "      --hypervisor=none    serve the Unix socket only\n"
	    "  -H, --help               this text\n"
	    "\n"
	    "The socket is $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket,\n"
	    "else " DAEMON_RUNDIR_DEFAULT "/socket.\n");
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "xstored: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'xstored --help'.\n");
	return 2;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
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
		fprintf(stderr, "xstored: Xen (--hypervisor=xen) is not "
		    "supported yet\n");
		return 2;
	}
	return usage_error("unknown hypervisor '%s' (none, sim:DIR, xen)",
	    arg);
}

int
options_parse(struct daemon *d, int argc, char **argv)
{
	const char *v;
	char opt[3];
	int ch, status;

	d->cfg.hv = hypervisor_none();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":NF:HVT:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'N':
			d->cfg.foreground = true;
			break;
		case 'F':
			d->cfg.pid_file = talloc_strdup(d->ctx, optarg);
			if (d->cfg.pid_file == NULL)
				return 1;
			break;
		case 'H':
			usage(stdout);
			return 0;
		case 'V':
			d->cfg.verbose = true;
			break;
		case 'T':
			d->cfg.trace_file = talloc_strdup(d->ctx, optarg);
			if (d->cfg.trace_file == NULL)
				return 1;
			break;
		case OPT_HYPERVISOR:
			status = choose_hypervisor(d, optarg);
			if (status != OPTIONS_RUN)
				return status;
			break;
		case ':':
			return usage_error("option '%s' needs an argument",
			    argv[optind - 1]);
		default:
			/*
			 * A short option is named by optopt, a long one
			 * by its argument.
			 */
			if (optopt == 0)
				return usage_error("unknown option '%s'",
				    argv[optind - 1]);
			opt[0] = '-';
			opt[1] = (char)optopt;
			opt[2] = '\0';
			return usage_error("unknown option '%s'", opt);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);

	if ((v = env("XENSTORED_PATH")) != NULL)
		d->cfg.socket_path = talloc_strdup(d->ctx, v);
	else if ((v = env("XENSTORED_RUNDIR")) != NULL)
		d->cfg.socket_path = talloc_asprintf(d->ctx, "%s/socket", v);
	else
		d->cfg.socket_path = talloc_strdup(d->ctx,
		    DAEMON_RUNDIR_DEFAULT "/socket");
	if (d->cfg.socket_path == NULL)
		return 1;
	return OPTIONS_RUN;
}

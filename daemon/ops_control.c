/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CONTROL (privileged; the dispatch table checks that): cmd\0[arg\0]...,
 * the commands of the C xenstored's xenstore-control, one table row each:
 *
 *   check               store consistency walk: "OK", or its report
 *   log [on|off|+sw|-sw]  trace file on/off, trace switches; no argument
 *                       lists the switches (trace.c)
 *   live-update ...     -f/-c/-s/-a, as 4.17 (lu.c)
 *   logfile <file>      trace to another file (relative: LOGS_LIB_DIR)
 *   memreport [<file>]  memory report (control_memreport.c)
 *   print <text>        into the trace file and the log
 *   quota ..., quota-soft ...  (control_quota.c)
 *   help                the commands, one a line
 * An unknown command or a wrong number of arguments is EINVAL, which
 * makes xenstore-control print the help text. Replies are text with a
 * terminating NUL, as xenstore-control prints them.
 *
 * No state here: the trace's lives in struct daemon (trace.c).
 */
#include <errno.h>
#include <string.h>

#include "daemon/control.h"
#include "protocol/args.h"

#define CONTROL_ARGS_MAX	8	/* argument pointers kept */
#define CONTROL_ANY		(~0u)	/* any number of arguments */
#define CONTROL_TEXT_MAX	(XENSTORE_PAYLOAD_MAX - 1)

struct control_cmd {
	const char	*name;
	control_fn	*fn;
	unsigned int	 min, max;	/* arguments after the name */
	const char	*params;	/* for help */
};

static control_fn	ctl_check, ctl_help, ctl_log;
static control_fn	ctl_logfile, ctl_print;

/* In the C daemon's order, so help reads the same. */
static const struct control_cmd cmds[] = {
	{ "check",	ctl_check,	0, 0, "" },
	{ "log",	ctl_log,	0, 1, "[on|off|+<switch>|-<switch>]" },
	{ "live-update", lu_control, 0, CONTROL_ANY,
	    "[-c <cmdline>] [-F] [-t <timeout>] <file>" },
	{ "logfile",	ctl_logfile,	1, 1, "<file>" },
	{ "memreport",	control_memreport, 0, 1, "[<file>]" },
	{ "print",	ctl_print,	1, 1, "<string>" },
	{ "quota",	control_quota,	0, 3, "[set <name> <val>|<domid>]" },
	{ "quota-soft",	control_quota_soft, 0, 3, "[set <name> <val>]" },
	{ "help",	ctl_help,	0, 0, "" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

int
control_file_error(int err)
{
	if (err == EINVAL || strcmp(wire_error_name(err), "EINVAL") == 0)
		return EIO;
	return err;
}

static int
ctl_check(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char *report = NULL;
	int err;

	(void)args;
	(void)nargs;
	err = store_check(d->store, req->ctx, &report);
	if (err == 0)
		return dispatch_reply_str(d, c, req, "OK");
	if (err != EIO || report == NULL)
		return err;
	log_warn("control check: %s", report);
	/* Keep what fits rather than lose the report to E2BIG. */
	if (strlen(report) > CONTROL_TEXT_MAX)
		report[CONTROL_TEXT_MAX] = '\0';
	return dispatch_reply_str(d, c, req, report);
}

static int
ctl_help(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char *text;
	size_t i;

	(void)args;
	(void)nargs;
	text = talloc_strdup(req->ctx, "");
	for (i = 0; text != NULL && i < NCMDS; i++)
		text = talloc_asprintf_append(text, "%-15s %s\n",
		    cmds[i].name, cmds[i].params);
	if (text == NULL)
		return ENOMEM;
	return dispatch_reply_str(d, c, req, text);
}

static int
ctl_log(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char *text;
	int err;

	if (nargs == 0) {
		text = trace_describe(req->ctx, d->trace_flags);
		if (text == NULL)
			return ENOMEM;
		return dispatch_reply_str(d, c, req, text);
	}
	if (strcmp(args[0], "on") == 0) {
		if (d->trace_path == NULL)
			return dispatch_reply_str(d, c, req, "no trace file: "
			    "use 'logfile <file>' to start one");
		if ((err = trace_open(d, d->trace_path)) != 0) {
			log_warn("control log on: %s: %s", d->trace_path,
			    strerror(err));
			return control_file_error(err);
		}
	} else if (strcmp(args[0], "off") == 0) {
		trace_close(d);
		d->trace_broken = false;	/* SIGHUP leaves it off */
	} else if (trace_switch(&d->trace_flags, args[0]) != 0) {
		return EINVAL;
	}
	return dispatch_reply_str(d, c, req, "OK");
}

static int
ctl_logfile(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char *path;
	int err;

	(void)nargs;
	if ((err = logs_path(req->ctx, args[0], &path)) != 0)
		return err;
	if ((err = trace_open(d, path)) != 0) {
		log_warn("control logfile %s: %s", path, strerror(err));
		return control_file_error(err);
	}
	log_info("control logfile: tracing to %s", path);
	return dispatch_reply_str(d, c, req, "OK");
}

static int
ctl_print(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char sample[512];

	(void)nargs;
	trace_text(d, "control", args[0]);
	log_info("control print: %s",
	    log_sample(args[0], strlen(args[0]), sample, sizeof(sample)));
	return dispatch_reply_str(d, c, req, "OK");
}

int
op_control(struct daemon *d, struct conn *c, struct request *req)
{
	const char *argv[CONTROL_ARGS_MAX];
	unsigned int argc, nargs;
	size_t i;

	args_split(req->payload, req->len, argv, CONTROL_ARGS_MAX, &argc);
	if (argc == 0)
		return EINVAL;
	for (i = 0; i < NCMDS; i++) {
		if (strcmp(argv[0], cmds[i].name) != 0)
			continue;
		nargs = argc - 1;
		if (nargs < cmds[i].min || nargs > cmds[i].max)
			return EINVAL;
		/* Only CONTROL_ANY rows get more than they can see. */
		if (nargs > CONTROL_ARGS_MAX - 1)
			nargs = CONTROL_ARGS_MAX - 1;
		return cmds[i].fn(d, c, req, argv + 1, nargs);
	}
	return EINVAL;
}

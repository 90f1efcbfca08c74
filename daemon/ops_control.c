/*
 * CONTROL (privileged): cmd\0[arg\0]... with its own table of commands.
 *
 *   help          the commands, one a line
 *   check         the store's consistency walk: "OK", or its report
 *   print <text>  logs text (sanitised), replies OK
 * An unknown command, or a wrong number of arguments, is EINVAL. Replies
 * are text with a terminating NUL, as xenstore-control prints them.
 * No state here.
 */
#include <errno.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "protocol/args.h"

#define CONTROL_ARGS_MAX	8	/* more than any command takes */
#define CONTROL_TEXT_MAX	(XENSTORE_PAYLOAD_MAX - 1)

typedef int control_fn(struct daemon *d, struct conn *c,
    struct request *req, const char **args, unsigned int nargs);

struct control_cmd {
	const char	*name;
	control_fn	*fn;
	unsigned int	 min, max;	/* arguments after the name */
	const char	*params;	/* for help */
};

static control_fn	ctl_check, ctl_help, ctl_print;

static const struct control_cmd cmds[] = {
	{ "check",	ctl_check,	0, 0, "" },
	{ "help",	ctl_help,	0, 0, "" },
	{ "print",	ctl_print,	1, 1, "<string>" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

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
ctl_print(struct daemon *d, struct conn *c, struct request *req,
    const char **args, unsigned int nargs)
{
	char sample[512];

	(void)nargs;
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
		return cmds[i].fn(d, c, req, argv + 1, nargs);
	}
	return EINVAL;
}

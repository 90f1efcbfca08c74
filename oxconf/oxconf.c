/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oxenstored.conf, parsed: a table of oxenstored's keys (one row each: the
 * name, the value's type and range, the one value xstored supports when it
 * supports only one), and a line-by-line reader that fills struct oxconf.
 *
 * Values are checked as strictly as the command line's: whole numbers are
 * plain decimals (a '-' only where a negative means something), floats
 * plain decimals with at most one '.', booleans exactly "true" or "false"
 * (oxenstored's own rule), paths absolute (the daemon runs in "/"), a log
 * target an absolute path or "syslog:" and one of oxenstored's facility
 * names. A quota of 0 is refused: 0 disables a check in xstored but
 * forbids everything in oxenstored, so neither meaning would be honest.
 *
 * No I/O, no state: the caller owns the text and the result.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "oxconf/oxconf.h"

#define OXCONF_LINE_MAX	4096	/* longer lines are refused */

enum oxconf_type {
	T_BOOL,
	T_INT,
	T_FLOAT,
	T_PATH,
	T_TARGET,
	T_LEVEL
};

/* Only one value supported: the row's `only`, with the reason otherwise. */
#define ONLY_NONE	0
#define ONLY_TRUE	1
#define ONLY_FALSE	2
#define ONLY_STRING	3

struct key_row {
	const char	*name;
	enum oxconf_type type;
	long		 min, max;	/* T_INT */
	int		 only;
	const char	*only_s;	/* ONLY_STRING */
	const char	*why;		/* why other values are refused */
	bool		 moot;		/* accepted, no effect (docs say why) */
};

static const struct key_row keys[OXCONF_KEY_COUNT] = {
	[OXCONF_MERGE_ACTIVATE] = { "merge-activate", T_BOOL, 0, 0,
	    ONLY_TRUE, NULL, "xstored always checks a transaction's conflicts "
	    "node by node (merging); it has no coarser mode", false },
	[OXCONF_CONFLICT_BURST_LIMIT] = { "conflict-burst-limit", T_FLOAT,
	    0, 0, ONLY_NONE, NULL, NULL, true },
	[OXCONF_CONFLICT_MAX_HISTORY_SECONDS] = {
	    "conflict-max-history-seconds", T_FLOAT, 0, 0, ONLY_NONE, NULL,
	    NULL, true },
	[OXCONF_CONFLICT_RATE_LIMIT_IS_AGGREGATE] = {
	    "conflict-rate-limit-is-aggregate", T_BOOL, 0, 0, ONLY_NONE, NULL,
	    NULL, true },
	[OXCONF_PERMS_ACTIVATE] = { "perms-activate", T_BOOL, 0, 0, ONLY_TRUE,
	    NULL, "xstored always checks node permissions", false },
	[OXCONF_PERMS_WATCH_ACTIVATE] = { "perms-watch-activate", T_BOOL, 0,
	    0, ONLY_TRUE, NULL, "xstored always hides watch events for nodes "
	    "the watcher cannot read (XSA-115)", false },
	[OXCONF_QUOTA_ACTIVATE] = { "quota-activate", T_BOOL, 0, 0,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXWATCH] = { "quota-maxwatch", T_INT, 1, INT_MAX,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_TRANSACTION] = { "quota-transaction", T_INT, 1, INT_MAX,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXENTITY] = { "quota-maxentity", T_INT, 1, INT_MAX,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXSIZE] = { "quota-maxsize", T_INT, 1, INT_MAX,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXREQUESTS] = { "quota-maxrequests", T_INT, 1, INT_MAX,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXOUTSTANDING] = { "quota-maxoutstanding", T_INT, 1,
	    INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_QUOTA_MAXWATCHEVENTS] = { "quota-maxwatchevents", T_INT, 1,
	    INT_MAX, ONLY_NONE, NULL, NULL, true },
	[OXCONF_QUOTA_PATH_MAX] = { "quota-path-max", T_INT, 1, 2048,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_GC_MAX_OVERHEAD] = { "gc-max-overhead", T_INT, 0, INT_MAX,
	    ONLY_NONE, NULL, NULL, true },
	[OXCONF_TEST_EAGAIN] = { "test-eagain", T_BOOL, 0, 0, ONLY_FALSE,
	    NULL, "xstored has no mode that fails transactions at random",
	    false },
	[OXCONF_PERSISTENT] = { "persistent", T_BOOL, 0, 0, ONLY_FALSE, NULL,
	    "xstored keeps the store in memory only, as C xenstored since "
	    "4.18", false },
	[OXCONF_XENSTORED_LOG_FILE] = { "xenstored-log-file", T_TARGET, 0, 0,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_XENSTORED_LOG_LEVEL] = { "xenstored-log-level", T_LEVEL, 0, 0,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_XENSTORED_LOG_NB_FILES] = { "xenstored-log-nb-files", T_INT,
	    0, 1000, ONLY_NONE, NULL, NULL, false },
	[OXCONF_XENSTORED_LOG_NB_LINES] = { "xenstored-log-nb-lines", T_INT,
	    1, INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_XENSTORED_LOG_NB_CHARS] = { "xenstored-log-nb-chars", T_INT,
	    -1, INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_FILE] = { "access-log-file", T_TARGET, 0, 0,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_NB_FILES] = { "access-log-nb-files", T_INT, 0,
	    1000, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_NB_LINES] = { "access-log-nb-lines", T_INT, 1,
	    INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_NB_CHARS] = { "access-log-nb-chars", T_INT, -1,
	    INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_READ_OPS] = { "access-log-read-ops", T_BOOL, 0, 0,
	    ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_TRANSACTIONS_OPS] = { "access-log-transactions-ops",
	    T_BOOL, 0, 0, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ACCESS_LOG_SPECIAL_OPS] = { "access-log-special-ops", T_BOOL,
	    0, 0, ONLY_NONE, NULL, NULL, false },
	[OXCONF_ALLOW_DEBUG] = { "allow-debug", T_BOOL, 0, 0, ONLY_FALSE,
	    NULL, "xstored answers CONTROL (debug) requests from dom0 only",
	    false },
	[OXCONF_RING_SCAN_INTERVAL] = { "ring-scan-interval", T_INT, INT_MIN,
	    INT_MAX, ONLY_NONE, NULL, NULL, false },
	[OXCONF_PID_FILE] = { "pid-file", T_PATH, 0, 0, ONLY_NONE, NULL,
	    NULL, false },
	[OXCONF_XENSTORED_KVA] = { "xenstored-kva", T_PATH, 0, 0, ONLY_STRING,
	    "/proc/xen/xsd_kva", "xstored maps dom0's ring from "
	    "/proc/xen/xsd_kva only", false },
	[OXCONF_XENSTORED_PORT] = { "xenstored-port", T_PATH, 0, 0,
	    ONLY_STRING, "/proc/xen/xsd_port", "xstored reads dom0's port "
	    "from /proc/xen/xsd_port only", false },
};

static const struct {
	const char *name;
	int	    facility;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "kern", LOG_KERN }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 }, { "lpr", LOG_LPR }, { "mail", LOG_MAIL },
	{ "news", LOG_NEWS }, { "syslog", LOG_SYSLOG }, { "user", LOG_USER },
	{ "uucp", LOG_UUCP },
};

static const char *const levels[] = {
	[OXCONF_LEVEL_DEBUG] = "debug",
	[OXCONF_LEVEL_INFO] = "info",
	[OXCONF_LEVEL_WARN] = "warn",
	[OXCONF_LEVEL_ERROR] = "error",
	[OXCONF_LEVEL_NULL] = "null",
};

const char *
oxconf_key_name(enum oxconf_key k)
{
	return (unsigned int)k < OXCONF_KEY_COUNT ? keys[k].name : NULL;
}

bool
oxconf_key_moot(enum oxconf_key k)
{
	return (unsigned int)k < OXCONF_KEY_COUNT && keys[k].moot;
}

static int fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the message; returns EINVAL. */
static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return EINVAL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A plain decimal, '-' allowed first; in [min, max]. */
static bool
parse_long(const char *s, long min, long max, long *out)
{
	const char *p = s[0] == '-' ? s + 1 : s;
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Digits with at most one '.', at least one digit; no sign, exponent. */
static bool
parse_float(const char *s, double *out)
{
	unsigned int digits = 0, dots = 0;
	const char *p;
	char *end;

	for (p = s; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.')
			dots++;
		else
			return false;
	}
	if (digits == 0 || dots > 1)
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

/* "syslog:NAME" (facility set, s NULL) or an absolute path (s set). */
static int
parse_target(TALLOC_CTX *ctx, const char *key, const char *val,
    struct oxconf_value *v, char *err, size_t errsz)
{
	static const char pre[] = "syslog:";
	size_t i;

	v->facility = -1;
	if (strncmp(val, pre, sizeof(pre) - 1) == 0) {
		for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]);
		    i++) {
			if (strcmp(val + sizeof(pre) - 1,
			    facilities[i].name) == 0) {
				v->facility = facilities[i].facility;
				return 0;
			}
		}
		return fail(err, errsz, "%s = %s: unknown syslog facility "
		    "'%s' (auth, authpriv, cron, daemon, ftp, kern, "
		    "local0-local7, lpr, mail, news, syslog, user, uucp)", key,
		    val, val + sizeof(pre) - 1);
	}
	if (val[0] != '/')
		return fail(err, errsz, "%s = %s: not an absolute path nor "
		    "syslog:FACILITY", key, val);
	v->s = talloc_strdup(ctx, val);
	return v->s != NULL ? 0 : ENOMEM;
}

/* Parses val for row k into v. Errors: EINVAL (message in err), ENOMEM. */
static int
parse_value(TALLOC_CTX *ctx, enum oxconf_key k, const char *val,
    struct oxconf_value *v, char *err, size_t errsz)
{
	const struct key_row *r = &keys[k];
	size_t i;

	switch (r->type) {
	case T_BOOL:
		if (strcmp(val, "true") == 0)
			v->b = true;
		else if (strcmp(val, "false") == 0)
			v->b = false;
		else
			return fail(err, errsz, "%s = %s: expected true or "
			    "false", r->name, val);
		if ((r->only == ONLY_TRUE && !v->b) ||
		    (r->only == ONLY_FALSE && v->b))
			return fail(err, errsz, "%s = %s is not supported: %s",
			    r->name, val, r->why);
		return 0;
	case T_INT:
		if (!parse_long(val, r->min, r->max, &v->i))
			return fail(err, errsz, "%s = %s: expected a whole "
			    "number from %ld to %ld%s", r->name, val, r->min,
			    r->max, r->min == 1 ? " (0 would mean 'none "
			    "allowed' to oxenstored but 'no limit' to xstored)"
			    : "");
		return 0;
	case T_FLOAT:
		if (!parse_float(val, &v->f))
			return fail(err, errsz, "%s = %s: expected a decimal "
			    "number such as 5.0", r->name, val);
		return 0;
	case T_PATH:
		if (val[0] != '/')
			return fail(err, errsz, "%s = %s: not an absolute "
			    "path", r->name, val);
		if (r->only == ONLY_STRING && strcmp(val, r->only_s) != 0)
			return fail(err, errsz, "%s = %s is not supported: %s",
			    r->name, val, r->why);
		v->s = talloc_strdup(ctx, val);
		return v->s != NULL ? 0 : ENOMEM;
	case T_TARGET:
		return parse_target(ctx, r->name, val, v, err, errsz);
	case T_LEVEL:
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
			if (strcmp(val, levels[i]) == 0) {
				v->i = (long)i;
				return 0;
			}
		}
		return fail(err, errsz, "%s = %s: expected debug, info, warn, "
		    "error or null", r->name, val);
	}
	return fail(err, errsz, "%s: internal error", r->name);
}

/*
 * One line, NUL-terminated, blanks already trimmed at both ends, neither
 * empty nor a comment.
 */
static int
parse_line(struct oxconf *c, char *s, unsigned int lineno, char *err,
    size_t errsz)
{
	char *eq, *key, *val, *end;
	unsigned int k;

	eq = strchr(s, '=');
	if (eq == NULL)
		return fail(err, errsz, "'%s': expected KEY = VALUE", s);
	key = s;
	for (end = eq; end > key && is_blank(end[-1]); end--)
		;
	*end = '\0';
	for (val = eq + 1; is_blank(*val); val++)
		;
	if (key[0] == '\0')
		return fail(err, errsz, "no key before '='");
	for (k = 0; k < OXCONF_KEY_COUNT; k++)
		if (strcmp(key, keys[k].name) == 0)
			break;
	if (k == OXCONF_KEY_COUNT)
		return fail(err, errsz, "unknown key '%s' (oxenstored would "
		    "ignore it; xstored refuses it so that a typo is not "
		    "silently lost)", key);
	if (c->given[k])
		return fail(err, errsz, "%s is set twice (first on line %u)",
		    key, c->line[k]);
	if (val[0] == '\0')
		return fail(err, errsz, "%s has no value", key);
	c->given[k] = true;
	c->line[k] = lineno;
	return parse_value(c, (enum oxconf_key)k, val, &c->v[k], err, errsz);
}

int
oxconf_parse(TALLOC_CTX *ctx, const char *text, size_t len,
    struct oxconf **out, unsigned int *line, char *err, size_t errsz)
{
	char buf[OXCONF_LINE_MAX];
	size_t pos = 0, n, b, e;
	struct oxconf *c;
	const char *nl;
	int rc;

	*out = NULL;
	*line = 0;
	if (errsz > 0)
		err[0] = '\0';
	if ((c = talloc_zero(ctx, struct oxconf)) == NULL)
		return ENOMEM;
	for (n = 0; n < OXCONF_KEY_COUNT; n++)
		c->v[n].facility = -1;
	while (pos < len) {
		++*line;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (memchr(text + pos, '\0', n) != NULL) {
			rc = fail(err, errsz, "a NUL byte: not a text file");
			goto out;
		}
		for (b = 0; b < n && is_blank(text[pos + b]); b++)
			;
		for (e = n; e > b && is_blank(text[pos + e - 1]); e--)
			;
		if (e - b >= sizeof(buf)) {
			rc = fail(err, errsz, "line longer than %d bytes",
			    OXCONF_LINE_MAX - 1);
			goto out;
		}
		memcpy(buf, text + pos + b, e - b);
		buf[e - b] = '\0';
		pos += n + (nl != NULL ? 1 : 0);
		if (buf[0] == '\0' || buf[0] == '#')
			continue;
		if ((rc = parse_line(c, buf, *line, err, errsz)) != 0)
			goto out;
	}
	*line = 0;
	*out = c;
	return 0;
out:
	talloc_free(c);
	if (rc == ENOMEM)
		*line = 0;
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oxconf: oxenstored's configuration file (/etc/xen/oxenstored.conf), read
 * from a buffer into typed settings. No I/O: the daemon reads the file
 * (daemon/oxconf_load.c) and applies what this returns.
 *
 * The syntax is oxenstored's: one "key = value" per line, blanks and tabs
 * around both ignored, blank lines and lines starting with '#' skipped.
 * Unlike oxenstored, which skips lines it cannot parse and only prints
 * unknown keys and bad values before going on, every mistake is an error
 * naming its line: an unknown key, a line without '=', a bad value, a key
 * given twice, and a value xstored cannot honour (say perms-activate =
 * false), with the reason.
 */
#ifndef OXCONF_OXCONF_H
#define OXCONF_OXCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

/* Every key oxenstored 4.17 knows, in its own order. */
enum oxconf_key {
	OXCONF_MERGE_ACTIVATE,
	OXCONF_CONFLICT_BURST_LIMIT,
	OXCONF_CONFLICT_MAX_HISTORY_SECONDS,
	OXCONF_CONFLICT_RATE_LIMIT_IS_AGGREGATE,
	OXCONF_PERMS_ACTIVATE,
	OXCONF_PERMS_WATCH_ACTIVATE,
	OXCONF_QUOTA_ACTIVATE,
	OXCONF_QUOTA_MAXWATCH,
	OXCONF_QUOTA_TRANSACTION,
	OXCONF_QUOTA_MAXENTITY,
	OXCONF_QUOTA_MAXSIZE,
	OXCONF_QUOTA_MAXREQUESTS,
	OXCONF_QUOTA_MAXOUTSTANDING,
	OXCONF_QUOTA_MAXWATCHEVENTS,
	OXCONF_QUOTA_PATH_MAX,
	OXCONF_GC_MAX_OVERHEAD,
	OXCONF_TEST_EAGAIN,
	OXCONF_PERSISTENT,
	OXCONF_XENSTORED_LOG_FILE,
	OXCONF_XENSTORED_LOG_LEVEL,
	OXCONF_XENSTORED_LOG_NB_FILES,
	OXCONF_XENSTORED_LOG_NB_LINES,
	OXCONF_XENSTORED_LOG_NB_CHARS,
	OXCONF_ACCESS_LOG_FILE,
	OXCONF_ACCESS_LOG_NB_FILES,
	OXCONF_ACCESS_LOG_NB_LINES,
	OXCONF_ACCESS_LOG_NB_CHARS,
	OXCONF_ACCESS_LOG_READ_OPS,
	OXCONF_ACCESS_LOG_TRANSACTIONS_OPS,
	OXCONF_ACCESS_LOG_SPECIAL_OPS,
	OXCONF_ALLOW_DEBUG,
	OXCONF_RING_SCAN_INTERVAL,
	OXCONF_PID_FILE,
	OXCONF_XENSTORED_KVA,
	OXCONF_XENSTORED_PORT,
	OXCONF_KEY_COUNT
};

/* xenstored-log-level's values, lowest first. */
enum oxconf_level {
	OXCONF_LEVEL_DEBUG,
	OXCONF_LEVEL_INFO,
	OXCONF_LEVEL_WARN,
	OXCONF_LEVEL_ERROR,
	OXCONF_LEVEL_NULL
};

/* One key's value; which member holds it depends on the key's type. */
struct oxconf_value {
	bool	 b;		/* true/false keys */
	long	 i;		/* whole numbers, the log level */
	double	 f;		/* conflict-burst-limit, -max-history-seconds */
	char	*s;		/* paths; for a log target: the file, or NULL */
	int	 facility;	/* log targets "syslog:NAME": LOG_* (else -1) */
};

struct oxconf {
	bool	 given[OXCONF_KEY_COUNT];	/* the file set the key */
	unsigned int line[OXCONF_KEY_COUNT];	/* where (1-based) */
	struct oxconf_value v[OXCONF_KEY_COUNT];
};

/* The key's name as written in the file ("quota-maxentity"). */
const char *oxconf_key_name(enum oxconf_key k);

/* True if the key is accepted but changes nothing in xstored. */
bool	oxconf_key_moot(enum oxconf_key k);

/*
 * Parses len bytes of text. On success *out (talloc'ed under ctx, its
 * strings under it) holds the keys given; the others are not given and
 * zero. Errors: EINVAL with the 1-based line in *line and a message
 * (naming the key, the value and why) in err; ENOMEM. *out is left NULL
 * on error.
 */
int	oxconf_parse(TALLOC_CTX *ctx, const char *text, size_t len,
	    struct oxconf **out, unsigned int *line, char *err, size_t errsz);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --config-file FILE: oxenstored's configuration, read and applied to
 * d->cfg, so that XENSTORED_ARGS="--config-file /etc/xen/oxenstored.conf"
 * keeps what an administrator tuned for oxenstored (docs/operations.md,
 * "Switching a Debian host from oxenstored to xstored and back").
 *
 * Order: options.c has parsed the command line; this reads the file
 * (whole, at most OXCONF_FILE_MAX bytes), has oxconf/ parse it, and fills
 * in every setting the command line left alone: the command line wins,
 * and oxconf_load_report() logs, once the log is open, which value
 * applied and where it came from. Any error (unreadable file, a line
 * oxconf/ refuses) is one line on stderr, "xstored: FILE:LINE: why", and
 * exit status 2, before anything starts.
 *
 * The mapping onto xstored (the values keep oxenstored's units):
 *   quota-maxentity -> nodes        quota-maxsize -> node-size
 *   quota-maxwatch -> watches       quota-transaction -> transactions
 *   quota-maxrequests -> transaction-nodes
 *   quota-maxoutstanding -> outstanding   quota-path-max -> path-max
 *   quota-activate = false -> nodes and node-size off (oxenstored's
 *   switch covers only those two checks)
 *   pid-file, access-log-*, xenstored-log-*, ring-scan-interval: the
 *   same meaning (a ring-scan-interval of 0, every loop turn to
 *   oxenstored, is 1 s here).
 * Keys accepted with no effect (oxconf_key_moot) are listed in one log
 * line; xstored(8) says why each is moot.
 *
 * State: none; the parsed file hangs from the daemon (cfg.oxconf).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "oxconf/oxconf.h"

#define OXCONF_FILE_MAX	(1024 * 1024)	/* far above any real file */

/* oxenstored's defaults (logging.ml) for what the file leaves out. */
#define OX_ACCESS_LOG	"/var/log/xen/xenstored-access.log"
#define OX_ACCESS_NB_FILES	20
#define OX_ACCESS_NB_LINES	13215
#define OX_ACCESS_NB_CHARS	180
#define OX_LOG_NB_FILES		10
#define OX_LOG_NB_LINES		13215

static const struct {
	enum oxconf_key key;
	enum store_quota q;
} quota_map[] = {
	{ OXCONF_QUOTA_MAXENTITY, STORE_QUOTA_NODES },
	{ OXCONF_QUOTA_MAXSIZE, STORE_QUOTA_NODE_SIZE },
	{ OXCONF_QUOTA_MAXWATCH, STORE_QUOTA_WATCHES },
	{ OXCONF_QUOTA_TRANSACTION, STORE_QUOTA_TRANSACTIONS },
	{ OXCONF_QUOTA_MAXREQUESTS, STORE_QUOTA_TRANSACTION_NODES },
	{ OXCONF_QUOTA_MAXOUTSTANDING, STORE_QUOTA_OUTSTANDING },
	{ OXCONF_QUOTA_PATH_MAX, STORE_QUOTA_PATH_MAX },
};
#define QUOTA_MAP_LEN	(sizeof(quota_map) / sizeof(quota_map[0]))

/*
 * Reads all of path into a buffer under ctx. Errors: errno of open or
 * read, EFBIG (over OXCONF_FILE_MAX), ENOMEM.
 */
static int
read_file(TALLOC_CTX *ctx, const char *path, char **out, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	ssize_t r;
	char *buf;
	int fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		err = errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = EISDIR;
		goto out;
	}
	cap = OXCONF_FILE_MAX + 1;	/* one more: to see a longer file */
	if ((buf = talloc_size(ctx, cap)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (err == 0 && n > OXCONF_FILE_MAX)
		err = EFBIG;
	if (err != 0) {
		talloc_free(buf);
		goto out;
	}
	*out = buf;
	*len = n;
out:
	close(fd);
	return err;
}

/*
 * The pid file's directory, as oxenstored makes it (/var/run/xen is on a
 * tmpfs); one level, 0755. A failure shows when the pid file is opened.
 */
static void
make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	(void)mkdir(dir, 0755);
}

static void
apply_quotas(struct daemon *d, const struct oxconf *c)
{
	unsigned int i;
	enum store_quota q;

	d->cfg.quota_cmdline = d->cfg.quota_given;
	for (i = 0; i < QUOTA_MAP_LEN; i++) {
		q = quota_map[i].q;
		if (!c->given[quota_map[i].key] ||
		    (d->cfg.quota_cmdline & (1u << q)))
			continue;
		d->cfg.quota[q] = (unsigned int)c->v[quota_map[i].key].i;
		d->cfg.quota_given |= 1u << q;
	}
	if (c->given[OXCONF_QUOTA_ACTIVATE] && !c->v[OXCONF_QUOTA_ACTIVATE].b) {
		if (!(d->cfg.quota_cmdline & (1u << STORE_QUOTA_NODES))) {
			d->cfg.quota[STORE_QUOTA_NODES] = 0;
			d->cfg.quota_given |= 1u << STORE_QUOTA_NODES;
		}
		if (!(d->cfg.quota_cmdline & (1u << STORE_QUOTA_NODE_SIZE))) {
			d->cfg.quota[STORE_QUOTA_NODE_SIZE] = 0;
			d->cfg.quota_given |= 1u << STORE_QUOTA_NODE_SIZE;
		}
	}
}

static void
apply_access_log(struct daemon *d, const struct oxconf *c)
{
	struct access_log_config *a = &d->cfg.access;

	a->nb_files = c->given[OXCONF_ACCESS_LOG_NB_FILES] ?
	    (unsigned int)c->v[OXCONF_ACCESS_LOG_NB_FILES].i :
	    OX_ACCESS_NB_FILES;
	a->nb_lines = c->given[OXCONF_ACCESS_LOG_NB_LINES] ?
	    (unsigned int)c->v[OXCONF_ACCESS_LOG_NB_LINES].i :
	    OX_ACCESS_NB_LINES;
	a->nb_chars = c->given[OXCONF_ACCESS_LOG_NB_CHARS] ?
	    (int)c->v[OXCONF_ACCESS_LOG_NB_CHARS].i : OX_ACCESS_NB_CHARS;
	a->read_ops = c->v[OXCONF_ACCESS_LOG_READ_OPS].b;
	a->tx_ops = c->v[OXCONF_ACCESS_LOG_TRANSACTIONS_OPS].b;
	a->special_ops = c->v[OXCONF_ACCESS_LOG_SPECIAL_OPS].b;
	a->facility = -1;
	if (d->cfg.no_access_log || d->cfg.access_log != NULL)
		return;
	/* oxenstored: 0 files kept means no access log file at all. */
	if (c->given[OXCONF_ACCESS_LOG_FILE] &&
	    c->v[OXCONF_ACCESS_LOG_FILE].facility != -1) {
		a->facility = c->v[OXCONF_ACCESS_LOG_FILE].facility;
		return;
	}
	if (a->nb_files == 0)
		return;
	d->cfg.access_log = c->given[OXCONF_ACCESS_LOG_FILE] ?
	    c->v[OXCONF_ACCESS_LOG_FILE].s :
	    talloc_strdup(d->ctx, OX_ACCESS_LOG);
}

static void
apply_log(struct daemon *d, const struct oxconf *c)
{
	struct log_config *l = &d->cfg.log;

	if (c->given[OXCONF_XENSTORED_LOG_FILE]) {
		if (c->v[OXCONF_XENSTORED_LOG_FILE].facility != -1)
			l->facility = c->v[OXCONF_XENSTORED_LOG_FILE].facility;
		else
			l->file = c->v[OXCONF_XENSTORED_LOG_FILE].s;
	}
	if (c->given[OXCONF_XENSTORED_LOG_LEVEL] && !d->cfg.verbose)
		l->level = (int)c->v[OXCONF_XENSTORED_LOG_LEVEL].i;
	l->nb_files = c->given[OXCONF_XENSTORED_LOG_NB_FILES] ?
	    (unsigned int)c->v[OXCONF_XENSTORED_LOG_NB_FILES].i :
	    OX_LOG_NB_FILES;
	l->nb_lines = c->given[OXCONF_XENSTORED_LOG_NB_LINES] ?
	    (unsigned int)c->v[OXCONF_XENSTORED_LOG_NB_LINES].i :
	    OX_LOG_NB_LINES;
	l->nb_chars = c->given[OXCONF_XENSTORED_LOG_NB_CHARS] ?
	    (int)c->v[OXCONF_XENSTORED_LOG_NB_CHARS].i : -1;
	/* oxenstored keeps no log file when it may keep none. */
	if (l->file != NULL && l->nb_files == 0)
		l->level = OXCONF_LEVEL_NULL;
}

int
oxconf_load(struct daemon *d)
{
	const char *path = d->cfg.config_file;
	struct oxconf *c;
	unsigned int line;
	char err[512], *text = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(d->ctx, path, &text, &len);
	if (rc == ENOMEM)
		return 1;
	if (rc != 0) {
		fprintf(stderr, "xstored: --config-file %s: %s\n", path,
		    strerror(rc));
		return 2;
	}
	rc = oxconf_parse(d->ctx, text, len, &c, &line, err, sizeof(err));
	talloc_free(text);
	if (rc == ENOMEM)
		return 1;
	if (rc != 0) {
		fprintf(stderr, "xstored: %s:%u: %s\n", path, line, err);
		return 2;
	}
	if (d->cfg.config_test) {
		printf("Configuration valid at %s\n", path);
		return 0;
	}
	d->cfg.oxconf = c;
	apply_quotas(d, c);
	if (d->cfg.pid_file == NULL && c->given[OXCONF_PID_FILE]) {
		d->cfg.pid_file = c->v[OXCONF_PID_FILE].s;
		make_parent(d->cfg.pid_file);
	} else
		d->cfg.pid_file_cmdline = d->cfg.pid_file != NULL;
	d->cfg.access_log_cmdline = d->cfg.access_log != NULL;
	apply_access_log(d, c);
	if (d->cfg.access_log == NULL && !d->cfg.no_access_log &&
	    d->cfg.access.facility == -1 && d->cfg.access.nb_files != 0)
		return 1;	/* the default path's copy failed */
	apply_log(d, c);
	/* oxenstored scans on every loop turn for 0: our shortest is 1 s. */
	if (c->given[OXCONF_RING_SCAN_INTERVAL])
		d->cfg.ring_scan = c->v[OXCONF_RING_SCAN_INTERVAL].i < 0 ? -1 :
		    c->v[OXCONF_RING_SCAN_INTERVAL].i == 0 ? 1 :
		    (int)c->v[OXCONF_RING_SCAN_INTERVAL].i;
	return OPTIONS_RUN;
}

void
oxconf_load_report(struct daemon *d)
{
	const struct oxconf *c = d->cfg.oxconf;
	const char *path = d->cfg.config_file;
	char moot[512];
	unsigned int i, k;
	enum store_quota q;
	size_t o = 0;

	if (c == NULL)
		return;
	log_info("configuration: %s (oxenstored's format)", path);
	for (i = 0; i < QUOTA_MAP_LEN; i++) {
		k = quota_map[i].key;
		q = quota_map[i].q;
		if (!c->given[k])
			continue;
		if (d->cfg.quota_cmdline & (1u << q))
			log_info("%s:%u: %s = %ld overridden by the command "
			    "line: quota %s = %u", path, c->line[k],
			    oxconf_key_name(k), c->v[k].i, store_quota_name(q),
			    d->cfg.quota[q]);
		else
			log_info("%s:%u: %s = %ld applied as quota %s = %u",
			    path, c->line[k], oxconf_key_name(k), c->v[k].i,
			    store_quota_name(q), d->cfg.quota[q]);
	}
	k = OXCONF_QUOTA_ACTIVATE;
	if (c->given[k] && !c->v[k].b)
		log_info("%s:%u: quota-activate = false: quotas nodes = %u, "
		    "node-size = %u (0: off)", path, c->line[k],
		    d->cfg.quota[STORE_QUOTA_NODES],
		    d->cfg.quota[STORE_QUOTA_NODE_SIZE]);
	k = OXCONF_PID_FILE;
	if (c->given[k] && d->cfg.pid_file_cmdline)
		log_info("%s:%u: pid-file = %s overridden by the command "
		    "line: %s", path, c->line[k], c->v[k].s, d->cfg.pid_file);
	k = OXCONF_ACCESS_LOG_FILE;
	if (c->given[k] && (d->cfg.no_access_log ||
	    d->cfg.access_log_cmdline))
		log_info("%s:%u: access-log-file overridden by the command "
		    "line: %s", path, c->line[k], d->cfg.no_access_log ?
		    "--no-access-log" : d->cfg.access_log);
	k = OXCONF_RING_SCAN_INTERVAL;
	if (c->given[k] && d->cfg.ring_scan < 0)
		log_info("%s:%u: ring-scan-interval = %ld: rings are not "
		    "scanned (only notifications are served)", path,
		    c->line[k], c->v[k].i);
	else if (c->given[k])
		log_info("%s:%u: ring-scan-interval = %ld: rings scanned every "
		    "%d s", path, c->line[k], c->v[k].i, d->cfg.ring_scan);
	if (d->cfg.no_access_log)
		log_info("access log: off (--no-access-log)");
	else if (d->cfg.access.facility != -1)
		log_info("access log: syslog (%s:%u)", path,
		    c->line[OXCONF_ACCESS_LOG_FILE]);
	else if (d->cfg.access_log != NULL)
		log_info("access log: %s (%s)", d->cfg.access_log,
		    c->given[OXCONF_ACCESS_LOG_FILE] &&
		    d->cfg.access_log == c->v[OXCONF_ACCESS_LOG_FILE].s ?
		    "access-log-file" : d->cfg.access_log_cmdline ?
		    "--access-log" : "oxenstored's default");
	moot[0] = '\0';
	for (k = 0; k < OXCONF_KEY_COUNT; k++) {
		if (!c->given[k] || !oxconf_key_moot((enum oxconf_key)k))
			continue;
		o += (size_t)snprintf(moot + o, sizeof(moot) - o, "%s%s",
		    o == 0 ? "" : ", ", oxconf_key_name((enum oxconf_key)k));
		if (o >= sizeof(moot))
			break;
	}
	if (moot[0] != '\0')
		log_info("%s: accepted with no effect in xstored (see "
		    "xstored(8)): %s", path, moot);
}

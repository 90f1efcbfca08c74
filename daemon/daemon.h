/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon as a whole: struct daemon, the one place that holds mutable
 * state, passed explicitly to every function of daemon/. Prototypes of the
 * small modules are grouped by the file that owns them; connections,
 * dispatch and the hypervisor layer have headers of their own.
 *
 * The talloc tree: daemon->ctx -> store, connections (-> their watches,
 * transactions, queued output and per-request contexts).
 */
#ifndef DAEMON_DAEMON_H
#define DAEMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

#include "protocol/wire.h"
#include "store/store.h"

struct conn;
struct daemon;
struct domain;
struct oxconf;
struct hypervisor_ops;
struct store;
struct state_image;

/*
 * The server features we advertise (GET_FEATURE without a domid):
 * RECONNECTION | ERROR | WATCHDEPTH | DOMID_ANY = 15.
 */
#define DAEMON_FEATURES	(XENSTORE_SERVER_FEATURE_RECONNECTION | \
			 XENSTORE_SERVER_FEATURE_ERROR | \
			 XENSTORE_SERVER_FEATURE_WATCHDEPTH | \
			 XENSTORE_SERVER_FEATURE_DOMID_ANY)

/* Default socket path when neither XENSTORED_PATH nor _RUNDIR is set. */
#define DAEMON_RUNDIR_DEFAULT	"/var/run/xenstored"
#define WATCH_EVENT_TIMEOUT_DEFAULT	20	/* s, as the C daemon */

/*
 * A readiness callback registered with the loop. The loop hands events to
 * ready(); the object behind it must stay allocated until the loop's
 * phase 4 (see loop.c), because one epoll batch may still name it after it
 * was marked closing.
 */
struct loop_source {
	int	 fd;
	uint32_t events;	/* EPOLL* bits currently registered */
	void	(*ready)(struct daemon *d, void *obj, uint32_t events);
	void	*obj;
};

/*
 * The access log's shape: oxenstored's access-log-* keys. Without
 * --config-file, --access-log logs every request and never rotates (the
 * defaults daemon_new() sets); with it, oxenstored's defaults apply.
 */
struct access_log_config {
	int	 facility;	/* access-log-file = syslog:F: LOG_*; else -1 */
	unsigned int nb_files;	/* files kept by rotation (FILE, FILE.1...) */
	unsigned int nb_lines;	/* lines written before rotating; 0: never */
	int	 nb_chars;	/* longest line, ".." included; <= 0: any */
	bool	 read_ops;	/* read, directory, getperms, ENOENT errors */
	bool	 tx_ops;	/* t start, t end */
	bool	 special_ops;	/* introduce, release, getdomain, ... */
};

/* The daemon's own log: oxenstored's xenstored-log-* keys (log.c). */
struct log_config {
	char	*file;		/* a file instead of syslog, or NULL */
	int	 facility;	/* syslog facility (LOG_DAEMON) */
	int	 level;		/* OXCONF_LEVEL_*, or -1: ours (info, -V) */
	unsigned int nb_files;	/* rotation of file: files kept */
	unsigned int nb_lines;	/* lines before rotating; 0: never */
	int	 nb_chars;	/* longest line; <= 0: any */
};

/* What the command line and the environment chose; fixed after start. */
struct daemon_config {
	char	*socket_path;	/* talloc'ed under the daemon */
	char	*pid_file;	/* NULL: none */
	char	*trace_file;	/* -T, absolute (logs_path()), or NULL */
	char	*access_log;	/* --access-log, absolute, or NULL */
	struct access_log_config access;
	struct log_config log;
	char	*config_file;	/* --config-file: oxenstored.conf, or NULL */
	bool	 config_test;	/* --config-test: check the file and exit */
	bool	 no_access_log;	/* --no-access-log */
	bool	 disable_socket; /* --disable-socket: no Unix socket */
	unsigned int trace_flags; /* TRACE_* after --trace-control */
	bool	 foreground;	/* -N */
	bool	 verbose;	/* -V */
	bool	 output_pid;	/* -P: print the daemon's pid on stdout */
	bool	 no_domain_init; /* -D (4.17): do not introduce dom0 */
	bool	 live_update;	/* -U: restore from the live-update dump */
	const struct hypervisor_ops *hv;
	char	*hv_arg;	/* sim: the directory */
	bool	 hv_chosen;	/* --hypervisor given, not the default */
	bool	 keep_orphans;	/* -K: a dead domain's nodes go to dom0 */
	unsigned int master_domid; /* --master-domid: the store's domid (0) */
	unsigned int priv_domid; /* --priv-domid: the privileged domain (0) */
	unsigned int event_port; /* --event: stubdom only; unused here */
	unsigned int watch_event_timeout; /* -w watch-event=, s; 0: never */
	int	 ring_scan;	/* s between ring scans; 0: ours; -1: none */
	/* -E -S -W -t -A -M -Q -q: global quota defaults, set at start. */
	unsigned int quota[STORE_QUOTA_COUNT];
	unsigned int quota_given;	/* bit q set: quota[q] was given */
	unsigned int quota_cmdline;	/* the same, by the command line */
	bool	 pid_file_cmdline; /* --pid-file given (over the file's) */
	bool	 access_log_cmdline; /* --access-log given (the same) */
	const struct oxconf *oxconf;	/* --config-file's settings */
};

struct daemon {
	TALLOC_CTX	*ctx;
	struct daemon_config cfg;
	struct store	*store;
	void		*hv_state;	/* owned by the hypervisor backend */
	bool		 hv_ready;	/* init() succeeded: fini() is due */

	int		 epfd;
	struct loop_source listen_src;
	struct loop_source signal_src;
	int		 pid_fd;	/* holds the pid file's lock, or -1 */
	bool		 accept_paused;	/* out of fds: listening fd muted */
	bool		 stopping;	/* SIGTERM/SIGINT seen */

	/*
	 * Connections. `conns` links every live one (for shutdown, never
	 * scanned per turn); `dirty` those with output queued since the last
	 * drain (loop phase 3); `closing` those waiting to be freed (phase 4).
	 */
	struct conn	*conns;
	struct conn	*dirty;
	struct conn	**dirty_tail;
	struct conn	*closing;
	struct conn	*again;		/* rings to service next turn */
	unsigned int	 nconns;
	unsigned long	 conn_seq;

	/*
	 * SET_FEATURE values for domains not yet introduced, indexed by
	 * domid; DAEMON_FEATURE_SET marks an entry as set. Allocated on the
	 * first SET_FEATURE (64 KiB).
	 */
	uint8_t		*features;

	/* domain.c: introduced domains (tables allocated on first use). */
	struct domain	**domains;	/* by domid */
	struct domain	**ports;	/* by local event-channel port */
	struct domain	*domain_list;
	unsigned int	 ndomains;
	struct loop_source tick_src;	/* the periodic ring scan */

	bool		 collecting;	/* loop.c: removed nodes left to free */

	/*
	 * lu.c: the live-update session (NULL: none) and main()'s argv,
	 * which the exec reuses. hv_inherit_fd: with -U, the event-channel
	 * (or simulator) fd the old process left open, for the backend's
	 * init(); -1 otherwise.
	 */
	struct lu_session *lu;
	int		 argc;
	char		**argv;
	int		 hv_inherit_fd;
	struct state_image *lu_image;	/* lu_restore.c: the dump read */
	char		*lu_dump;	/* and its path */

	/* prio.c: guests held back for a starving toolstack transaction,
	   and socket clients whose TRANSACTION_START waits its turn. */
	bool		 prio_holding;
	uint64_t	 prio_since_ms;
	struct conn	*tx_waiters;

	/*
	 * trace.c, access_log.c: the -T trace and the access log. Paths are
	 * absolute; fds are -1 while closed. CONTROL logfile/log change the
	 * trace's path and switches; SIGHUP reopens both (logs.c).
	 */
	char		*trace_path;
	int		 trace_fd;
	unsigned int	 trace_flags;	/* TRACE_* */
	bool		 trace_broken;	/* wanted, but open or write failed */
	int		 access_fd;
	bool		 access_broken;	/* the same for the access log */
	bool		 access_syslog;	/* the access log goes to syslog */
	unsigned int	 access_lines;	/* written since the last rotation */
};
#define DAEMON_FEATURE_SET	0x80

/* The version --version prints (the Makefile reads debian/changelog). */
#ifndef XSTORED_VERSION
#define XSTORED_VERSION	"unknown"
#endif

/* options.c */
#define OPTIONS_RUN	(-1)
/*
 * Parses argv and the environment into d->cfg. Returns OPTIONS_RUN to go
 * on, or the status to exit with at once: 0 after --help, 2 after a usage
 * error (reported on stderr), 1 on ENOMEM.
 */
int	options_parse(struct daemon *d, int argc, char **argv);

/* oxconf_load.c: --config-file */
/*
 * Reads cfg.config_file (oxenstored.conf) and applies it to d->cfg where
 * the command line left a setting alone; logs, once the log is open, what
 * came from where (oxconf_load_report). Returns OPTIONS_RUN, or 2 after a
 * message on stderr naming the file and line (unreadable file, unknown
 * key, bad or unsupported value), 1 on ENOMEM, 0 after --config-test.
 */
int	oxconf_load(struct daemon *d);
/* Logs the settings the file gave and those the command line overrode. */
void	oxconf_load_report(struct daemon *d);

/*
 * log.c: syslog (ident "xstored", LOG_DAEMON). LOG_OPEN_FOREGROUND copies
 * every message to stderr too (unless stderr is the journal, which has
 * them already); LOG_OPEN_STARTING, for the original process of a forking
 * start, copies only warnings and errors there and keeps the rest quiet.
 */
#define LOG_OPEN_DAEMON		0
#define LOG_OPEN_FOREGROUND	1
#define LOG_OPEN_STARTING	2
void	log_open(int mode, bool verbose);
/*
 * Applies oxenstored's xenstored-log-* settings (a facility, a level, a
 * file instead of syslog, rotated). Errors: errno of opening the file;
 * the log stays on syslog then.
 */
int	log_configure(const struct log_config *lc);
/* SIGHUP: reopens the log file by name, if there is one. */
void	log_reopen(void);
void	log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * Writes a printable, bounded rendering of untrusted bytes into out (always
 * NUL-terminated, at most outsz - 1 characters): printable ASCII as is,
 * anything else as \xNN, "..." appended when cut short. Returns out.
 */
char	*log_sample(const void *buf, size_t len, char *out, size_t outsz);
#define LOG_SAMPLE_SIZE	128	/* a good outsz for log_sample() */

/* daemon.c */
/* A zeroed daemon record (its own talloc root), every fd -1. */
struct daemon *daemon_new(void);

/* loop.c */
/* Creates the epoll set. Errors: the errno of epoll_create1. */
int	loop_init(struct daemon *d);
/* Registers fd with events; src must outlive the registration. */
int	loop_add(struct daemon *d, struct loop_source *src, int fd,
	    uint32_t events, void (*ready)(struct daemon *, void *, uint32_t),
	    void *obj);
/* Changes the registered events (no-op if unchanged). Errors: errno. */
int	loop_modify(struct daemon *d, struct loop_source *src,
	    uint32_t events);
/* Unregisters src (the fd stays open: its owner closes it). */
void	loop_remove(struct daemon *d, struct loop_source *src);
/* Runs turns until d->stopping. Returns 0, or an errno of epoll_wait. */
int	loop_run(struct daemon *d);
void	loop_fini(struct daemon *d);

/* listen.c */
/* Creates, binds (0600) and listens on cfg.socket_path. Errors: errno. */
int	listen_open(struct daemon *d);
/* Registers the listening socket with the loop (after any fork). */
int	listen_start(struct daemon *d);
/* Accepts again after running out of fds paused it (a client left). */
void	listen_resume(struct daemon *d);
/* Closes the listening socket and unlinks its path. */
void	listen_close(struct daemon *d);

/* trace.c: the -T trace, in the C daemon's format */
#define TRACE_OBJ	0x01	/* connections created, reset, destroyed */
#define TRACE_IO	0x02	/* every packet in and out */
#define TRACE_WRL	0x04	/* (C: write rate limiting; nothing here) */
#define TRACE_ACC	0x08	/* (C: accounting; nothing here) */
#define TRACE_TDB	0x10	/* (C: database; nothing here) */
#define TRACE_DEFAULT	(TRACE_OBJ | TRACE_IO)
/* Applies "+sw" or "-sw" to *flags. Errors: EINVAL (unknown switch). */
int	trace_switch(unsigned int *flags, const char *arg);
/* "name: on|off" lines for CONTROL log, talloc'ed under ctx, or NULL. */
char	*trace_describe(TALLOC_CTX *ctx, unsigned int flags);
/*
 * Makes path (absolute) the trace file, appending to it; the old one is
 * closed only once the new one is open. Errors: errno of open, ENOMEM;
 * nothing changes then.
 */
int	trace_open(struct daemon *d, const char *path);
void	trace_close(struct daemon *d);
void	trace_packet(struct daemon *d, const struct conn *c, const char *dir,
	    const struct xsd_sockmsg *hdr, const char *payload);
/*
 * "obj: <what> connection connN (dD)[ <detail>]": what is CREATE, DESTROY
 * or RECONNECT; detail (our own text, may be NULL) must fit one line.
 */
void	trace_conn(struct daemon *d, const struct conn *c, const char *what,
	    const char *detail);
/* Writes one line "<prefix>: <text>" (text sanitised). */
void	trace_text(struct daemon *d, const char *prefix, const char *text);

/* access_log.c: the access log, in oxenstored's format */
/*
 * (Re)opens cfg.access_log for appending; the old fd is closed only once
 * the new one is open. Errors: errno of open; nothing changes then.
 */
int	access_log_open(struct daemon *d);
void	access_log_close(struct daemon *d);
void	access_log_request(struct daemon *d, const struct conn *c,
	    const struct xsd_sockmsg *hdr, const char *payload);
void	access_log_reply(struct daemon *d, const struct conn *c,
	    const struct xsd_sockmsg *hdr, const char *payload);
void	access_log_conn(struct daemon *d, const struct conn *c, bool created);
/* A transaction's commit: "commit", or "conflict" when it failed (EAGAIN). */
void	access_log_tx(struct daemon *d, const struct conn *c, uint32_t tx_id,
	    bool committed);

/*
 * logs.c: the trace and the access log together. The hooks are what
 * conn.c and dispatch.c call; each costs one test while both logs are
 * closed.
 */
#define LOGS_LIB_DIR	"/var/lib/xen/xenstore"	/* for relative names */
/*
 * Writes all of buf to fd, retrying short writes; on failure logs once
 * (until a write works again, *broken stays true) and drops the line.
 */
void	logs_write_all(int fd, const char *buf, size_t len, const char *what,
	    const char *path, bool *broken);
/* The time as oxenstored writes it: "20250101T12:00:00.123Z" (UTC). */
void	logs_date(char *out, size_t outsz);
/*
 * oxenstored's line cap: a line longer than nb_chars - 1 is cut to that
 * length, its last two characters "..". Returns the new length (<= len).
 */
size_t	logs_cut(char *line, size_t len, int nb_chars);
/*
 * oxenstored's rotation: FILE.(n-1) -> FILE.n ... FILE -> FILE.1, keeping
 * nb_files in all, then *fd is a new, empty FILE (created with mode).
 * Failures are logged; the old fd goes on if no new file can be made.
 */
void	logs_rotate(const char *path, unsigned int nb_files, int *fd,
	    mode_t mode);
/*
 * An absolute path for a log file name: relative names go under
 * LOGS_LIB_DIR, as the C daemon's. Errors: EINVAL (empty), ENOMEM.
 */
int	logs_path(TALLOC_CTX *ctx, const char *name, char **out);
/* Opens the files the command line named; failures are logged only. */
void	logs_start(struct daemon *d);
/* SIGHUP: reopens both files by name (after rotation). */
void	logs_reopen(struct daemon *d);
void	logs_stop(struct daemon *d);
/* A complete request, before it runs. */
void	logs_packet_in(struct daemon *d, const struct conn *c,
	    const struct xsd_sockmsg *hdr, const char *payload);
/* A packet queued for the client (reply, error or watch event). */
void	logs_packet_out(struct daemon *d, const struct conn *c,
	    const struct xsd_sockmsg *hdr, const char *payload);
/* A connection made (after its identity is set) or freed. */
void	logs_conn(struct daemon *d, const struct conn *c, bool created);

/* notify.c: readiness for systemd (sd_notify), a no-op without it */
/* READY=1 once the daemon answers requests. */
void	notify_ready(struct daemon *d);
/* STOPPING=1 when a signal asked us to stop. */
void	notify_stopping(void);

/* signals.c */
/* Ignores SIGPIPE; routes SIGTERM, SIGINT, SIGHUP to a signalfd. */
int	signals_init(struct daemon *d);
void	signals_fini(struct daemon *d);

/* domain.c */
/* INTRODUCE: maps, binds, connects, fires @introduceDomain. Errors: errno. */
int	domain_introduce(struct daemon *d, unsigned int domid,
	    unsigned long gfn, unsigned int port);
/*
 * Live update: takes over domid's ring on its existing local port (no
 * bind, nothing written to the page, no event). Errors: errno.
 */
int	domain_restore(struct daemon *d, unsigned int domid,
	    unsigned int port, unsigned int target, struct conn **out);
/* The local port of an introduced domain (0 if none). */
unsigned int domain_port(const struct daemon *d, unsigned int domid);
/* At start: connects dom0's own kernel ring if the backend has one. */
int	domain_start(struct daemon *d);
/* RELEASE: forgets the domain, fires @releaseDomain. Errors: ENOENT. */
int	domain_release(struct daemon *d, unsigned int domid);
/* RESUME: the next shutdown is reported again. Errors: ENOENT. */
int	domain_resume(struct daemon *d, unsigned int domid);
/* SET_TARGET: domid acts as target too. Errors: ENOENT. */
int	domain_set_target(struct daemon *d, unsigned int domid,
	    unsigned int target);
bool	domain_introduced(const struct daemon *d, unsigned int domid);
/* The ring connection of an introduced domain, or NULL. */
struct conn *domain_conn(const struct daemon *d, unsigned int domid);
/* From the backend: an event-channel notification on a local port. */
void	domain_event(struct daemon *d, unsigned int port);
/* From the backend: VIRQ_DOM_EXC: rescan the domains' states. */
void	domain_exc(struct daemon *d);
/* The store's existence oracle (arg: the daemon). */
bool	domain_exists(unsigned int domid, void *arg);
/* Stops the periodic scan (at exit). */
void	domain_fini(struct daemon *d);
/* Asks the next loop turn to service every introduced domain's ring. */
void	domain_again_all(struct daemon *d);

/* prio.c */
/* Must this ring connection's requests wait (XSA-206)? Notes the hold. */
bool	prio_holds(struct daemon *d, const struct conn *c);
/* The epoll timeout (ms, -1 none) given the loop's own (0 or -1). */
int	prio_timeout(struct daemon *d, int timeout);
/* End of each loop turn: releases held guests when the hold is over. */
void	prio_check(struct daemon *d);
/*
 * Must this socket client's TRANSACTION_START wait (a prioritised
 * transaction would make it fail)? Notes the wait; prio_check() lets it
 * run later, at most TX_WAIT_MAX_MS (10 ms) later.
 */
bool	prio_start_waits(struct daemon *d, struct conn *c);
/* A closing connection leaves the waiters. */
void	prio_forget(struct daemon *d, struct conn *c);

/* lu.c: live update (docs/live-update.md) */
/* Loop, end of each turn: starts a pending update when it may. */
void	lu_check(struct daemon *d);
/* The epoll timeout (ms) given the loop's own, while an update waits. */
int	lu_timeout(struct daemon *d, int timeout);
/* Must this TRANSACTION_START wait (an update is pending)? */
bool	lu_holds_start(const struct daemon *d, const struct conn *c);
/* A closing connection ends the session it owns. */
void	lu_forget(struct daemon *d, struct conn *c);
/* <rundir>/state_dump, talloc'ed under ctx, or NULL (ENOMEM). */
char	*lu_dump_path(TALLOC_CTX *ctx);

/* lu_dump.c */
/*
 * Writes the whole state to path (0600) in Xen's stream, with "OK"
 * queued for the requester (hdr: its -s request). Errors: errno, with a
 * reason in why.
 */
int	lu_dump(struct daemon *d, const char *path, const struct conn *req_conn,
	    const struct xsd_sockmsg *req_hdr, char *why, size_t whysz);

/* lu_restore.c */
/*
 * -U: reads and deletes the dump (its GLOBAL record first: the listening
 * socket and d->hv_inherit_fd), before the hypervisor backend starts.
 * Errors: errno, with a reason in why; then nothing was changed.
 */
int	lu_restore_read(struct daemon *d, char *why, size_t whysz);
/* Then, with the backend up: the store, domains, connections, watches. */
int	lu_restore_apply(struct daemon *d, char *why, size_t whysz);

/* daemonize.c */
/*
 * Opens (creating) the pid file, if one was asked for. *busy: another
 * process holds its lock; then we must not touch its socket: exit 0
 * quietly, as the C daemon does. Errors: errno of open/lockf.
 */
int	daemonize_pidfile_open(struct daemon *d, bool *busy);
/*
 * Double fork, setsid, chdir /, stdio to /dev/null. Returns 0 in the
 * daemon; the original process waits for daemonize_ready() and exits.
 * Errors: errno (still in the original process).
 */
int	daemonize(struct daemon *d, int *ready_fd);
/* Locks and writes the pid file (if any), in the daemon. Errors: errno. */
int	daemonize_pidfile(struct daemon *d);
/*
 * Tells the waiting original process the daemon's start-up result: 0 (it
 * exits 0, printing the daemon's pid for -P), or an errno and why, which
 * it prints before exiting 1. ready_fd -1 (no fork): nothing to do.
 */
#define DAEMONIZE_WHY_MAX	256
void	daemonize_ready(int ready_fd, int err, const char *why);
/* Unlinks the pid file at a clean exit. */
void	daemonize_fini(struct daemon *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xstored's entry point: the start-up order and the shutdown.
 *
 * Start-up does what can fail while still attached to the caller's
 * terminal: options, log, pid file, store (with the quotas the options
 * gave), the trace and access log, loop, the socket (bound before the fork,
 * so a client that connects early just waits in the backlog). Then it
 * forks (unless -N) and, in the daemon process: the hypervisor backend
 * and dom0's own ring (after the fork, as the C daemon does: libxencall's
 * hypercall buffers are MADV_DONTFORK and would vanish from the child),
 * the pid file, the signalfd, listening, and readiness: to systemd
 * (READY=1) and to the waiting original process, in that order, so
 * whoever hears first can connect. That process prints nothing unless
 * the start fails, then the daemon's reason and exit status 1.
 *
 * Live update (-U, docs/live-update.md): the same process after the old
 * daemon's exec, so no fork and no new socket: the listening socket,
 * the clients and the event-channel fd are inherited, named by the dump,
 * which is read before the backend starts and applied after it. A dump
 * that cannot be read or applied ends the process with status 1 and the
 * reason: better than serving an empty store to every guest.
 *
 * Shutdown (SIGTERM/SIGINT, after the current loop turn): connections
 * first (their watches and transactions are store objects), then the
 * socket path and pid file are removed, then the rest of the talloc tree;
 * exit status 0.
 *
 * State: the one struct daemon, created here and passed down.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"
#include "daemon/dispatch.h"
#include "daemon/hypervisor.h"
#include "store/store.h"

/*
 * The quota options become the store's global defaults. Domain 0 is known
 * from the store's creation with the built-in defaults; it gets the same
 * values, so GET_QUOTA and CONTROL quota agree for every domain.
 */
static void
apply_quotas(struct daemon *d)
{
	unsigned int q;

	for (q = 0; q < STORE_QUOTA_COUNT; q++) {
		if (!(d->cfg.quota_given & (1u << q)))
			continue;
		store_quota_set(d->store, (enum store_quota)q,
		    d->cfg.quota[q]);
		(void)store_domain_quota_set(d->store, 0, (enum store_quota)q,
		    d->cfg.quota[q]);
	}
}

/* Sets up everything that may fail; logs the reason. */
static int
start(struct daemon *d, char *why, size_t whysz)
{
	int err;

	if ((err = store_create(d->ctx, watch_deliver, d, &d->store)) != 0) {
		log_err("cannot create the store: %s", strerror(err));
		return err;
	}
	store_set_domain_oracle(d->store, domain_exists, d);
	apply_quotas(d);
	logs_start(d);
	if ((err = loop_init(d)) != 0) {
		log_err("cannot set up the event loop: %s", strerror(err));
		return err;
	}
	/* -U: the listening socket comes from the dump. */
	if (d->cfg.live_update) {
		if ((err = lu_restore_read(d, why, whysz)) != 0) {
			log_err("live-update: %s", why);
			return err;
		}
		if (d->listen_src.fd != -1)
			return 0;
	}
	/* --disable-socket (oxenstored's): the rings alone. */
	if (!d->cfg.disable_socket && (err = listen_open(d)) != 0)
		return err;
	return 0;
}

/*
 * The daemon process's part of start-up. Returns 0, or an errno with a
 * short reason in why (also logged) for the waiting original process.
 */
static int
serve(struct daemon *d, char *why, size_t whysz)
{
	const char *stage;
	int err;

	(void)snprintf(why, whysz, "hypervisor backend %s", d->cfg.hv->name);
	stage = why;
	if ((err = d->cfg.hv->init(d)) != 0)
		goto fail;
	d->hv_ready = true;
	/* -D (4.17): leave dom0's kernel ring alone. */
	/* -U: dom0's ring, like every other, comes from the dump. */
	stage = "dom0's ring";
	if (!d->cfg.no_domain_init && !d->cfg.live_update &&
	    (err = domain_start(d)) != 0)
		goto fail;
	stage = "pid file";
	if ((err = daemonize_pidfile(d)) != 0)
		goto fail;
	/*
	 * The signalfd is made only now: epoll reports a signalfd ready
	 * only for signals sent to the process that registered it.
	 */
	stage = "signals";
	if ((err = signals_init(d)) != 0)
		goto fail;
	why[0] = '\0';
	if (d->cfg.live_update &&
	    (err = lu_restore_apply(d, why, whysz)) != 0) {
		log_err("cannot start: live-update: %s", why);
		return err;
	}
	/* The socket opened or inherited (-U); none with --disable-socket. */
	stage = "socket";
	if (d->listen_src.fd != -1 && (err = listen_start(d)) != 0)
		goto fail;
	why[0] = '\0';
	return 0;
fail:
	if (stage != why)
		(void)snprintf(why, whysz, "%s", stage);
	/* Appends in place: why is at most whysz - 1 long already. */
	(void)snprintf(why + strlen(why), whysz - strlen(why), ": %s",
	    strerror(err));
	log_err("cannot start: %s", why);
	return err;
}

static void
stop(struct daemon *d)
{
	conn_free_all(d);
	domain_fini(d);
	if (d->hv_ready)
		d->cfg.hv->fini(d);
	d->hv_ready = false;
	listen_close(d);
	logs_stop(d);
	signals_fini(d);
	loop_fini(d);
	daemonize_fini(d);
	talloc_free(d);
}

int
main(int argc, char **argv)
{
	struct daemon *d;
	int status, err, ready_fd = -1;
	char why[DAEMONIZE_WHY_MAX];
	bool busy;

	if ((d = daemon_new()) == NULL) {
		fprintf(stderr, "xstored: out of memory\n");
		return 1;
	}
	d->argc = argc;
	d->argv = argv;
	status = options_parse(d, argc, argv);
	if (status != OPTIONS_RUN) {
		talloc_free(d);
		return status;
	}
	/* --config-file's xenstored-log-* first: the log is then opened so. */
	if ((err = log_configure(&d->cfg.log)) != 0) {
		fprintf(stderr, "xstored: xenstored-log-file %s: %s\n",
		    d->cfg.log.file, strerror(err));
		talloc_free(d);
		return 1;
	}
	/* -U without -N: we are the daemon already (the same process). */
	log_open(d->cfg.foreground ? LOG_OPEN_FOREGROUND :
	    d->cfg.live_update ? LOG_OPEN_DAEMON : LOG_OPEN_STARTING,
	    d->cfg.verbose);
	if ((err = daemonize_pidfile_open(d, &busy)) != 0 || busy) {
		/* If another instance runs, leave it its socket, quietly. */
		if (err != 0)
			log_err("pid file %s: %s", d->cfg.pid_file,
			    strerror(err));
		talloc_free(d);
		return err != 0 ? 1 : 0;
	}

	if ((err = start(d, why, sizeof(why))) != 0) {
		stop(d);
		return 1;
	}
	if (!d->cfg.foreground && !d->cfg.live_update &&
	    (err = daemonize(d, &ready_fd)) != 0) {
		log_err("cannot go to the background: %s", strerror(err));
		stop(d);
		return 1;
	}
	/* From here on we are the daemon process. */
	err = serve(d, why, sizeof(why));
	if (err == 0)
		notify_ready(d);
	daemonize_ready(ready_fd, err, why);
	if (err != 0) {
		stop(d);
		return 1;
	}
	if (d->cfg.foreground && d->cfg.output_pid) {
		printf("%ld\n", (long)getpid());
		(void)fflush(stdout);
	}
	/* Info lines: logged by the daemon, not the starting process. */
	oxconf_load_report(d);
	log_info("xstored %s: serving %s (hypervisor: %s)", XSTORED_VERSION,
	    d->cfg.disable_socket ? "no socket (--disable-socket)" :
	    d->cfg.socket_path, d->cfg.hv->name);

	err = loop_run(d);
	if (err != 0)
		log_err("event loop: %s", strerror(err));
	stop(d);
	return err != 0 ? 1 : 0;
}

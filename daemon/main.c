/*
 * xstored's entry point: the start-up order and the shutdown.
 *
 * Start-up does everything that can fail while still attached to the
 * caller's terminal: options, log, store, loop, the socket, the hypervisor
 * backend. Only then does it fork (unless -N), write the pid file, set up
 * the signalfd and report readiness to the waiting parent. The socket is bound
 * before the fork, so a client that connects early just waits in the
 * backlog.
 *
 * Shutdown (SIGTERM/SIGINT, after the current loop turn): connections
 * first (their watches and transactions are store objects), then the
 * socket path and pid file are removed, then the rest of the talloc tree.
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

static struct daemon *
daemon_new(void)
{
	struct daemon *d;

	d = talloc_zero(NULL, struct daemon);
	if (d == NULL)
		return NULL;
	d->ctx = d;
	d->epfd = -1;
	d->listen_src.fd = -1;
	d->signal_src.fd = -1;
	d->pid_fd = -1;
	d->dirty_tail = &d->dirty;
	return d;
}

/* Sets up everything that may fail; logs the reason. */
static int
start(struct daemon *d)
{
	int err;

	if ((err = store_create(d->ctx, watch_deliver, d, &d->store)) != 0) {
		log_err("cannot create the store: %s", strerror(err));
		return err;
	}
	store_set_domain_oracle(d->store, domain_exists, d);
	if ((err = loop_init(d)) != 0) {
		log_err("cannot set up the event loop: %s", strerror(err));
		return err;
	}
	if ((err = listen_open(d)) != 0)
		return err;
	if ((err = d->cfg.hv->init(d)) != 0) {
		log_err("hypervisor backend %s: %s", d->cfg.hv->name,
		    strerror(err));
		return err;
	}
	d->hv_ready = true;
	return 0;
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
	bool busy;

	if ((d = daemon_new()) == NULL) {
		fprintf(stderr, "xstored: out of memory\n");
		return 1;
	}
	status = options_parse(d, argc, argv);
	if (status != OPTIONS_RUN) {
		talloc_free(d);
		return status;
	}
	log_open(true, d->cfg.verbose);
	if (!d->cfg.hv_chosen && access("/dev/xen", F_OK) == 0)
		log_warn("/dev/xen exists, but Xen support is not built yet");
	if (d->cfg.trace_file != NULL)
		log_info("trace file %s: tracing is not supported yet, "
		    "ignored", d->cfg.trace_file);
	if ((err = daemonize_pidfile_open(d, &busy)) != 0 || busy) {
		/* If another instance runs, leave it its socket, quietly. */
		if (err != 0)
			log_err("pid file %s: %s", d->cfg.pid_file,
			    strerror(err));
		talloc_free(d);
		return err != 0 ? 1 : 0;
	}

	if ((err = start(d)) != 0) {
		stop(d);
		return 1;
	}
	if (!d->cfg.foreground && (err = daemonize(d, &ready_fd)) != 0) {
		log_err("cannot go to the background: %s", strerror(err));
		stop(d);
		return 1;
	}
	/*
	 * From here on we are the daemon process. The signalfd is made only
	 * now: epoll reports a signalfd ready only for signals sent to the
	 * process that registered it, which must be this one.
	 */
	if ((err = daemonize_pidfile(d)) != 0)
		log_err("pid file %s: %s", d->cfg.pid_file, strerror(err));
	if (err == 0 && (err = signals_init(d)) != 0)
		log_err("cannot set up signals: %s", strerror(err));
	if (err == 0 && (err = listen_start(d)) != 0)
		log_err("cannot watch the socket: %s", strerror(err));
	daemonize_ready(ready_fd, err);
	if (err != 0) {
		stop(d);
		return 1;
	}
	log_info("serving %s", d->cfg.socket_path);

	err = loop_run(d);
	if (err != 0)
		log_err("event loop: %s", strerror(err));
	stop(d);
	return err != 0 ? 1 : 0;
}

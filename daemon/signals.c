/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signals, without handlers: SIGPIPE is ignored (writes report EPIPE
 * instead), and SIGTERM, SIGINT and SIGHUP are blocked and read from a
 * signalfd in the loop, so nothing runs in signal context and no global
 * flag is needed.
 *
 * State: the signalfd (d->signal_src). SIGTERM and SIGINT set
 * d->stopping (and tell systemd we are stopping); the loop ends after the
 * current turn and main() cleans up: the socket and the pid file are
 * removed and the exit status is 0. SIGHUP reopens the trace and the
 * access log by name, for log rotation (logs.c).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon/daemon.h"

static void
signals_ready(struct daemon *d, void *obj, uint32_t events)
{
	struct signalfd_siginfo si;
	ssize_t n;

	(void)obj;
	(void)events;
	for (;;) {
		n = read(d->signal_src.fd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si))
			return;		/* EAGAIN: all read */
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: shutting down", si.ssi_signo == SIGTERM ?
			    "SIGTERM" : "SIGINT");
			notify_stopping();
			d->stopping = true;
			break;
		case SIGHUP:
			logs_reopen(d);
			break;
		default:
			break;
		}
	}
}

int
signals_init(struct daemon *d)
{
	struct sigaction sa;
	sigset_t set;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return errno;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return errno;
	err = loop_add(d, &d->signal_src, fd, EPOLLIN, signals_ready, NULL);
	if (err != 0) {
		close(fd);
		return err;
	}
	return 0;
}

void
signals_fini(struct daemon *d)
{
	if (d->signal_src.fd == -1)
		return;
	loop_remove(d, &d->signal_src);
	close(d->signal_src.fd);
	d->signal_src.fd = -1;
}

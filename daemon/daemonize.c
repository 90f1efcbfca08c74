/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Going to the background and the pid file.
 *
 * The classic double fork (fork, setsid, fork) detaches the daemon from
 * its terminal and session; it then moves to "/" and points stdio at
 * /dev/null. Everything that can fail at start-up (options, store, socket)
 * is done before, in the foreground, so errors reach the caller's terminal
 * and exit status. The original process does not exit at once: it waits
 * on a pipe until the daemon has written its pid file and listens, then
 * exits 0 (or 1 if the daemon could not), so an init script that reads the
 * pid file or connects right after we return finds them. The pipe carries
 * the daemon's pid too, which -P prints.
 *
 * The pid file is opened before the fork, so a bad path is reported on
 * the terminal, and locked with lockf() by the daemon itself after it
 * (locks are not inherited); it stays open (d->pid_fd). A second instance
 * sees the lock and leaves quietly, before touching the socket, as the C
 * daemon does.
 *
 * State: d->pid_fd. No globals.
 */
#define _GNU_SOURCE	/* pipe2, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon/daemon.h"

int
daemonize_pidfile_open(struct daemon *d, bool *busy)
{
	int fd;

	*busy = false;
	if (d->cfg.pid_file == NULL)
		return 0;
	fd = open(d->cfg.pid_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return errno;
	if (lockf(fd, F_TEST, 0) == -1) {
		if (errno == EACCES || errno == EAGAIN)
			*busy = true;
		close(fd);
		return *busy ? 0 : errno;
	}
	d->pid_fd = fd;
	return 0;
}

/*
 * What the daemon tells the original process: one pipe write, smaller
 * than PIPE_BUF, so all or nothing.
 */
struct ready_msg {
	int32_t	status;		/* 0: serving */
	int32_t	pid;
	char	why[DAEMONIZE_WHY_MAX];	/* NUL-terminated */
};

/* Waits for the daemon's start-up verdict; never returns. */
static void
wait_ready(int fd, bool output_pid)
{
	struct ready_msg m;
	ssize_t n;

	do {
		n = read(fd, &m, sizeof(m));
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(m) || m.status != 0) {
		m.why[sizeof(m.why) - 1] = '\0';
		if (n == (ssize_t)sizeof(m) && m.why[0] != '\0')
			fprintf(stderr, "xstored: %s\n", m.why);
		fprintf(stderr, "xstored: the daemon failed to start; "
		    "see the system log\n");
		_exit(1);
	}
	if (output_pid && (printf("%ld\n", (long)m.pid) < 0 ||
	    fflush(stdout) != 0))
		_exit(1);
	_exit(0);
}

static int
detach_stdio(void)
{
	int fd;

	fd = open("/dev/null", O_RDWR);
	if (fd == -1)
		return errno;
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return errno;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

int
daemonize(struct daemon *d, int *ready_fd)
{
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return errno;
	pid = fork();
	if (pid == -1) {
		err = errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid > 0) {
		close(p[1]);
		wait_ready(p[0], d->cfg.output_pid);
	}
	close(p[0]);
	if (setsid() == -1)
		_exit(1);
	pid = fork();
	if (pid == -1)
		_exit(1);
	if (pid > 0)
		_exit(0);	/* the session leader goes; the pipe stays */
	if (chdir("/") == -1 || detach_stdio() != 0) {
		daemonize_ready(p[1], errno != 0 ? errno : EIO,
		    "cannot detach from the terminal");
		_exit(1);
	}
	/* Log to syslog only from now on: stderr is /dev/null. */
	log_open(LOG_OPEN_DAEMON, d->cfg.verbose);
	*ready_fd = p[1];
	return 0;
}

int
daemonize_pidfile(struct daemon *d)
{
	char buf[32];
	int len, err;

	if (d->pid_fd == -1)
		return 0;
	/*
	 * Locks are per process: take it now, in the daemon itself. Losing
	 * the race to another instance leaves its file alone at exit.
	 */
	if (lockf(d->pid_fd, F_TLOCK, 0) == -1) {
		err = errno;
		close(d->pid_fd);
		d->pid_fd = -1;
		return err;
	}
	if (ftruncate(d->pid_fd, 0) == -1)
		return errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(d->pid_fd, buf, (size_t)len) != len)
		return errno != 0 ? errno : EIO;
	return 0;
}

void
daemonize_ready(int ready_fd, int err, const char *why)
{
	struct ready_msg m;
	ssize_t n;

	if (ready_fd == -1)
		return;
	memset(&m, 0, sizeof(m));
	m.status = err == 0 ? 0 : 1;
	m.pid = (int32_t)getpid();
	if (why != NULL)
		(void)snprintf(m.why, sizeof(m.why), "%s", why);
	/* Under PIPE_BUF: all or nothing. If it fails, the parent says so. */
	do {
		n = write(ready_fd, &m, sizeof(m));
	} while (n == -1 && errno == EINTR);
	close(ready_fd);
}

void
daemonize_fini(struct daemon *d)
{
	if (d->pid_fd == -1)
		return;
	if (unlink(d->cfg.pid_file) == -1 && errno != ENOENT)
		log_warn("cannot remove %s: %s", d->cfg.pid_file,
		    strerror(errno));
	close(d->pid_fd);
	d->pid_fd = -1;
}

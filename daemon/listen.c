/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The listening Unix socket: create it (directory included), accept
 * clients, remove it at exit.
 *
 * State: the listening fd (d->listen_src) and whether accepting is paused.
 *
 * The socket is mode 0600 from birth (bound under a 077 umask, so there
 * is no window with wider rights), the path is unlinked before binding as
 * the C daemon does, and the backlog is generous: hundreds of clients may
 * connect at once, where the C daemon's backlog of 1 makes them retry.
 *
 * Accepting is bounded per turn (LISTEN_ACCEPT_MAX). When the process
 * runs out of fds, accepting pauses (the fd would stay readable and spin
 * the loop) until a connection is freed in loop phase 4.
 */
#define _GNU_SOURCE	/* pipe2, accept4 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/daemon.h"

#define LISTEN_BACKLOG		128
#define LISTEN_ACCEPT_MAX	64	/* new clients per loop turn */
#define LISTEN_DIR_MODE		0755

/*
 * Creates the directories leading to path, as mkdir -p does, iteratively.
 * Errors: errno of mkdir, ENOMEM.
 */
static int
make_parents(struct daemon *d, const char *path)
{
	char *dir, *p;
	int err = 0;

	dir = talloc_strdup(d->ctx, path);
	if (dir == NULL)
		return ENOMEM;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		talloc_free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; err == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '\0') {
			if (mkdir(dir, LISTEN_DIR_MODE) == -1 &&
			    errno != EEXIST)
				err = errno;
			break;
		}
		*p = '\0';
		if (mkdir(dir, LISTEN_DIR_MODE) == -1 && errno != EEXIST)
			err = errno;
		*p = '/';
	}
	talloc_free(dir);
	return err;
}

int
listen_open(struct daemon *d)
{
	struct sockaddr_un sun;
	const char *path = d->cfg.socket_path;
	mode_t old;
	int fd, err;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("socket path too long: %s", path);
		return ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	if ((err = make_parents(d, path)) != 0) {
		log_err("cannot create the directory of %s: %s", path,
		    strerror(err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		err = errno;
		log_err("socket: %s", strerror(err));
		return err;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		err = errno;
		log_err("cannot remove the old %s: %s", path, strerror(err));
		close(fd);
		return err;
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		err = errno;
		umask(old);
		log_err("bind %s: %s", path, strerror(err));
		close(fd);
		return err;
	}
	umask(old);
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		err = errno;
		log_err("listen %s: %s", path, strerror(err));
		close(fd);
		unlink(path);
		return err;
	}
	d->listen_src.fd = fd;
	return 0;
}

static void
listen_ready(struct daemon *d, void *obj, uint32_t events)
{
	int fd, err, i;

	(void)obj;
	(void)events;
	for (i = 0; i < LISTEN_ACCEPT_MAX; i++) {
		fd = accept4(d->listen_src.fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			err = errno;
			if (err == EAGAIN || err == EWOULDBLOCK ||
			    err == EINTR || err == ECONNABORTED)
				return;
			if (err == EMFILE || err == ENFILE ||
			    err == ENOBUFS || err == ENOMEM) {
				log_warn("accept: %s; pausing until a client "
				    "leaves", strerror(err));
				if (loop_modify(d, &d->listen_src, 0) == 0)
					d->accept_paused = true;
				return;
			}
			log_warn("accept: %s", strerror(err));
			return;
		}
		if ((err = conn_new(d, fd)) != 0)
			log_warn("new connection: %s", strerror(err));
	}
}

int
listen_start(struct daemon *d)
{
	return loop_add(d, &d->listen_src, d->listen_src.fd, EPOLLIN,
	    listen_ready, NULL);
}

void
listen_resume(struct daemon *d)
{
	if (loop_modify(d, &d->listen_src, EPOLLIN) == 0) {
		d->accept_paused = false;
		log_debug("accepting clients again");
	}
}

void
listen_close(struct daemon *d)
{
	if (d->listen_src.fd == -1)
		return;
	loop_remove(d, &d->listen_src);
	close(d->listen_src.fd);
	d->listen_src.fd = -1;
	if (unlink(d->cfg.socket_path) == -1 && errno != ENOENT)
		log_warn("cannot remove %s: %s", d->cfg.socket_path,
		    strerror(errno));
}

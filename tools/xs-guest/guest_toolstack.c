/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_toolstack.c: the simulated toolstack's domain files.
 *
 * Job: create, change the state of, and destroy a simulated domain's
 * directory (DIR/dom<N>/: page, state; layout in guest_sim.h). Owns no
 * state; the files are the state.
 *
 * Atomicity, because the daemon may look at any moment: a domain exists
 * from the moment its directory does, so creation builds
 * DIR/.new-dom<N>-<pid>/ and renames it to DIR/dom<N> only once the page
 * and state are complete; the state is written to a temporary file and
 * renamed over the old one; destruction renames the directory to
 * DIR/.dead-dom<N>-<pid> first, so "directory gone" is one step.
 *
 * Must not: send datagrams (the caller sends dom_exc), touch the guest
 * socket except to remove it with the domain.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_toolstack.h"

/* Formats a path into buf (PATH_MAX bytes); ENAMETOOLONG if too long. */
static int __attribute__((format(printf, 2, 3)))
path_of(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		return ENAMETOOLONG;
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, b, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates path (which must not exist) holding exactly len bytes of buf. */
static int
write_new_file(const char *path, const void *buf, size_t len)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	err = write_all(fd, buf, len);
	if (close(fd) == -1 && err == 0)
		err = errno;
	if (err != 0)
		(void)unlink(path);
	return err;
}

/* Removes every entry of the directory at path, then the directory. */
static int
remove_dir(const char *path)
{
	char entry[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n, err;

	d = opendir(path);
	if (d == NULL)
		return errno;
	err = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n = snprintf(entry, sizeof(entry), "%s/%s", path,
		    de->d_name);
		if (n < 0 || n >= (int)sizeof(entry)) {
			err = ENAMETOOLONG;
			continue;
		}
		if (unlink(entry) == -1 && err == 0)
			err = (errno == EISDIR || errno == EPERM) ?
			    ENOTEMPTY : errno;
	}
	closedir(d);
	if (err == 0 && rmdir(path) == -1)
		err = errno;
	return err;
}

int
guest_toolstack_create(const char *dir, unsigned int domid,
    bool preset_reconnect)
{
	char final[PATH_MAX], tmp[PATH_MAX], file[PATH_MAX];
	char page[GUEST_RING_PAGE_SIZE];
	struct stat st;
	int err;

	err = path_of(final, "%s/dom%u", dir, domid);
	if (err == 0)
		err = path_of(tmp, "%s/.new-dom%u-%ld", dir, domid,
		    (long)getpid());
	if (err != 0)
		return err;
	if (lstat(final, &st) == 0)
		return EEXIST;
	if (errno != ENOENT)
		return errno;
	if (mkdir(tmp, 0700) == -1)
		return errno;

	memset(page, 0, sizeof(page));
	if (preset_reconnect)
		guest_ring_set_word(page, GUEST_RING_CONNECTION,
		    XENSTORE_RECONNECT);
	if ((err = path_of(file, "%s/page", tmp)) != 0 ||
	    (err = write_new_file(file, page, sizeof(page))) != 0 ||
	    (err = path_of(file, "%s/state", tmp)) != 0 ||
	    (err = write_new_file(file, "running", 7)) != 0)
		goto fail;
	/* Checked above; rename would only replace an empty directory. */
	if (rename(tmp, final) == -1) {
		err = errno;
		goto fail;
	}
	return 0;

fail:
	(void)remove_dir(tmp);
	return err;
}

int
guest_toolstack_set_state(const char *dir, unsigned int domid,
    const char *state)
{
	char ddir[PATH_MAX], tmp[PATH_MAX], file[PATH_MAX];
	struct stat st;
	int err;

	if (strcmp(state, "running") != 0 && strcmp(state, "shutdown") != 0 &&
	    strcmp(state, "dying") != 0)
		return EINVAL;
	if ((err = path_of(ddir, "%s/dom%u", dir, domid)) != 0 ||
	    (err = path_of(tmp, "%s/.state.tmp", ddir)) != 0 ||
	    (err = path_of(file, "%s/state", ddir)) != 0)
		return err;
	if (stat(ddir, &st) == -1)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	(void)unlink(tmp);
	err = write_new_file(tmp, state, strlen(state));
	if (err != 0)
		return err;
	if (rename(tmp, file) == -1) {
		err = errno;
		(void)unlink(tmp);
		return err;
	}
	return 0;
}

int
guest_toolstack_destroy(const char *dir, unsigned int domid)
{
	char ddir[PATH_MAX], dead[PATH_MAX];
	int err;

	err = path_of(ddir, "%s/dom%u", dir, domid);
	if (err == 0)
		err = path_of(dead, "%s/.dead-dom%u-%ld", dir, domid,
		    (long)getpid());
	if (err != 0)
		return err;
	if (rename(ddir, dead) == -1)
		return errno;
	return remove_dir(dead);
}

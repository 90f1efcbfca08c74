/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_sim_test.c: tests of tools/xs-guest/guest_sim.c, the guest's
 * handles on the simulator directory. The test plays the daemon's side of
 * the layout: it binds DIR/control, reads the guest's datagrams and sends
 * its own to DIR/dom<N>/guest, and looks at the page file.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_sim.h"
#include "tools/xs-guest/guest_toolstack.h"

static char dir[64];
static int control = -1;
static struct guest_sim *gs;

static void
addr(struct sockaddr_un *sun, const char *rel)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir, rel);
}

static void
setup(void)
{
	struct sockaddr_un sun;

	snprintf(dir, sizeof(dir), "/tmp/xsg-sim-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	control = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ne(control, -1);
	addr(&sun, "control");
	ck_assert_int_eq(bind(control, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
}

static void
teardown(void)
{
	char cmd[128];

	guest_sim_close(gs);
	gs = NULL;
	close(control);
	control = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The next datagram on DIR/control, NUL-terminated, within 1 s. */
static ssize_t
control_recv(char *buf, size_t len)
{
	struct pollfd pfd = { control, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, 1000) != 1)
		return -1;
	n = recv(control, buf, len - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void
daemon_notify(unsigned int domid)
{
	struct sockaddr_un sun;
	char rel[32];

	snprintf(rel, sizeof(rel), "dom%u/guest", domid);
	addr(&sun, rel);
	ck_assert_int_eq(sendto(control, "notify", 6, 0,
	    (struct sockaddr *)&sun, sizeof(sun)), 6);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

START_TEST(guest_sim_open_maps_page_shared_and_binds_guest)
{
	char path[PATH_MAX], buf[4096];
	struct stat st;
	int fd;

	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	snprintf(path, sizeof(path), "%s/dom5/guest", dir);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	/* A store through the mapping is in the file the daemon maps. */
	guest_ring_set_word(guest_sim_page(gs), GUEST_RING_REQ_PROD, 0xabcd);
	snprintf(path, sizeof(path), "%s/dom5/page", dir);
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 4096);
	close(fd);
	ck_assert_uint_eq(guest_ring_word(buf, GUEST_RING_REQ_PROD), 0xabcd);

	guest_sim_close(gs);
	gs = NULL;
	snprintf(path, sizeof(path), "%s/dom5/guest", dir);
	ck_assert_int_eq(lstat(path, &st), -1);
}
END_TEST

START_TEST(guest_sim_notify_sends_notify_domid)
{
	char buf[64];

	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	ck_assert_int_eq(guest_sim_notify(gs), 0);
	ck_assert_int_eq(control_recv(buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "notify 5");
}
END_TEST

START_TEST(guest_sim_control_sends_dom_exc)
{
	char buf[64];

	ck_assert_int_eq(guest_sim_control(dir, "dom_exc"), 0);
	ck_assert_int_eq(control_recv(buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "dom_exc");
}
END_TEST

START_TEST(guest_sim_notify_without_daemon_fails_softly)
{
	char path[PATH_MAX];

	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	snprintf(path, sizeof(path), "%s/control", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(guest_sim_notify(gs), ENOENT);
	ck_assert_int_eq(guest_sim_control(dir, "dom_exc"), ENOENT);
}
END_TEST

START_TEST(guest_sim_wait_wakes_on_daemon_notify)
{
	struct timespec t0;
	bool woken;
	int i;

	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	/* Several queued notifications are one wake-up, all drained. */
	for (i = 0; i < 3; i++)
		daemon_notify(5);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(guest_sim_wait(gs, 2000, &woken), 0);
	ck_assert(woken);
	ck_assert_int_lt(ms_since(&t0), 1000);
	ck_assert_int_eq(guest_sim_wait(gs, 30, &woken), 0);
	ck_assert(!woken);
}
END_TEST

START_TEST(guest_sim_wait_times_out)
{
	struct timespec t0;
	bool woken = true;

	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(guest_sim_wait(gs, 40, &woken), 0);
	ck_assert(!woken);
	ck_assert_int_ge(ms_since(&t0), 35);
}
END_TEST

START_TEST(guest_sim_open_replaces_stale_socket_only)
{
	char path[PATH_MAX];
	struct sockaddr_un sun;
	int fd;

	/* A socket file left by a guest that died. */
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	addr(&sun, "dom5/guest");
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), 0);
	guest_sim_close(gs);
	gs = NULL;
	/* A regular file there is not ours to remove. */
	snprintf(path, sizeof(path), "%s/dom5/guest", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ne(fd, -1);
	close(fd);
	ck_assert_int_eq(guest_sim_open(dir, 5, &gs), EEXIST);
	ck_assert_ptr_null(gs);
}
END_TEST

START_TEST(guest_sim_open_errors)
{
	char path[PATH_MAX], longdir[200];
	int fd;

	ck_assert_int_eq(guest_sim_open(dir, 6, &gs), ENOENT);
	/* A page shorter than 4096 bytes. */
	ck_assert_int_eq(guest_toolstack_create(dir, 7, false), 0);
	snprintf(path, sizeof(path), "%s/dom7/page", dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ne(fd, -1);
	close(fd);
	ck_assert_int_eq(guest_sim_open(dir, 7, &gs), EINVAL);
	/* A directory too deep for sun_path. */
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	ck_assert_int_eq(guest_sim_open(longdir, 5, &gs), ENAMETOOLONG);
	ck_assert_int_eq(guest_sim_control(longdir, "dom_exc"), ENAMETOOLONG);
	ck_assert_ptr_null(gs);
}
END_TEST

static Suite *
guest_sim_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_sim");
	tc = tcase_create("sim");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_sim_open_maps_page_shared_and_binds_guest);
	tcase_add_test(tc, guest_sim_notify_sends_notify_domid);
	tcase_add_test(tc, guest_sim_control_sends_dom_exc);
	tcase_add_test(tc, guest_sim_notify_without_daemon_fails_softly);
	tcase_add_test(tc, guest_sim_wait_wakes_on_daemon_notify);
	tcase_add_test(tc, guest_sim_wait_times_out);
	tcase_add_test(tc, guest_sim_open_replaces_stale_socket_only);
	tcase_add_test(tc, guest_sim_open_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_sim_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

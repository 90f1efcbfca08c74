/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest_toolstack_test.c: tests of tools/xs-guest/guest_toolstack.c, the
 * simulated toolstack's files (DIR/dom<N>/page and state), in a fresh
 * temporary directory per test.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/xs-guest/guest_ring.h"
#include "tools/xs-guest/guest_toolstack.h"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/xsg-ts-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Reads DIR/rel into buf (at most len bytes); returns the byte count. */
static ssize_t
slurp(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDONLY);
	if (fd == -1)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static bool
exists(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &st) == 0;
}

/* Entries of dir other than . and .. */
static int
entries(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(guest_toolstack_create_writes_zero_page_and_state)
{
	char buf[5000], zero[4096];
	ssize_t n;

	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
	n = slurp("dom5/page", buf, sizeof(buf));
	ck_assert_int_eq(n, 4096);
	memset(zero, 0, sizeof(zero));
	ck_assert_mem_eq(buf, zero, 4096);
	n = slurp("dom5/state", buf, sizeof(buf));
	ck_assert_int_eq(n, 7);
	ck_assert_mem_eq(buf, "running", 7);
	/* No guest socket, and no temporary left behind. */
	ck_assert(!exists("dom5/guest"));
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(guest_toolstack_create_presets_connection_word)
{
	char buf[4096];

	ck_assert_int_eq(guest_toolstack_create(dir, 6, true), 0);
	ck_assert_int_eq(slurp("dom6/page", buf, sizeof(buf)), 4096);
	ck_assert_uint_eq(guest_ring_word(buf, GUEST_RING_CONNECTION), 1);
	ck_assert_uint_eq(guest_ring_word(buf, GUEST_RING_FEATURES), 0);
	ck_assert_uint_eq(guest_ring_word(buf, GUEST_RING_REQ_PROD), 0);
}
END_TEST

START_TEST(guest_toolstack_create_twice_is_eexist)
{
	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
	ck_assert_int_eq(guest_toolstack_create(dir, 5, true), EEXIST);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(guest_toolstack_create_in_missing_dir_fails_cleanly)
{
	char sub[128];

	snprintf(sub, sizeof(sub), "%s/nope", dir);
	ck_assert_int_eq(guest_toolstack_create(sub, 5, false), ENOENT);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(guest_toolstack_set_state_replaces_file)
{
	char buf[64];

	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
	ck_assert_int_eq(guest_toolstack_set_state(dir, 5, "shutdown"), 0);
	ck_assert_int_eq(slurp("dom5/state", buf, sizeof(buf)), 8);
	ck_assert_mem_eq(buf, "shutdown", 8);
	ck_assert_int_eq(guest_toolstack_set_state(dir, 5, "dying"), 0);
	ck_assert_int_eq(slurp("dom5/state", buf, sizeof(buf)), 5);
	ck_assert(!exists("dom5/.state.tmp"));
	ck_assert_int_eq(guest_toolstack_set_state(dir, 5, "paused"), EINVAL);
	ck_assert_int_eq(guest_toolstack_set_state(dir, 9, "dying"), ENOENT);
}
END_TEST

START_TEST(guest_toolstack_destroy_removes_everything)
{
	struct sockaddr_un sun;
	int fd;

	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
	/* A guest bound its socket there. */
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ne(fd, -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dom5/guest", dir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(guest_toolstack_destroy(dir, 5), 0);
	close(fd);
	ck_assert_int_eq(entries(), 0);
	ck_assert_int_eq(guest_toolstack_destroy(dir, 5), ENOENT);
	/* The domid can be used again. */
	ck_assert_int_eq(guest_toolstack_create(dir, 5, false), 0);
}
END_TEST

static Suite *
guest_toolstack_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("guest_toolstack");
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_toolstack_create_writes_zero_page_and_state);
	tcase_add_test(tc, guest_toolstack_create_presets_connection_word);
	tcase_add_test(tc, guest_toolstack_create_twice_is_eexist);
	tcase_add_test(tc, guest_toolstack_create_in_missing_dir_fails_cleanly);
	tcase_add_test(tc, guest_toolstack_set_state_replaces_file);
	tcase_add_test(tc, guest_toolstack_destroy_removes_everything);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(guest_toolstack_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

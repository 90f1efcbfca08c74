/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oxconf_test.c: tests of oxconf/oxconf.c (oxenstored.conf's parser).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <talloc.h>

#include "oxconf/oxconf.h"

static TALLOC_CTX *ctx;
static struct oxconf *conf;
static unsigned int line;
static char err[512];

static void
setup(void)
{
	ctx = talloc_new(NULL);
	ck_assert_ptr_nonnull(ctx);
	conf = NULL;
}

static void
teardown(void)
{
	talloc_free(ctx);
	ctx = NULL;
}

static int
parse(const char *text)
{
	return oxconf_parse(ctx, text, strlen(text), &conf, &line, err,
	    sizeof(err));
}

/* Debian bookworm's /etc/xen/oxenstored.conf, its settings only. */
static const char debian[] =
    "# default xenstored config\n"
    "\n"
    "pid-file = /var/run/xen/xenstored.pid\n"
    "test-eagain = false\n"
    "merge-activate = true\n"
    "conflict-burst-limit = 5.0\n"
    "conflict-max-history-seconds = 0.05\n"
    "conflict-rate-limit-is-aggregate = true\n"
    "perms-activate = true\n"
    "perms-watch-activate = true\n"
    "quota-activate = true\n"
    "quota-maxentity = 1000\n"
    "quota-maxsize = 2048\n"
    "quota-maxwatch = 100\n"
    "quota-transaction = 10\n"
    "quota-maxrequests = 1024\n"
    "quota-path-max = 1024\n"
    "quota-maxoutstanding = 1024\n"
    "quota-maxwatchevents = 1024\n"
    "persistent = false\n"
    "# xenstored-log-file = /var/log/xen/xenstored.log\n"
    "# acesss-log-nb-chars = 180\n"
    "xenstored-kva = /proc/xen/xsd_kva\n"
    "xenstored-port = /proc/xen/xsd_port\n";

START_TEST(oxconf_debian_default_parses)
{
	ck_assert_int_eq(parse(debian), 0);
	ck_assert_ptr_nonnull(conf);
	ck_assert(conf->given[OXCONF_QUOTA_MAXENTITY]);
	ck_assert_int_eq(conf->v[OXCONF_QUOTA_MAXENTITY].i, 1000);
	ck_assert_int_eq(conf->v[OXCONF_QUOTA_PATH_MAX].i, 1024);
	ck_assert_int_eq(conf->line[OXCONF_QUOTA_MAXENTITY], 12);
	ck_assert(conf->v[OXCONF_QUOTA_ACTIVATE].b);
	ck_assert_str_eq(conf->v[OXCONF_PID_FILE].s,
	    "/var/run/xen/xenstored.pid");
	ck_assert(conf->v[OXCONF_CONFLICT_BURST_LIMIT].f > 4.99 &&
	    conf->v[OXCONF_CONFLICT_BURST_LIMIT].f < 5.01);
	ck_assert(!conf->given[OXCONF_XENSTORED_LOG_FILE]);
	ck_assert(!conf->given[OXCONF_ACCESS_LOG_NB_CHARS]);
}
END_TEST

START_TEST(oxconf_blanks_tabs_and_crlf_are_trimmed)
{
	ck_assert_int_eq(parse("\t quota-maxwatch\t=  7 \r\n"), 0);
	ck_assert_int_eq(conf->v[OXCONF_QUOTA_MAXWATCH].i, 7);
	ck_assert_int_eq(conf->line[OXCONF_QUOTA_MAXWATCH], 1);
}
END_TEST

START_TEST(oxconf_last_line_without_newline_counts)
{
	ck_assert_int_eq(parse("# x\n\nquota-transaction = 3"), 0);
	ck_assert_int_eq(conf->v[OXCONF_QUOTA_TRANSACTION].i, 3);
	ck_assert_int_eq(conf->line[OXCONF_QUOTA_TRANSACTION], 3);
}
END_TEST

START_TEST(oxconf_unknown_key_names_key_and_line)
{
	ck_assert_int_eq(parse("quota-maxwatch = 1\nacesss-log-nb-chars = 1\n"),
	    EINVAL);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(line, 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown key 'acesss-log-nb-chars'"));
}
END_TEST

START_TEST(oxconf_bad_number_is_refused)
{
	ck_assert_int_eq(parse("\nquota-maxentity = 10x\n"), EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_ptr_nonnull(strstr(err, "quota-maxentity = 10x"));
	ck_assert_int_eq(parse("quota-maxentity = -5\n"), EINVAL);
	ck_assert_int_eq(parse("quota-maxentity = 99999999999999\n"), EINVAL);
	ck_assert_int_eq(parse("quota-maxentity = +5\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_quota_zero_is_refused)
{
	ck_assert_int_eq(parse("quota-maxwatch = 0\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no limit"));
}
END_TEST

START_TEST(oxconf_ring_scan_interval_may_be_negative)
{
	ck_assert_int_eq(parse("ring-scan-interval = -1\n"), 0);
	ck_assert_int_eq(conf->v[OXCONF_RING_SCAN_INTERVAL].i, -1);
	ck_assert_int_eq(parse("ring-scan-interval = -\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_path_max_stops_at_2048)
{
	ck_assert_int_eq(parse("quota-path-max = 2048\n"), 0);
	ck_assert_int_eq(parse("quota-path-max = 2049\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_bool_is_true_or_false_only)
{
	ck_assert_int_eq(parse("quota-activate = false\n"), 0);
	ck_assert(conf->given[OXCONF_QUOTA_ACTIVATE]);
	ck_assert(!conf->v[OXCONF_QUOTA_ACTIVATE].b);
	ck_assert_int_eq(parse("quota-activate = yes\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "true or false"));
}
END_TEST

START_TEST(oxconf_float_is_a_plain_decimal)
{
	ck_assert_int_eq(parse("conflict-max-history-seconds = .5\n"), 0);
	ck_assert_int_eq(parse("conflict-burst-limit = 5\n"), 0);
	ck_assert_int_eq(parse("conflict-burst-limit = 5.0.1\n"), EINVAL);
	ck_assert_int_eq(parse("conflict-burst-limit = 1e3\n"), EINVAL);
	ck_assert_int_eq(parse("conflict-burst-limit = nan\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_unsupported_values_say_why)
{
	ck_assert_int_eq(parse("perms-activate = false\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not supported"));
	ck_assert_int_eq(parse("persistent = true\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "memory"));
	ck_assert_int_eq(parse("test-eagain = true\n"), EINVAL);
	ck_assert_int_eq(parse("merge-activate = false\n"), EINVAL);
	ck_assert_int_eq(parse("perms-watch-activate = false\n"), EINVAL);
	ck_assert_int_eq(parse("allow-debug = true\n"), EINVAL);
	ck_assert_int_eq(parse("xenstored-kva = /dev/xsd_kva\n"), EINVAL);
	ck_assert_int_eq(parse("xenstored-port = /tmp/p\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_log_targets_file_or_syslog)
{
	ck_assert_int_eq(parse("access-log-file = syslog:local3\n"
	    "xenstored-log-file = /var/log/x.log\n"
	    "xenstored-log-level = debug\n"), 0);
	ck_assert_ptr_null(conf->v[OXCONF_ACCESS_LOG_FILE].s);
	ck_assert_int_eq(conf->v[OXCONF_ACCESS_LOG_FILE].facility,
	    LOG_LOCAL3);
	ck_assert_str_eq(conf->v[OXCONF_XENSTORED_LOG_FILE].s,
	    "/var/log/x.log");
	ck_assert_int_eq(conf->v[OXCONF_XENSTORED_LOG_FILE].facility, -1);
	ck_assert_int_eq(conf->v[OXCONF_XENSTORED_LOG_LEVEL].i,
	    OXCONF_LEVEL_DEBUG);
	ck_assert_int_eq(parse("access-log-file = syslog:local9\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "facility"));
	ck_assert_int_eq(parse("access-log-file = relative.log\n"), EINVAL);
	ck_assert_int_eq(parse("xenstored-log-level = verbose\n"), EINVAL);
}
END_TEST

START_TEST(oxconf_line_without_equals_is_refused)
{
	ck_assert_int_eq(parse("quota-maxwatch 5\n"), EINVAL);
	ck_assert_uint_eq(line, 1);
	ck_assert_int_eq(parse(" = 5\n"), EINVAL);
	ck_assert_int_eq(parse("quota-maxwatch =\n"), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no value"));
}
END_TEST

START_TEST(oxconf_key_twice_is_refused)
{
	ck_assert_int_eq(parse("quota-maxwatch = 5\n\nquota-maxwatch = 6\n"),
	    EINVAL);
	ck_assert_uint_eq(line, 3);
	ck_assert_ptr_nonnull(strstr(err, "first on line 1"));
}
END_TEST

START_TEST(oxconf_nul_and_long_lines_are_refused)
{
	static const char nul[] = "quota-maxwatch = 5\0\n";
	char *big;

	ck_assert_int_eq(oxconf_parse(ctx, nul, sizeof(nul) - 1, &conf, &line,
	    err, sizeof(err)), EINVAL);
	big = malloc(5000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 4999);
	big[4999] = '\0';
	ck_assert_int_eq(parse(big), EINVAL);
	free(big);
}
END_TEST

START_TEST(oxconf_enomem_is_reported)
{
	TALLOC_CTX *lim = talloc_new(ctx);

	/* A 1-byte limit: the first allocation fails. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ck_assert_int_eq(talloc_set_memlimit(lim, 1), 0);
#pragma GCC diagnostic pop
	ck_assert_int_eq(oxconf_parse(lim, debian, strlen(debian), &conf,
	    &line, err, sizeof(err)), ENOMEM);
	ck_assert_ptr_null(conf);
}
END_TEST

START_TEST(oxconf_every_key_has_a_name)
{
	unsigned int k;

	for (k = 0; k < OXCONF_KEY_COUNT; k++)
		ck_assert_ptr_nonnull(oxconf_key_name((enum oxconf_key)k));
	ck_assert_ptr_null(oxconf_key_name(OXCONF_KEY_COUNT));
	ck_assert(oxconf_key_moot(OXCONF_CONFLICT_BURST_LIMIT));
	ck_assert(!oxconf_key_moot(OXCONF_QUOTA_MAXENTITY));
	ck_assert(!oxconf_key_moot(OXCONF_RING_SCAN_INTERVAL));
	ck_assert(oxconf_key_moot(OXCONF_GC_MAX_OVERHEAD));
}
END_TEST

static Suite *
oxconf_suite(void)
{
	Suite *s = suite_create("oxconf");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, oxconf_debian_default_parses);
	tcase_add_test(tc, oxconf_blanks_tabs_and_crlf_are_trimmed);
	tcase_add_test(tc, oxconf_last_line_without_newline_counts);
	tcase_add_test(tc, oxconf_unknown_key_names_key_and_line);
	tcase_add_test(tc, oxconf_bad_number_is_refused);
	tcase_add_test(tc, oxconf_quota_zero_is_refused);
	tcase_add_test(tc, oxconf_ring_scan_interval_may_be_negative);
	tcase_add_test(tc, oxconf_path_max_stops_at_2048);
	tcase_add_test(tc, oxconf_bool_is_true_or_false_only);
	tcase_add_test(tc, oxconf_float_is_a_plain_decimal);
	tcase_add_test(tc, oxconf_unsupported_values_say_why);
	tcase_add_test(tc, oxconf_log_targets_file_or_syslog);
	tcase_add_test(tc, oxconf_line_without_equals_is_refused);
	tcase_add_test(tc, oxconf_key_twice_is_refused);
	tcase_add_test(tc, oxconf_nul_and_long_lines_are_refused);
	tcase_add_test(tc, oxconf_enomem_is_reported);
	tcase_add_test(tc, oxconf_every_key_has_a_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(oxconf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

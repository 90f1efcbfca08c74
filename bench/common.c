/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common.c: clocks, quantiles and /proc readings for the benchmark clients.
 * The daemon's CPU comes from /proc/PID/task/N/schedstat (nanoseconds, the
 * same accounting as utime+stime in /proc/PID/stat, which ticks at 10 ms:
 * too coarse for phases of a few tens of milliseconds).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_cpu_ns(pid_t pid)
{
	char path[64], file[128];
	unsigned long long ns;
	struct dirent *de;
	uint64_t sum = 0;
	FILE *f;
	DIR *d;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%.20s/schedstat", path,
		    de->d_name);
		if ((f = fopen(file, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(d);
	return sum;
}

long
bench_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
bench_quantile_us(uint64_t *lat, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return (double)lat[i] / 1000.0;
}

void
bench_report(const char *name, size_t ops, uint64_t wall_ns, uint64_t *lat,
    size_t nlat, uint64_t cpu_ns, pid_t pid, const char *extra)
{
	double secs = (double)wall_ns / 1e9;
	double p50 = bench_quantile_us(lat, nlat, 0.50);
	double p99 = bench_quantile_us(lat, nlat, 0.99);

	printf("RESULT %s ops=%zu secs=%.6f ops_s=%.1f p50_us=%.1f "
	    "p99_us=%.1f cpu_us_op=%.3f rss_kb=%ld%s%s\n", name, ops, secs,
	    secs > 0 ? (double)ops / secs : 0, p50, p99,
	    ops > 0 ? (double)cpu_ns / 1000.0 / (double)ops : 0,
	    bench_rss_kb(pid), extra != NULL ? " " : "",
	    extra != NULL ? extra : "");
	fflush(stdout);
}

void
bench_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xsbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

size_t
bench_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0')
		bench_die("not a number: %s", s);
	return v;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common.h: what the benchmark clients share: clocks, latency statistics,
 * the daemon's CPU and RSS from /proc, one RESULT line per measured phase.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);

/* CPU the process has used, in ns (sum of its threads' schedstat); 0 if
 * pid is 0 or unreadable. */
uint64_t bench_cpu_ns(pid_t pid);

/* VmRSS of pid in KiB, 0 if unknown. */
long bench_rss_kb(pid_t pid);

/* Sorts lat[0..n) in place; returns the q-quantile (0..1) in microseconds. */
double bench_quantile_us(uint64_t *lat, size_t n, double q);

/* Prints "RESULT name ops=.. secs=.. ops_s=.. p50_us=.. p99_us=..
 * cpu_us_op=.. rss_kb=.. extra" on stdout; sorts lat. */
void bench_report(const char *name, size_t ops, uint64_t wall_ns,
    uint64_t *lat, size_t nlat, uint64_t cpu_ns, pid_t pid, const char *extra);

/* A decimal argument, or exits with a message. */
size_t bench_num(const char *s);

/* Exits with a message on stderr. */
void bench_die(const char *fmt, ...) __attribute__((noreturn,
    format(printf, 1, 2)));

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsbench-lib.c: the point write/read workload through Xen's libxenstore
 * (xs_open, xs_write, xs_read: one request at a time, as the toolstack
 * uses it), next to the raw pipelined client in xsbench.c.  The difference
 * between the two is the client library's cost, not the daemon's.
 * Usage: xsbench-lib [--pid PID] [--tag NAME] N PER_DIR
 * The socket comes from XENSTORED_PATH, as for every libxenstore client.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "common.h"

static void
node(char *p, size_t cap, size_t i, size_t per_dir)
{
	if (per_dir == 0)
		snprintf(p, cap, "/bench/lib/n%zu", i);
	else
		snprintf(p, cap, "/bench/lib/d%zu/n%zu", i / per_dir,
		    i % per_dir);
}

int
main(int argc, char **argv)
{
	const char *tag = "lib";
	struct xs_handle *xs;
	size_t n, per_dir, i;
	pid_t pid = 0;
	char p[128], v[32], name[128];
	uint64_t *lat, t0, c0, t;
	unsigned int len;
	void *r;
	int a = 1;

	for (; a + 1 < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
		if (strcmp(argv[a], "--pid") == 0)
			pid = (pid_t)atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--tag") == 0)
			tag = argv[a + 1];
	}
	if (argc - a != 2)
		bench_die("usage: xsbench-lib [--pid PID] [--tag NAME] N "
		    "PER_DIR");
	n = strtoul(argv[a], NULL, 10);
	per_dir = strtoul(argv[a + 1], NULL, 10);
	if (n == 0 || (lat = calloc(n, sizeof(*lat))) == NULL)
		bench_die("bad N");
	if ((xs = xs_open(0)) == NULL)
		bench_die("xs_open failed");

	t0 = bench_now_ns();
	c0 = bench_cpu_ns(pid);
	for (i = 0; i < n; i++) {
		node(p, sizeof(p), i, per_dir);
		len = (unsigned)snprintf(v, sizeof(v), "value-%zu", i);
		t = bench_now_ns();
		if (!xs_write(xs, XBT_NULL, p, v, len))
			bench_die("xs_write %s failed", p);
		lat[i] = bench_now_ns() - t;
	}
	snprintf(name, sizeof(name), "%s.write", tag);
	bench_report(name, n, bench_now_ns() - t0, lat, n,
	    bench_cpu_ns(pid) - c0, pid, NULL);

	t0 = bench_now_ns();
	c0 = bench_cpu_ns(pid);
	for (i = 0; i < n; i++) {
		node(p, sizeof(p), i, per_dir);
		t = bench_now_ns();
		if ((r = xs_read(xs, XBT_NULL, p, &len)) == NULL)
			bench_die("xs_read %s failed", p);
		lat[i] = bench_now_ns() - t;
		free(r);
	}
	snprintf(name, sizeof(name), "%s.read", tag);
	bench_report(name, n, bench_now_ns() - t0, lat, n,
	    bench_cpu_ns(pid) - c0, pid, NULL);
	xs_close(xs);
	free(lat);
	return 0;
}

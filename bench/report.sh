#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# report.sh RAW RUNS: the Markdown table of medians from bench.sh's raw
# lines ("DAEMON ROW.PHASE key=value ..."), then each goal of issue 7 with
# its measured ratio.  Only medians are compared; no timing is asserted.
set -eu
raw=$1 runs=$2
awk -v runs="$runs" '
function median(s,    a, n, i, j, t) {
	n = split(s, a, ",")
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function m(d, r, f) {
	return ((r, d, f) in val) ? median(val[r, d, f]) : ""
}
function best_ref(r, f, want_min,    d, v, b) {
	b = ""
	for (d = 1; d <= nrefs; d++) {
		v = m(refs[d], r, f)
		if (v == "")
			continue
		if (b == "" || (want_min ? v + 0 < b + 0 : v + 0 > b + 0))
			b = v
	}
	return b
}
# goal(text, ratio, limit, le): one line; le = met when ratio <= limit.
function goal(text, x, y, limit, le,    ratio, ok) {
	if (x == "" || y == "" || y + 0 == 0) {
		printf("| %s | n/a | %s | not measured |\n", text, limit)
		return
	}
	ratio = x / y
	ok = le ? ratio <= limit : ratio >= limit
	printf("| %s | %.3g | %s %s | %s |\n", text, ratio, le ? "<=" : ">=",
	    limit, ok ? "met" : "**missed**")
}
{
	d = $1; r = $2
	if (!((r, d) in seen)) {
		seen[r, d] = 1
		order[++n] = r SUBSEP d
	}
	for (i = 3; i <= NF; i++) {
		k = substr($i, 1, index($i, "=") - 1)
		v = substr($i, index($i, "=") + 1)
		# Test first: mawk creates val[r, d, k] (empty) before it
		# evaluates a right-hand side that asks "in val".
		if (v ~ /^[0-9.]+$/ && ((r, d, k) in val))
			val[r, d, k] = val[r, d, k] "," v
		else if (v ~ /^[0-9.]+$/)
			val[r, d, k] = v
		else
			str[r, d, k] = v
	}
}
END {
	nrefs = 0
	for (i = 1; i <= n; i++) {
		split(order[i], p, SUBSEP)
		if ((p[2] == "cxenstored" || p[2] == "oxenstored") &&
		    !(p[2] in isref)) {
			isref[p[2]] = 1
			refs[++nrefs] = p[2]
		}
	}
	printf("Medians of %d run(s) each, every run against a fresh daemon.\n\n", runs)
	print "| workload.phase | daemon | ops/s | p50 us | p99 us | daemon CPU us/op | RSS KiB | other |"
	print "|---|---|---:|---:|---:|---:|---:|---|"
	for (i = 1; i <= n; i++) {
		split(order[i], p, SUBSEP)
		r = p[1]; d = p[2]
		other = ""
		split("eagain_per_commit max_us max_over_p50 writes_s rss_before_kb bytes setup_ms guests watches lu_ms pause_ms", ks, " ")
		for (k = 1; k in ks; k++)
			if ((r, d, ks[k]) in val)
				other = other sprintf("%s=%s ", ks[k], m(d, r, ks[k]))
		if ((r, d, "mode") in str)
			other = other "mode=" str[r, d, "mode"]
		printf("| %s | %s | %.0f | %.1f | %.1f | %.3f | %d | %s |\n", r, d,
		    m(d, r, "ops_s"), m(d, r, "p50_us"), m(d, r, "p99_us"),
		    m(d, r, "cpu_us_op"), m(d, r, "rss_kb"), other)
	}
	print ""
	print "| goal (xstored vs. the better reference unless said) | ratio | target | result |"
	print "|---|---:|---|---|"
	split("point-flat.write point-flat.read point-100.write point-100.read", pr, " ")
	for (k = 1; k in pr; k++)
		goal("daemon CPU per op, " pr[k], m("xstored", pr[k], "cpu_us_op"),
		    best_ref(pr[k], "cpu_us_op", 1), 0.5, 1)
	split("point-flat.write point-flat.read point-100.write point-100.read conc-100.writeread lib-flat.write lib-flat.read", pr, " ")
	for (k = 1; k in pr; k++)
		goal("ops/s vs. null server, " pr[k], m("xstored", pr[k], "ops_s"),
		    m("null", pr[k], "ops_s"), 0.8, 0)
	goal("CPU per write, 10,000-child dir vs. 100-child dirs",
	    m("xstored", "point-flat.write", "cpu_us_op"),
	    m("xstored", "point-100.write", "cpu_us_op"), 1.5, 1)
	goal("time to remove a 100,000-node tree vs. the faster reference",
	    m("xstored", "rm-tree.rm", "secs"), best_ref("rm-tree.rm", "secs", 1), 1, 1)
	goal("daemon CPU per delivered event, 100 watchers",
	    m("xstored", "watch-100.events", "cpu_us_op"),
	    best_ref("watch-100.events", "cpu_us_op", 1), 0.25, 1)
	goal("daemon CPU per delivered event, 1,000 watchers",
	    m("xstored", "watch-1000.events", "cpu_us_op"),
	    best_ref("watch-1000.events", "cpu_us_op", 1), 0.25, 1)
	goal("hot-counter commits/s", m("xstored", "tx-hot.commit", "ops_s"),
	    best_ref("tx-hot.commit", "ops_s", 0), 2, 0)
	goal("hot counter: worst commit wait / median wait (xstored alone)",
	    m("xstored", "tx-hot.commit", "max_over_p50"), 1, 10, 1)
	goal("RSS after 100,000 nodes vs. the smaller reference",
	    m("xstored", "rm-tree.load", "rss_kb"),
	    best_ref("rm-tree.load", "rss_kb", 1), 0.6, 1)
	split("lu-1000-100.update lu-100000-1000.update", pr, " ")
	for (k = 1; k in pr; k++)
		goal("longest client pause in a live update, " pr[k] " (issue 12)",
		    m("xstored", pr[k], "pause_ms"),
		    m("cxenstored", pr[k], "pause_ms"), 0.5, 1)
	goal("per-op latency over a ring, 10,000 simulated domains vs. 10 (xstored alone)",
	    m("xstored", "sim-10000.ring", "p50_us"),
	    m("xstored", "sim-10.ring", "p50_us"), 1.5, 1)
}' "$raw"

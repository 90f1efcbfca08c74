# SPDX-License-Identifier: GPL-2.0-only
# Access control and leak advisories (xenstore-facts §5.2): XSA-115, 322,
# 323, 352, 353, 417, 419, 483. Domain 5 attacks; domain 6 is the
# bystander (lib.sh).
# shellcheck shell=bash
# shellcheck disable=SC2034 # opts_*: read by run.sh
# shellcheck disable=SC2154 # rc: set by the helpers

# bg_until NAME MARKER: NAME's lines up to the line MARKER (excluded),
# sorted, one per line (waits at most 10 s for each).
bg_until() {
	local line
	while :; do
		IFS= read -r -t 10 line <&"${BG_FD[$1]}" ||
		    fail "$1 printed no '$2' within 10 s"
		[ "$line" = "$2" ] && break
		echo "$line"
	done | sort
}

# XSA-115: a guest watching "/" (and the special paths, and exact paths
# it cannot read) learns only of nodes it may read (or whose parent it may
# read, as in the C daemon): not of dom0's private nodes, nor of other
# domains', nor of unreadable nodes removed with a subtree, nor of
# introductions; losing access is still seen (old permissions).
# IS_DOMAIN_INTRODUCED is dom0's; WATCH ignores tx_id.
test_xsa115_watch_spy() {
	local tx f
	sec_begin
	cat >"$TESTDIR/setup.in" <<-EOF
	WRITE /pub x
	SET_PERMS /pub n0 r5
	WRITE /pub/hid/deep s
	SET_PERMS /pub/hid n0
	SET_PERMS /pub/hid/deep n0
	WRITE /hidden/x h
	EOF
	ok "$XSRAW" batch <"$TESTDIR/setup.in"
	f=$(script_from w "watch @introduceDomain intro" \
	    "watch @releaseDomain rel" "watch /pub/hid/deep deep" \
	    "watch /pub/hid hid" "watch /hidden/x hx" \
	    "req GET_DOMAIN_PATH 5" "drop-events")
	guest_script 5 "$f"
	# The spy: every event of every watch of domain 5, as it comes.
	bg_start spy "$XSGUEST" -T 100 -t 60000 -D 5 watch / root
	bg_next spy "/ root"
	# Changes 5 may not see (node and parent unreadable), then a marker.
	ok xenstore-write /hidden/x h2 /pub/hid/deep s2
	ok "$XSGUEST" -D 6 req write data/good/k0 p
	ok xenstore-write /local/domain/6/data/good/k1 p2
	ok xenstore-write /pub m1
	bg_next spy "/pub root"
	# Introductions are dom0's business; releases are everyone's.
	new_domain 7
	ok xenstore-write /pub m2
	bg_next spy "/pub root"
	ok "$XSGUEST" release 7
	bg_next spy "@releaseDomain rel"
	ok xenstore-write /pub m3
	bg_next spy "/pub root"
	# Removing subtrees: each removed node is judged by its own
	# permissions: /pub (readable) and /pub/hid (readable parent) are
	# seen, /pub/hid/deep and all of /hidden are not.
	ok xenstore-rm /hidden
	ok xenstore-rm /pub
	ok xenstore-write /sectest/m 1
	printf '%s\n' "WRITE /p2 x" "SET_PERMS /p2 n0 r5" >"$TESTDIR/p2.in"
	ok "$XSRAW" batch <"$TESTDIR/p2.in"
	bg_until spy "/p2 root" >"$TESTDIR/rm.events"
	printf '%s\n' "/pub root" "/pub/hid hid" | sort >"$TESTDIR/rm.want"
	if ! cmp -s "$TESTDIR/rm.want" "$TESTDIR/rm.events"; then
		diff "$TESTDIR/rm.want" "$TESTDIR/rm.events" >&2
		fail "RM events differ (expected vs got)"
	fi
	# Old permissions count: losing access is seen, once.
	ok xenstore-chmod /p2 n0
	bg_next spy "/p2 root"
	ok xenstore-write /p2 y
	printf '%s\n' "WRITE /p3 x" "SET_PERMS /p3 n0 r5" >"$TESTDIR/p3.in"
	ok "$XSRAW" batch <"$TESTDIR/p3.in"
	bg_next spy "/p3 root"
	bg_stop spy
	# Probing domains is dom0's.
	guest_is 5 "ERROR EACCES" IS_DOMAIN_INTRODUCED 6
	# WATCH ignores tx_id: a watch set "in" a transaction outlives it.
	tx=$("$XSGUEST" -D 5 req TRANSACTION_START) || fail "TRANSACTION_START"
	guest_is 5 OK --tx "$tx" WATCH data/t ttok
	guest_is 5 OK --tx 4242 WATCH data/u utok
	guest_is 5 OK --tx "$tx" TRANSACTION_END F
	guest_is 5 OK UNWATCH data/t ttok
	guest_is 5 OK UNWATCH data/u utok
	ok xenstore-rm /p2
	ok xenstore-rm /p3
	good_check "after the spying"
	sec_end 5 7
}

# XSA-322: a domain that reuses a dead domain's domid inherits nothing:
# the old one's nodes (in its home or given to it elsewhere) are gone,
# its permission entries stripped, and its quota usage is its own.
test_xsa322_domid_reuse() {
	sec_begin
	ok "$XSGUEST" -D 5 req write data/x secret
	cat >"$TESTDIR/setup.in" <<-EOF
	WRITE /owned5 o
	SET_PERMS /owned5 n5
	WRITE /granted g
	SET_PERMS /granted n0 r5 w5
	EOF
	ok "$XSRAW" batch <"$TESTDIR/setup.in"
	guest_is 5 g read /granted
	guest_is 5 o read /owned5
	# The domain dies (no RELEASE from the toolstack: death only).
	ok "$XSGUEST" destroy 5
	wait_until "dom5 released after its death" 10 is_introduced_now 5 F
	raw_is "ERROR ENOENT" READ /owned5
	raw_is "ERROR ENOENT" READ /local/domain/5/data/x
	raw_is "n0" GET_PERMS /granted
	# A new domain 5.
	run xenstore-rm /local/domain/5
	new_domain 5
	guest_is 5 "ERROR EACCES" read /granted
	guest_is 5 "ERROR EACCES" write /granted mine
	guest_is 5 "ERROR ENOENT" read data/x
	guest_is 5 "ERROR EACCES" write /owned5 mine
	[ "$(quota_used 5 nodes)" = 1 ] ||
	    fail "new dom5 starts with $(quota_used 5 nodes) nodes, not 1"
	ok xenstore-rm /granted
	good_check "after the domid reuse"
	sec_end
}

# XSA-322 (stale SET_TARGET): a stub domain whose target died must not
# keep its powers over the next domain given the target's id.
test_xsa322_stale_target() {
	sec_begin --no-hostile
	new_domain 10
	new_domain 11
	raw_is OK SET_TARGET 11 10
	guest_is 10 OK write data/x old
	guest_is 11 old read /local/domain/10/data/x
	# The target dies; its stub domain (11) lives on.
	ok "$XSGUEST" destroy 10
	wait_until "dom10 released after its death" 10 is_introduced_now 10 F
	run xenstore-rm /local/domain/10
	new_domain 10
	guest_is 10 OK write data/secret new
	guest_is 11 "ERROR EACCES" read /local/domain/10/data/secret
	guest_is 11 "ERROR EACCES" write /local/domain/10/data/secret pwned
	ok xenstore-read /local/domain/10/data/secret
	stdout_is new
	good_check "after the target's death"
	sec_end 10 11
}

# path_of_len PREFIX LEN: PREFIX followed by 200-character components up
# to exactly LEN characters in all.
path_of_len() {
	local p=$1 len=$2 c
	c=$(head -c 200 /dev/zero | tr '\0' c)
	while [ $((${#p} + 201)) -le "$len" ]; do
		p=$p/$c
	done
	if [ "${#p}" -lt "$len" ]; then
		p=$p/$(head -c $((len - ${#p} - 1)) /dev/zero | tr '\0' d)
	fi
	echo "$p"
}

# XSA-323: the path length limit applies to the path below the domain's
# home, whether the guest gives it relative or absolute; one more is
# EINVAL, never a crash.
test_xsa323_path_length() {
	local p q
	sec_begin
	# 2047 passes and 2049 fails whether the limit is reached at 2048
	# (the C daemon now) or passed (older releases).
	p=$(path_of_len data 2047)
	[ "${#p}" = 2047 ] || fail "test bug: path of ${#p}"
	q=$(path_of_len data 2049)
	guest_is 5 OK write "$p" rel
	guest_is 5 rel read "/local/domain/5/$p"
	guest_is 5 OK write "/local/domain/5/$p" abs
	guest_is 5 abs read "$p"
	guest_is 5 "ERROR EINVAL" write "$q" x
	guest_is 5 "ERROR EINVAL" write "/local/domain/5/$q" x
	guest_is 5 "ERROR EINVAL" read "$q"
	guest_is 5 "ERROR EINVAL" mkdir "/local/domain/5/$q"
	guest_is 5 "ERROR EINVAL" watch "$q" tok
	# Longer still, up to the largest payload.
	q=$(path_of_len data 4000)
	guest_is 5 "ERROR EINVAL" write "$q" x
	guest_is 5 "ERROR EINVAL" read "/local/domain/5/$q"
	alive_read
	good_check "after the long paths"
	sec_end
}

# XSA-352: a guest may not give its nodes away (to another guest or to
# dom0): only the privileged may change an owner. Accounting stays put.
test_xsa352_owner_change() {
	local n5 n6
	sec_begin
	guest_is 5 OK write data/mine v
	n5=$(quota_used 5 nodes)
	n6=$(quota_used 6 nodes)
	guest_is 5 "ERROR EPERM" SET_PERMS data/mine n6
	guest_is 5 "ERROR EPERM" SET_PERMS data/mine n0
	guest_is 5 "ERROR EPERM" SET_PERMS data/mine n6 r5
	# Keeping the owner while granting others is fine.
	guest_is 5 OK SET_PERMS data/mine n5 r6
	raw_is 'n5\x00r6' GET_PERMS /local/domain/5/data/mine
	guest_is 6 v read /local/domain/5/data/mine
	guest_is 6 "ERROR EACCES" SET_PERMS /local/domain/5/data/mine n6
	[ "$(quota_used 5 nodes)" = "$n5" ] || fail "dom5's node count moved"
	[ "$(quota_used 6 nodes)" = "$n6" ] || fail "dom6's node count moved"
	# A flood of nodes made then "given" to dom0 would cost dom0 nothing:
	# every try fails and the nodes stay charged to 5.
	guest_is 5 OK write data/f/1 v
	guest_is 5 "ERROR EPERM" SET_PERMS data/f/1 n0
	raw_is "n5" GET_PERMS /local/domain/5/data/f/1
	good_check "after the owner changes"
	sec_end
}

# refused N TYPE ARG...: guest N's request gets EACCES or EINVAL.
refused() {
	local n=$1
	shift
	run "$XSGUEST" -D "$n" req "$@"
	case $(cat "$OUT") in
	"ERROR EACCES" | "ERROR EINVAL") ;;
	*)
		show_outputs "$XSGUEST" -D "$n" req "$@"
		fail "dom$n: $* was not refused"
		;;
	esac
}

# XSA-353: the root node is checked like any other: a guest cannot
# change its permissions, remove it, write it, or list it.
test_xsa353_root_perms() {
	sec_begin
	guest_is 5 "ERROR EACCES" SET_PERMS / n5
	guest_is 5 "ERROR EACCES" SET_PERMS / n0 r5
	refused 5 RM /
	guest_is 5 "ERROR EACCES" write / x
	guest_is 5 "ERROR EACCES" DIRECTORY /
	guest_is 5 "ERROR EACCES" read /
	guest_is 5 "ERROR EACCES" GET_PERMS /
	refused 5 RM /local
	refused 5 RM /local/domain
	guest_is 5 "ERROR EACCES" SET_PERMS /local n5
	guest_is 5 "ERROR EACCES" mkdir /evil
	raw_is "n0" GET_PERMS /
	raw_is "n0" GET_PERMS /local
	ok xenstore-ls /local/domain/6
	store_check
	good_check "after the root attempts"
	sec_end
}

# XSA-417: a permission entry for a dead domain must not come back to
# life for the next domain with its domid, even when the node is written
# (without changing its permissions) between the death and the new
# domain's introduction.
test_xsa417_acl_revival() {
	sec_begin
	printf '%s\n' "WRITE /acl a" "SET_PERMS /acl n0 r5 w5" >"$TESTDIR/acl.in"
	ok "$XSRAW" batch <"$TESTDIR/acl.in"
	guest_is 5 a read /acl
	ok "$XSGUEST" destroy 5
	wait_until "dom5 released after its death" 10 is_introduced_now 5 F
	run xenstore-rm /local/domain/5
	# The new domain exists (the toolstack built it) before its intro.
	ok "$XSGUEST" create 5
	ok xenstore-write /acl b
	guest_is 6 OK write data/good/k0 y
	ok "$XSGUEST" introduce 5
	stdout_is OK
	guest_is 5 "ERROR EACCES" read /acl
	guest_is 5 "ERROR EACCES" write /acl c
	ok xenstore-read /acl
	stdout_is b
	ok xenstore-rm /acl
	good_check "after the revival attempt"
	sec_end
}

# XSA-419: nodes a guest made outside its home (where it was allowed to)
# go when it dies: they neither stay as dom0's, outside any quota, nor
# wait for a next domain with the same domid.
test_xsa419_orphan_nodes() {
	local i
	sec_begin
	printf '%s\n' "WRITE /pool x" "SET_PERMS /pool n0 w5 r5" >"$TESTDIR/p.in"
	ok "$XSRAW" batch <"$TESTDIR/p.in"
	for i in 1 2 3; do
		echo "write /pool/n$i v"
		echo "write /pool/d$i/a/b v"
	done >"$TESTDIR/orph.txt"
	guest_script 5 "$TESTDIR/orph.txt"
	ok xenstore-ls -p /pool
	stdout_has_line '^n1 = "v".*\(n5'
	ok "$XSGUEST" destroy 5
	wait_until "dom5 released after its death" 10 is_introduced_now 5 F
	ok xenstore-list /pool
	stdout_is
	for i in 1 2 3; do
		raw_is "ERROR ENOENT" READ "/pool/n$i"
		raw_is "ERROR ENOENT" READ "/pool/d$i/a/b"
	done
	# dom0 owns nothing it did not make.
	[ "$(owned_nodes 0)" -le "$(sed -n 1p "$TESTDIR/mem.base" | cut -d' ' -f1)" ] ||
	    fail "dom0 owns more nodes than the whole baseline tree"
	ok xenstore-rm /pool
	good_check "after the orphans"
	sec_end
}

# XSA-483: a dead domain's accounting (nodes, watches, transactions) is
# not inherited by the next domain with its domid: it starts from its own
# nodes and has its whole quota.
opts_xsa483_counter_reset="-Q nodes=40"
test_xsa483_counter_reset() {
	local i
	sec_begin
	printf '%s\n' "WRITE /pool x" "SET_PERMS /pool n0 w5 r5" >"$TESTDIR/p.in"
	ok "$XSRAW" batch <"$TESTDIR/p.in"
	{
		for i in $(seq 30); do
			echo "write /pool/n$i v"
		done
		for i in $(seq 5); do
			echo "watch data/w$i t$i"
		done
		echo "txstart"
		echo "write data/t v"
	} >"$TESTDIR/fill.txt"
	guest_script 5 "$TESTDIR/fill.txt"
	[ "$(quota_used 5 nodes)" = 31 ] ||
	    fail "dom5 uses $(quota_used 5 nodes) nodes, expected 31"
	[ "$(quota_used 5 watches)" = 5 ] || fail "dom5's watches not 5"
	ok "$XSGUEST" destroy 5
	wait_until "dom5 released after its death" 10 is_introduced_now 5 F
	run xenstore-rm /local/domain/5
	new_domain 5
	[ "$(quota_used 5 nodes)" = 1 ] ||
	    fail "new dom5 starts with $(quota_used 5 nodes) nodes, not 1"
	[ "$(quota_used 5 watches)" = 0 ] ||
	    fail "new dom5 starts with $(quota_used 5 watches) watches"
	[ "$(quota_used 5 transactions)" = 0 ] ||
	    fail "new dom5 starts with $(quota_used 5 transactions) transactions"
	if quota_counted 5 memory; then
		note "new dom5's memory usage: $(quota_used 5 memory) bytes"
	fi
	# And it can use its whole quota again (granted again: the grant to
	# the dead domain went with it).
	ok "$XSRAW" batch <"$TESTDIR/p.in"
	guest_script 5 "$TESTDIR/fill.txt"
	[ "$(quota_used 5 nodes)" = 31 ] ||
	    fail "dom5 uses $(quota_used 5 nodes) nodes, expected 31"
	ok xenstore-rm /pool
	good_check "after the reuse"
	sec_end
}

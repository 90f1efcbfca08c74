/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen's xenstore migration stream, version 1, as Xen 4.17's C xenstored
 * writes and reads it for live update (docs/live-update.md has the
 * layout): a 16-byte preamble, then records of an 8-byte header (type,
 * length including padding) and a body padded so that every record ends
 * 8-aligned. No I/O: the writer fills a memory buffer, the reader checks
 * a whole buffer and hands back an image; the daemon does the files.
 *
 * Record types 0-5 are Xen's. xstored's own extras use types from
 * STATE_XS_BASE ('xs' << 16): a 4.17 reader logs and skips them, so a
 * stream written by xstored restores in C with the extras lost (watch
 * depth, per-domain quotas and features, global quota defaults), and
 * xstored reads a C stream without them. Xen's design document also
 * defines types 6-8 (version 2), which no C daemon writes or reads: they
 * are never written here and, if found, skipped like any unknown type.
 *
 * Integers are host-endian (little-endian on x86), except the preamble's
 * version, which is big-endian, as in 4.17.
 */
#ifndef STATE_STREAM_H
#define STATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define STATE_VERSION		1
#define STATE_TYPE_END		0
#define STATE_TYPE_GLOBAL	1
#define STATE_TYPE_CONN		2
#define STATE_TYPE_WATCH	3
#define STATE_TYPE_TA		4	/* never written; skipped on read */
#define STATE_TYPE_NODE		5
#define STATE_XS_BASE		0x78730000u
#define STATE_XS_GLOBAL		(STATE_XS_BASE + 1)	/* quota defaults */
#define STATE_XS_DOMAIN		(STATE_XS_BASE + 2)	/* quotas, features */
#define STATE_XS_WATCH_DEPTH	(STATE_XS_BASE + 3)	/* a watch's depth */

#define STATE_CONN_RING		0
#define STATE_CONN_SOCKET	1
#define STATE_DOMID_INVALID	0x7FF4	/* tdomid: no target */
#define STATE_PERM_IGNORE	0x01	/* entry of a domain that died */
#define STATE_QUOTA_MAX		32	/* quota values per extra record */
#define STATE_WHY_MAX		160	/* a good size for the reader's why */

/* One permission entry as in the stream: 'n', 'r', 'w' or 'b'. */
struct state_perm {
	char		 access;
	uint8_t		 flags;		/* STATE_PERM_IGNORE */
	uint16_t	 domid;
};

struct state_conn {
	uint32_t	 id;		/* 1, 2, ... unique */
	uint16_t	 type;		/* STATE_CONN_* */
	uint16_t	 domid;		/* ring */
	uint16_t	 tdomid;	/* ring: target or STATE_DOMID_INVALID */
	uint32_t	 evtchn;	/* ring: the daemon's local port */
	int32_t		 fd;		/* socket */
	const char	*in;		/* pending input: whole packets, then
					   perhaps one partial */
	uint16_t	 in_len;
	uint16_t	 resp_len;	/* out starts with this much of a reply
					   already partly sent */
	const char	*out;		/* pending output */
	uint32_t	 out_len;
};

struct state_watch {
	uint32_t	 conn_id;
	const char	*path;		/* as registered (relative or not) */
	const char	*token;
	int		 depth;		/* -1: unlimited */
};

struct state_node {
	const char	*path;		/* "/..." or "@releaseDomain" ... */
	const char	*value;
	uint16_t	 len;
	uint16_t	 nperms;	/* >= 1; perms[0] is the owner */
	const struct state_perm *perms;
};

struct state_domain {
	uint16_t	 domid;
	bool		 features_set;	/* SET_FEATURE was used */
	uint32_t	 features;
	uint16_t	 nquota;
	uint32_t	 quota[STATE_QUOTA_MAX];
};

/* ---- writer.c ---- */

struct state_writer;

/*
 * A writer with the preamble written, talloc'ed under ctx.
 * Errors: ENOMEM.
 */
int	state_writer_new(TALLOC_CTX *ctx, struct state_writer **out);

/*
 * Each appends one record. A writer that failed once (ENOMEM, a field
 * too long for the stream: E2BIG) keeps failing: check the last call.
 */
int	state_write_global(struct state_writer *w, int socket_fd,
	    int evtchn_fd);
int	state_write_conn(struct state_writer *w, const struct state_conn *c);
/* The depth, if >= 0, goes into an extra record after the watch. */
int	state_write_watch(struct state_writer *w, const struct state_watch *wt);
int	state_write_node(struct state_writer *w, const struct state_node *n);
int	state_write_xs_global(struct state_writer *w, const uint32_t *quota,
	    unsigned int n);
int	state_write_xs_domain(struct state_writer *w,
	    const struct state_domain *dom);
/*
 * Appends END and hands out the whole stream (owned by the writer).
 * Errors: the first error of any earlier call.
 */
int	state_write_end(struct state_writer *w, const void **buf, size_t *len);

/* ---- reader.c ---- */

/* A checked stream. Pointers point into the buffer given to the reader. */
struct state_image {
	int		 socket_fd;
	int		 evtchn_fd;
	struct state_conn *conns;
	size_t		 nconns;
	struct state_watch *watches;
	size_t		 nwatches;
	struct state_node *specials;	/* "@..." permission records */
	size_t		 nspecials;
	struct state_node *nodes;	/* the tree, parents first, "/" first */
	size_t		 nnodes;
	bool		 have_quota;	/* an XS_GLOBAL record was found */
	uint16_t	 nquota;
	uint32_t	 quota[STATE_QUOTA_MAX];
	struct state_domain *domains;
	size_t		 ndomains;
	unsigned int	 skipped;	/* records of unknown type, and TA */
};

/*
 * Checks the whole stream and describes it in *out (talloc'ed under ctx;
 * it points into buf, which must outlive it). Nothing is returned unless
 * every record is valid: the preamble (ident, version 1, this host's
 * flags), padded record lengths inside the buffer, GLOBAL first and once,
 * CONN and WATCH records before any NODE, unique connection ids, every
 * watch naming an earlier connection, NUL-terminated strings with no NUL
 * inside, valid permission letters, special nodes only @releaseDomain and
 * @introduceDomain, "/" as the first tree node, every other node after
 * its parent and none twice, END last and nothing after it. Unknown types
 * and TA records are skipped (counted in skipped).
 * Errors: EINVAL (with a one-line reason in why), ENOMEM.
 */
int	state_read(TALLOC_CTX *ctx, const void *buf, size_t len,
	    struct state_image **out, char *why, size_t whysz);

#endif

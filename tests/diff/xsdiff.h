/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsdiff: the differential tester's shared types (tests/diff/README.md).
 * gen.c makes requests from a seed; xsdiff.c sends each to both daemons,
 * collects replies and events, normalises and compares them.
 */
#ifndef TESTS_DIFF_XSDIFF_H
#define TESTS_DIFF_XSDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define NCONN		3	/* connections per daemon */
#define MAX_WATCHES	48	/* watches the generator remembers */
#define REQ_BODY_MAX	(XENSTORE_PAYLOAD_MAX + 64)

/* Message types newer than the 4.17 header. */
#define T_GET_FEATURE	23
#define T_SET_FEATURE	24
#define T_GET_QUOTA	25
#define T_SET_QUOTA	26

/* Which daemon the reference is: decides what may be generated. */
enum ref_kind {
	REF_C,		/* Debian's C xenstored 4.17 */
	REF_OX,		/* Debian's oxenstored 4.17 */
};

/* Which tx_id a request carries. */
enum tx_mode {
	TXM_NONE,	/* 0 */
	TXM_CUR,	/* the connection's open transaction (per daemon) */
	TXM_BOGUS,	/* an id no transaction has */
};

/* Request flags, for the allow-list's rules. */
#define RF_LONG		0x01	/* a path longer than 2048 bytes */
#define RF_OVERSIZE	0x02	/* header len > 4096: the daemon closes */
#define RF_NEWTYPE	0x04	/* types 23-26 */
#define RF_CONTROL	0x08	/* CONTROL */
#define RF_MALFORMED	0x10	/* missing NULs, junk arguments */
#define RF_JUNKNUM	0x20	/* a domid that is not 0..65535 in digits */

struct req {
	int		 conn;
	uint32_t	 type;
	uint32_t	 req_id;
	enum tx_mode	 txm;
	size_t		 len;		/* payload bytes (header len) */
	unsigned int	 flags;
	char		 body[REQ_BODY_MAX];
};

struct watch_rec {
	int	 conn;
	char	 path[64];
	char	 token[8];
};

/* What the generator knows of the daemons' shared state. */
struct gen {
	uint64_t	 rng;
	enum ref_kind	 ref;
	int		 tx_holder;	/* connection with an open tx, or -1 */
	bool		 watched[NCONN];	/* may have watches */
	struct watch_rec watches[MAX_WATCHES];
	unsigned int	 nwatches;
};

/* One packet received. */
struct pkt {
	uint32_t	 type;
	uint32_t	 req_id;
	uint32_t	 tx_id;
	uint32_t	 len;
	bool		 closed;	/* not a packet: the daemon closed */
	char		 body[XENSTORE_PAYLOAD_MAX + 1];
};

/* gen.c */
void	gen_init(struct gen *g, uint64_t seed, enum ref_kind ref);
void	gen_next(struct gen *g, struct req *r);
/* After a step: the reference's reply (NULL: the connection closed). */
void	gen_update(struct gen *g, const struct req *r, const struct pkt *reply);
/* A connection was closed and reopened. */
void	gen_reset_conn(struct gen *g, int conn);
const char *gen_type_name(uint32_t type);

#endif

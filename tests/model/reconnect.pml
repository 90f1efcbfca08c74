/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reconnect.pml: the xenstore ring reconnection handshake between xstored
 * (ringio/ringio.c, ringio/ring.c, daemon/conn_ring.c) and one guest, as a
 * Promela model for spin. docs/ring.md ("The handshake, model-checked")
 * says what is in it, what is left out and what each check found;
 * tests/model/run.sh runs the checks.
 *
 * The page: both data areas (RS bytes each), the four free-running
 * indexes, the feature, connection and error words. Each load or store of
 * a page word or data byte is one step, so the other side can run between
 * any two of them, as on two CPUs (ring.c's barriers make the hardware
 * keep program order, which is all a Promela process has).
 *
 * Event channels: one pending bit per direction. Notify sets it, a wait
 * blocks until it is set and clears it (hvmloader's test_and_clear_bit;
 * the daemon's xenevtchn_pending + unmask). Two notifies before the other
 * side looks are one: nothing counts them.
 *
 * Packets: every packet is two bytes, a "header" (part 0) and a "payload"
 * (part 1), written and published one byte at a time so that the daemon
 * can hold half a packet. Each byte carries a tag: the guest's connection
 * generation, the request's sequence number within that generation, and
 * the part. A reply carries its request's generation and sequence. A
 * watch event (at most EVENTS, fired by the pre-reset guest's watches) has
 * sequence 0; it is what makes the daemon write a packet in two steps.
 * Zero (a zeroed page) and SCRUB (ring_reset's deadbeef fill) are never
 * the tag of a live byte, so reading one as data is caught like an old
 * packet.
 *
 * Ghost variables (d_gen, d_next, g_wait_conn, g_wait_reply) exist only for
 * the properties; neither side decides anything on them.
 *
 * Properties. Assertions, each marked on its line for run.sh: P_REQUEST
 * (the daemon takes only the next byte of the current generation's
 * request stream), P_REPLY (the guest takes only its request's reply or a
 * current event), P_FRESH (when the guest sees the reset done, the page is
 * reset: indexes 0, data scrubbed, error 0, connection 0). No invalid end
 * state (both sides finish). Two LTL formulas below, for liveness.
 *
 * Broken variants, one cpp symbol each (run.sh expects spin to catch each):
 *   BROKEN_CLEAR_FIRST   connection = 0 before the indexes are zeroed
 *   BROKEN_NO_NOTIFY     no notify after the reset
 *   BROKEN_NOTIFY_EARLY  notify at the start of the reset, none after
 *   BROKEN_KEEP_QUEUE    the daemon keeps its output queue on ECONNRESET
 *   BROKEN_KEEP_PARTIAL  ringio keeps a half-read request across a reset
 *   BROKEN_KEEP_OUT_OFF  ringio keeps the written offset of a half-written
 *                        output packet across a reset
 */

#define RS		2	/* bytes per data area: one packet fills it */
#define PKT		2	/* bytes per packet: header, payload */
#define SCRUB		255	/* ring_reset's fill, never a live tag */
#define F_RECONN	1	/* XENSTORE_SERVER_FEATURE_RECONNECTION */
#define F_ERROR		2	/* XENSTORE_SERVER_FEATURE_ERROR */
#define FEATURES	3	/* what the daemon advertises (of RINGIO_FEATURES_ALL) */
#define E_RINGIDX	2	/* XENSTORE_ERROR_RINGIDX */

/*
 * Tag of a packet byte: generation (3 bits), sequence (4), part (1). A
 * watch event has sequence 0.
 */
#define TAG(g, s, p)	(((g) << 5) | ((s) << 1) | (p))

/* Step results, as ringio returns them. */
#define R_OK		0
#define R_AGAIN		1
#define R_RESET		2	/* ECONNRESET */
#define R_PROTO		3	/* EPROTO */
#define R_NOTCONN	4	/* ENOTCONN */

/* Free-running 8-bit indexes: prod - cons mod 256, as uint32_t mod 2^32. */
#define DIFF(p, c)	(((p) + 256 - (c)) % 256)

#ifndef TICKS
#define TICKS		2	/* slow-timer rescans the daemon may make */
#endif
#ifndef EVENTS
#define EVENTS		1	/* watch events the daemon may queue */
#endif

/* The shared page. */
byte req[RS];
byte rsp[RS];
byte req_cons, req_prod, rsp_cons, rsp_prod;
byte features, connection, error;

/* Event channel pending bits: to the daemon, to the guest. */
bit evt_d, evt_g;

/* Ghosts. */
byte d_gen;		/* resets the daemon has done */
byte d_next;		/* the request sequence the daemon reads next */
bit g_wait_conn;	/* the guest asked for a reconnection, not yet seen */
bit g_wait_reply;	/* a request after the reset waits for its reply */
bit introduced;		/* INTRODUCE done: the toolstack unpauses the guest */
bit linux_only;		/* scenario: builder-preset word, Linux waits */

/*
 * Properties checked by LTL (run.sh picks one with pan -N): a guest that
 * asked for a reconnection sees it completed, and a request written after
 * the reset gets its reply. Under weak fairness; a run that stops (both
 * sides blocked) is extended by stuttering, so a hang violates them too.
 */
ltl reconnect_completes { [] (g_wait_conn -> <> !g_wait_conn) }
ltl request_answered { [] (g_wait_reply -> <> !g_wait_reply) }

/* ------------------------------------------------------------------ */
/* The daemon: ringio plus conn_ring_service's loop.                  */

/*
 * reconnect() in ringio.c, with ring_reset() from ring.c: drop the
 * partial packets, clear the stopped state, zero the indexes, scrub, write
 * the feature word, error = 0, connection = 0 last, then notify once.
 */
inline reconnect()
{
	d_step {
#ifndef BROKEN_KEEP_PARTIAL
		in_off = 0;
#endif
#ifndef BROKEN_KEEP_OUT_OFF
		out_off = 0;
#endif
		derr = 0;
		d_gen++;
		d_next = 1;
		i = 0
	};
#ifdef BROKEN_NOTIFY_EARLY
	evt_g = 1;
#endif
#ifdef BROKEN_CLEAR_FIRST
	connection = 0;
#endif
	req_cons = 0;
	req_prod = 0;
	rsp_cons = 0;
	rsp_prod = 0;
	do
	:: i < RS -> req[i] = SCRUB; i++
	:: else -> i = 0; break
	od;
	do
	:: i < RS -> rsp[i] = SCRUB; i++
	:: else -> i = 0; break
	od;
	features = FEATURES;
	error = 0;
#ifndef BROKEN_CLEAR_FIRST
	connection = 0;
#endif
#if !defined(BROKEN_NO_NOTIFY) && !defined(BROKEN_NOTIFY_EARLY)
	evt_g = 1;
#endif
	skip
}

/*
 * conn_drop_state(): the output queue goes, and the watches (and
 * transactions) with it, so no event can fire any more.
 */
inline drop_state()
{
#ifndef BROKEN_KEEP_QUEUE
	outn = 0;
#endif
	events = 0
}

/* step_begin(): the connection word first, with one load; then the error. */
inline step_begin()
{
	c = connection;
	if
	:: c != 0 -> reconnect(); ret = R_RESET
	:: else ->
		if
		:: derr -> ret = R_NOTCONN
		:: else -> ret = R_OK
		fi
	fi
}

/* stop(): the error word (the ERROR feature is advertised). */
inline stop()
{
	derr = 1;
	error = E_RINGIDX;
	ret = R_PROTO
}

/*
 * ring_consume() on the request ring for `want` bytes into the packet
 * being assembled: each index loaded once, validated, the bytes copied,
 * req_cons stored from the local copy. Every byte copied is checked to be
 * the next byte of the guest's current generation's request stream.
 */
inline consume(want)
{
	cons = req_cons;
	prod = req_prod;
	if
	:: DIFF(prod, cons) > RS -> stop()
	:: else ->
		d_step {
			n = DIFF(prod, cons);
			if
			:: n > want -> n = want
			:: else -> skip
			fi;
			j = 0
		};
		do
		:: j < n ->
			b = req[(cons + j) % RS];
			/* Nothing old, scrubbed or out of order is taken. */
			assert(b == TAG(d_gen, d_next, in_off));	/* P_REQUEST */
			d_step { in_off++; j++; moved++ }
		:: else -> break
		od;
		if
		:: n > 0 -> req_cons = (cons + n) % 256
		:: else -> skip
		fi;
		ret = R_OK
	fi
}

/* ringio_conn_read(): header pass, then payload pass; one notify if moved. */
inline ring_read()
{
	moved = 0;
	step_begin();
	if
	:: ret == R_OK && in_off < 1 ->
		consume(1 - in_off);
		if
		:: ret == R_OK && in_off < 1 -> ret = R_AGAIN
		:: else -> skip
		fi
	:: else -> skip
	fi;
	if
	:: ret == R_OK ->
		consume(PKT - in_off);
		if
		:: ret == R_OK && in_off < PKT -> ret = R_AGAIN
		:: else -> skip
		fi
	:: else -> skip
	fi;
	/* finish(): after moving bytes, never after a reset (it moved none). */
	if
	:: (ret == R_OK || ret == R_AGAIN) && moved > 0 -> evt_g = 1
	:: else -> skip
	fi
}

/* ringio_conn_write() of the head of the queue, resumable at out_off. */
inline ring_write()
{
	step_begin();
	if
	:: ret == R_OK ->
		cons = rsp_cons;
		prod = rsp_prod;
		if
		:: DIFF(prod, cons) > RS -> stop()
		:: else ->
			d_step {
				n = RS - DIFF(prod, cons);
				if
				:: n > PKT - out_off -> n = PKT - out_off
				:: else -> skip
				fi;
				j = 0
			};
			do
			:: j < n -> rsp[(prod + j) % RS] = outq[0] | (out_off + j); j++
			:: else -> break
			od;
			if
			:: n > 0 -> rsp_prod = (prod + n) % 256; evt_g = 1
			:: else -> skip
			fi;
			d_step {
				out_off = out_off + n;
				if
				:: out_off == PKT -> out_off = 0; ret = R_OK
				:: else -> ret = R_AGAIN
				fi
			}
		fi
	:: else -> skip
	fi
}

/* conn_ring.c ring_write(): drain the queue until the ring is full. */
inline drain()
{
	do
	:: outn > 0 ->
		ring_write();
		if
		:: ret == R_OK ->
			d_step {
				outq[0] = outq[1];
				outq[1] = outq[2];
				outq[2] = 0;
				outn--
			}
		:: ret == R_AGAIN -> break
		:: else -> drop_state(); break
		fi
	:: else -> break
	od
}

/* conn_ring_service(): check, drain, then read and answer until EAGAIN. */
inline service()
{
	/* ringio_conn_check_reconnect(): one load of the word. */
	c = connection;
	if
	:: c != 0 -> reconnect(); drop_state()
	:: else -> skip
	fi;
	drain();
	do
	:: true ->
		ring_read();
		if
		:: ret == R_AGAIN || ret == R_NOTCONN -> break
		:: ret == R_RESET -> drop_state(); break
		:: ret == R_PROTO -> drop_state(); break
		:: ret == R_OK ->
			/* dispatch_request(): the reply is queued at once. */
			d_step {
				assert(outn < 3);
				outq[outn] = TAG(d_gen, d_next, 0);
				outn++;
				d_next++;
				in_off = 0
			};
			drain()
		fi
	od
}

proctype daemon()
{
	byte in_off;		/* bytes of the current request held */
	byte out_off;		/* bytes of outq[0] already in the ring */
	byte outq[3];		/* queued replies and events (part-0 tag) */
	byte outn;
	bit derr;		/* rc->error != 0: the ring is stopped */
	byte c, cons, prod, n, j, b, i, ret, moved;
	byte ticks = TICKS;
	byte events;		/* events the guest's watches may still fire */

	/* INTRODUCE: ringio_conn_new (feature word), ringio_conn_reset. */
	features = FEATURES;
	reconnect();
	drop_state();
	/*
	 * hvmloader, or the kernel that crashes, may have watches; Linux's
	 * xenbus starts after the reset with none.
	 */
	if
	:: !linux_only -> events = EVENTS
	:: else -> skip
	fi;
	introduced = 1;
end_idle:
	do
	:: atomic { evt_d -> evt_d = 0 }; service()
	/*
	 * The slow rescan (every 2 s in the daemon), a bounded number of
	 * times; a watch fired since may have queued an event first. The
	 * event is what makes the daemon write a packet in two steps (the
	 * ring holds part of a reply when the event comes).
	 */
	:: ticks > 0 -> ticks--;
		if
		:: events > 0 ->
			d_step {
				assert(outn < 3);
				events--;
				outq[outn] = TAG(d_gen, 0, 0);
				outn++
			}
		:: true -> skip
		fi;
		service()
	/*
	 * Output the guest has no room for yet is retried by the same
	 * timer for as long as it waits: hvmloader does not notify after
	 * consuming, so only the timer moves the rest of a packet that was
	 * written in two steps.
	 */
	:: outn > 0 -> service()
	od
}

/* ------------------------------------------------------------------ */
/* The guest.                                                         */

/* Blocks until the daemon has notified, and clears the pending bit. */
#define WAIT_EVENT	atomic { evt_g -> evt_g = 0 }

/*
 * Writes request `seq` of generation `gen` a byte at a time, publishing
 * each (hvmloader and Linux write the header and the body separately).
 * stop_after: 1 = abandon after the header, PKT = the whole request.
 * Linux notifies after every chunk it writes, hvmloader once per request.
 */
inline write_request(stop_after, each)
{
	p = 0;
	do
	:: p < stop_after ->
		cons = req_cons;
		prod = req_prod;
		if
		:: DIFF(prod, cons) < RS ->
			req[prod % RS] = TAG(gen, seq, p);
			req_prod = (prod + 1) % 256;
			p++;
			if
			:: each -> evt_d = 1
			:: else -> skip
			fi
		:: else -> evt_d = 1; WAIT_EVENT
		fi
	:: else -> break
	od
}

/*
 * Reads the first `upto` bytes of the reply to request `seq`, waiting for
 * events while it is short; a watch event before it is read and skipped.
 */
inline read_reply(upto)
{
	p = 0;
	ev = 0;
	do
	:: p < upto ->
		prod = rsp_prod;
		cons = rsp_cons;
		if
		:: prod != cons ->
			b = rsp[cons % RS];
			if
			:: p == 0 -> ev = (b == TAG(gen, 0, 0))
			:: else -> skip
			fi;
			/* This reply or a current event: not old, not scrub. */
			assert(b == TAG(gen, (ev -> 0 : seq), p));	/* P_REPLY */
			rsp_cons = (cons + 1) % 256;
			p++;
			if
			:: p == PKT && ev -> p = 0; ev = 0
			:: else -> skip
			fi
		:: else -> WAIT_EVENT
		fi
	:: else -> break
	od
}

/* What the guest must find once the reset is over (written for RS == 2). */
#define FRESH	(connection == 0 && req_cons == 0 && req_prod == 0 && \
		 rsp_cons == 0 && rsp_prod == 0 && error == 0 && \
		 (features & F_RECONN) != 0 && req[0] == SCRUB && \
		 req[1] == SCRUB && rsp[0] == SCRUB && rsp[1] == SCRUB)

proctype guest()
{
	byte gen, seq, p, c, cons, prod, b;
	bit ev;			/* the packet being read is an event */

	if
	:: !linux_only ->
		/* hvmloader: runs once the domain is introduced and unpaused. */
		introduced;
		gen = 1;
		seq = 1;
		write_request(PKT, 0);
		evt_d = 1;
		read_reply(PKT);
		/*
		 * The last request: answered, or (a crash kernel taking over
		 * mid-request) abandoned after its header, or whole, or with
		 * its reply half read, or none; or the guest breaks its ring
		 * (req_prod 3 past req_cons: the daemon stops it with RINGIDX)
		 * and then asks to reconnect.
		 */
		seq = 2;
		if
		:: write_request(PKT, 0); evt_d = 1; read_reply(PKT)
		:: write_request(PKT, 0); evt_d = 1; read_reply(1)
		:: write_request(1, 0)
		:: write_request(PKT, 0); evt_d = 1
		:: skip
		:: req_prod = (req_prod + 3) % 256; evt_d = 1
		fi;
		/* xenbus_shutdown(): the server advertises RECONNECTION. */
		assert((features & F_RECONN) != 0);
		atomic { connection = 1; g_wait_conn = 1 };
		evt_d = 1;
		do
		:: c = connection;
			if
			:: c == 1 -> WAIT_EVENT
			:: else -> break
			fi
		od;
		atomic { assert(FRESH); g_wait_conn = 0 };	/* P_FRESH */
		gen = 2
	:: else ->
		/*
		 * Linux under a dom0less builder: connection was 1 before the
		 * daemon saw the page; xenbus starts on the first event,
		 * without looking at the word again.
		 */
		g_wait_conn = 1;
		WAIT_EVENT;
		atomic { assert(FRESH); g_wait_conn = 0 };	/* P_FRESH */
		gen = 1
	fi;

	/* The OS's xenbus init: unread replies are skipped. */
	prod = rsp_prod;
	cons = rsp_cons;
	if
	:: prod != cons -> rsp_cons = prod
	:: else -> skip
	fi;
	/* A new request after the reset, and its answer. */
	seq = 1;
	write_request(PKT, 1);
	g_wait_reply = 1;
	read_reply(PKT);
	g_wait_reply = 0
}

init {
	atomic {
		if
		:: linux_only = 0
		:: linux_only = 1;
			/*
			 * The builder set the word before INTRODUCE; the page
			 * may also hold an earlier kernel's traffic (generation
			 * 3), half consumed.
			 */
			connection = 1;
			if
			:: skip
			:: req[0] = TAG(3, 1, 0); req[1] = TAG(3, 1, 1);
				req_cons = 1; req_prod = 2;
				rsp[0] = TAG(3, 2, 0); rsp_cons = 4; rsp_prod = 5
			fi
		fi;
		run daemon();
		run guest()
	}
}
